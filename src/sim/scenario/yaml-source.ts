import { LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import type { z } from 'zod';
import { InputError } from '../../core/errors.ts';
import { readTextInput } from './input-file.ts';
import { allowedKeys } from './schema-keys.ts';
import { keyAt, locate } from './yaml-locate.ts';

/** An invalid scenario (or other YAML input): the message names the file, the line and the field. */
export class ScenarioError extends InputError {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly path?: string;
  constructor(message: string, where: { file: string; line?: number; column?: number; path?: string }) {
    super(message, 'INVALID_SCENARIO');
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.path = where.path;
  }
}

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];
interface Problem {
  path: Path;
  text: string;
  offset: number;
  /** The field the problem is about when it is not `path` (an unknown key: the key itself). */
  blame?: Path;
}

/** Whether one non-empty path lies on the other (is it, holds it or is held by it). */
function overlaps(a: Path, b: Path): boolean {
  if (a.length === 0 || b.length === 0) return false;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (String(a[i]) !== String(b[i])) return false;
  return true;
}

/** One field of a document set from outside it (e.g. `--set strategy.spread_bps=3`); `label` names it in messages. */
export interface YamlOverride {
  readonly path: readonly (string | number)[];
  readonly value: unknown;
  readonly label: string;
}

const MAX_PROBLEMS = 5;

/** Reads a YAML file and validates it against `schema`; every failure is a `ScenarioError`. */
export async function loadYamlFile<S extends z.ZodType>(file: string, schema: S): Promise<z.output<S>> {
  return parseYamlWithSchema(await readSourceFile(file), file, schema);
}

/** A source file's text (a regular file, size-capped); an unreadable file is a `ScenarioError` naming it. */
export async function readSourceFile(file: string): Promise<string> {
  try {
    return await readTextInput(file);
  } catch (err) {
    if (err instanceof InputError) throw new ScenarioError(err.message, { file });
    throw err;
  }
}

/** Parses one YAML document and validates it; `file` only names the source in messages. */
export function parseYamlWithSchema<S extends z.ZodType>(text: string, file: string, schema: S): z.output<S> {
  const { doc, lines } = parseChecked(text, file);
  return validateDocument(doc, lines, file, schema);
}

/** Parses YAML text into a document (syntax errors as ScenarioError at their line); for yaml-variants.ts. */
export function parseChecked(text: string, file: string): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number) => lines.linePos(offset);

  const syntaxError = doc.errors[0];
  if (syntaxError) {
    const { line, col } = at(syntaxError.pos[0]);
    let message = syntaxError.message.split('\n')[0] ?? syntaxError.code;
    if (syntaxError.code === 'DUPLICATE_KEY') {
      const key = keyAt(doc, syntaxError.pos[0]);
      if (key !== undefined) message += ` (duplicate key ${JSON.stringify(key)})`;
    }
    throw new ScenarioError(`${file}:${line}:${col}: ${message}`, { file, line, column: col });
  }
  if (doc.contents === null) throw new ScenarioError(`${file}: the file is empty`, { file });
  return { doc, lines };
}

/** Validates a (possibly overridden) document; problems under an override are reported at its label. */
export function validateDocument<S extends z.ZodType>(doc: Document, lines: LineCounter, file: string, schema: S, overrides: readonly YamlOverride[] = []): z.output<S> {
  const at = (offset: number) => lines.linePos(offset);
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    // Unresolved aliases and alias bombs only surface when the document is converted.
    throw new ScenarioError(`${file}: ${err instanceof Error ? err.message : String(err)}`, { file });
  }

  const result = schema.safeParse(data);
  if (result.success) return result.data;

  const problems = flatten(result.error.issues, [])
    .flatMap((issue) => explain(issue, doc, data, schema))
    .sort((a, b) => a.offset - b.offset);
  const shown = problems.slice(0, MAX_PROBLEMS).map((p) => {
    const path = dotted(p.path);
    const blamed = overrides.find((o) => overlaps(o.path, p.blame ?? p.path));
    if (blamed) return { line: undefined, col: undefined, path, text: `${blamed.label}: ${path ? `${path}: ` : ''}${p.text}` };
    const { line, col } = at(p.offset);
    return { line, col, path, text: `${file}:${line}:${col}: ${path ? `${path}: ` : ''}${p.text}` };
  });
  const rest = problems.length - shown.length;
  const first = shown[0];
  const message = [...shown.map((s) => s.text), ...(rest > 0 ? [`and ${rest} more problems`] : [])].join('\n');
  throw new ScenarioError(message, { file, line: first?.line, column: first?.col, path: first?.path });
}

