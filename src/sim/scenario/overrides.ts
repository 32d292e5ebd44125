// `--set path=value` on the command line: one field of the scenario set from outside the file, through the
// same mechanism as a variant's `set:` (yaml-source.ts parseYamlRuns), so the result is re-validated and a
// bad value is reported at the flag. A sweep's `--set path=v1,v2,...` gives one such override per value.
import { parse as parseYaml } from 'yaml';
import { InputError } from '../../core/errors.ts';
import type { YamlOverride } from './yaml-source.ts';

/** One `--set`: the dotted path, the value as typed, and the value as YAML reads it (`3` a number, `true` a boolean). */
export interface SetOverride extends YamlOverride {
  readonly dotted: string;
  readonly text: string;
}

/** A sweep's `--set path=v1,v2,...`: one path, the values it takes in turn (in the order given). */
export interface SweepAxis {
  readonly dotted: string;
  readonly values: readonly SetOverride[];
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const MAX_VALUES = 1000;

function splitFlag(text: string, flag: string): { dotted: string; path: (string | number)[]; rest: string } {
  const eq = text.indexOf('=');
  const dotted = eq < 0 ? text : text.slice(0, eq).trim();
  if (eq < 0 || dotted === '') throw new InputError(`${flag} ${text}: expected path=value, e.g. ${flag} strategy.spread_bps=3`, 'USAGE');
  const segments = dotted.split('.');
  const bad = segments.find((s) => !SEGMENT.test(s));
  if (bad !== undefined) {
    throw new InputError(`${flag} ${text}: the path ${JSON.stringify(dotted)} has a bad part ${JSON.stringify(bad)}: write the fields as in the file, joined by dots (list items by index, e.g. market.phases.0.duration)`, 'USAGE');
  }
  return { dotted, path: segments.map((s) => (/^\d+$/.test(s) ? Number(s) : s)), rest: text.slice(eq + 1) };
}

function readValue(flag: string, dotted: string, valueText: string, path: (string | number)[]): SetOverride {
  const label = `${flag} ${dotted}=${valueText}`;
  if (valueText.trim() === '') throw new InputError(`${label}: no value after "="`, 'USAGE');
  let value: unknown;
  try {
    value = parseYaml(valueText);
  } catch (err) {
    throw new InputError(`${label}: not a YAML value (${(err instanceof Error ? err.message : String(err)).split('\n')[0]})`, 'USAGE');
  }
  return { path, value, label, dotted, text: valueText };
}

/** `--set path=value` (one value; YAML syntax, so `[1, 2]` is a list). */
export function parseSetFlag(text: string, flag = '--set'): SetOverride {
  const { dotted, path, rest } = splitFlag(text, flag);
  return readValue(flag, dotted, rest, path);
}

/** Every `--set` of a sim or soak; the same path twice is ambiguous, so bad input. */
export function parseSetFlags(texts: readonly string[], flag = '--set'): SetOverride[] {
  const sets = texts.map((t) => parseSetFlag(t, flag));
  refuseRepeatedPaths(sets.map((s) => s.dotted), flag);
  return sets;
}

/** A sweep's `--set path=v1,v2,...`: values split at commas outside brackets and quotes. */
export function parseSweepAxis(text: string, flag = '--set'): SweepAxis {
  const { dotted, path, rest } = splitFlag(text, flag);
  const parts = splitTopLevel(rest);
  if (parts.length > MAX_VALUES) throw new InputError(`${flag} ${dotted}: at most ${MAX_VALUES} values, was ${parts.length}`, 'USAGE');
  const values = parts.map((p) => readValue(flag, dotted, p.trim(), path));
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v.text)) throw new InputError(`${flag} ${text}: the value ${v.text} is given twice`, 'USAGE');
    seen.add(v.text);
  }
  return { dotted, values };
}

export function parseSweepAxes(texts: readonly string[], flag = '--set'): SweepAxis[] {
  const axes = texts.map((t) => parseSweepAxis(t, flag));
  refuseRepeatedPaths(axes.map((a) => a.dotted), flag);
  return axes;
}

function refuseRepeatedPaths(paths: readonly string[], flag: string): void {
  const dup = paths.find((p, i) => paths.indexOf(p) !== i);
  if (dup !== undefined) throw new InputError(`${flag} ${dup}: given twice: set each path once`, 'USAGE');
}

/** `a,[1,2],"x,y"` -> `a`, `[1,2]`, `"x,y"`. */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}