/** `phases[2].duration`; keys that are not plain words are quoted. */
function dotted(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(String(seg))) out += out ? `.${String(seg)}` : String(seg);
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

function show(value: unknown): string {
  const json = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}

/** Replaces a failed non-discriminated union by the issues of the alternative that came closest. */
function flatten(issues: readonly Issue[], prefix: Path): Issue[] {
  return issues.flatMap((issue): Issue[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code !== 'invalid_union' || issue.errors.length === 0 || allTypeMismatches(issue.errors)) {
      return [{ ...issue, path }];
    }
    // The alternative whose fields the value uses (fewest unknown keys), then the one with the fewest problems.
    const best = [...issue.errors].sort((a, b) => unknownKeys(a) - unknownKeys(b) || a.length - b.length || depth(b) - depth(a))[0] ?? [];
    return flatten(best, path);
  });
}

const unknownKeys = (branch: readonly Issue[]) => branch.reduce((n, i) => n + (i.code === 'unrecognized_keys' ? i.keys.length : 0), 0);
const depth = (branch: readonly Issue[]) => Math.max(0, ...branch.map((i) => i.path.length));
const allTypeMismatches = (branches: readonly Issue[][]) =>
  branches.every((b) => b.length === 1 && b[0]?.code === 'invalid_type' && b[0].path.length === 0);

function valueAt(data: unknown, path: Path): { present: boolean; value: unknown } {
  let value = data;
  for (const seg of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, seg)) return { present: false, value: undefined };
    value = (value as Record<PropertyKey, unknown>)[seg];
  }
  return { present: true, value };
}

function explain(issue: Issue, doc: Document, data: unknown, schema: z.ZodType): Problem[] {
  const { path } = issue;
  const { present, value } = valueAt(data, path);
  const problem = (text: string): Problem[] => [{ path, text, offset: locate(doc, path) }];
  const was = `, was ${show(value)}`;
  const isDefault = (prefix: string) => issue.message.startsWith(prefix);

  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(schema, data, path);
      const hint = allowed ? ` (allowed: ${allowed.join(', ')})` : '';
      return issue.keys.map((key) => ({
        path,
        text: `unknown field ${JSON.stringify(key)}${hint}`,
        offset: locate(doc, [...path, key], true),
        blame: [...path, key],
      }));
    }
    case 'invalid_type':
      if (!present) return problem(`missing required field (expected ${typeName(issue.expected)})`);
      if (typeof value === 'number' && !Number.isFinite(value)) {
        return problem(`not a finite number, was ${Number.isNaN(value) ? 'NaN (.nan)' : `${value < 0 ? '-' : ''}infinity (.inf, or a number too large such as 1e309)`}`);
      }
      return problem(isDefault('Invalid input:') ? `expected ${typeName(issue.expected)}${was}` : withSeen(issue.message, was));
    case 'invalid_value': {
      const expected = issue.values.length === 1 ? show(issue.values[0]) : `one of ${issue.values.map(show).join(', ')}`;
      if (!present) return problem(`missing required field (expected ${expected})`);
      return problem(isDefault('Invalid option:') || isDefault('Invalid input:') ? `expected ${expected}${was}` : withSeen(issue.message, was));
    }
    case 'invalid_union': {
      const options = 'options' in issue && issue.options ? issue.options : [];
      if (issue.discriminator !== undefined && options.length > 0) {
        const expected = `one of ${options.map(show).join(', ')}`;
        return problem(present ? `expected ${expected}${was}` : `missing required field (expected ${expected})`);
      }
      if (!present) return problem('missing required field');
      if (issue.errors.length > 0 && allTypeMismatches(issue.errors)) {
        const kinds = issue.errors.map((b) => (b[0]?.code === 'invalid_type' ? typeName(b[0].expected) : '?'));
        return problem(`expected ${kinds.join(' or ')}${was}`);
      }
      return problem(withSeen(issue.message, was));
    }
    case 'too_small':
    case 'too_big':
      if (!present) return problem('missing required field');
      return problem(withSeen(issue.message.replace(/^Too (small|big): /, ''), was));
    case 'custom':
      return problem(issue.message);
    default:
      return problem(present ? withSeen(issue.message, was) : issue.message);
  }
}

const typeName = (expected: string) => (expected === 'int' ? 'integer' : expected);
const withSeen = (message: string, was: string) => (/\bwas\b/.test(message) ? message : message + was);
