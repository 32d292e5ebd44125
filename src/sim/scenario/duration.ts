import { z } from 'zod';

/** Durations in scenarios are strings such as `250ms`, `5s` or `10m`; virtual time is integer microseconds. */

const MICROS_PER_UNIT: Readonly<Record<string, bigint>> = {
  us: 1n,
  ms: 1_000n,
  s: 1_000_000n,
  m: 60_000_000n,
  h: 3_600_000_000n,
};

const DURATION_RE = /^(-?)(\d+)(?:\.(\d+))? ?(us|ms|s|m|h)$/;
const EXAMPLES = '"250ms", "5s" or "10m"';

type Parsed = { ok: true; micros: number } | { ok: false; kind: 'syntax' | 'negative' | 'fraction' | 'too_large' };

function tryParse(text: string): Parsed {
  const m = DURATION_RE.exec(text);
  if (!m) return { ok: false, kind: 'syntax' };
  const [, sign, whole = '', fraction = '', unit = ''] = m;
  const perUnit = MICROS_PER_UNIT[unit] ?? 1n;
  // Exact decimal arithmetic: `1.1s` must be 1_100_000, never 1_100_000.0000000002.
  const scale = 10n ** BigInt(fraction.length);
  const scaled = BigInt(whole + fraction) * perUnit;
  if (scaled % scale !== 0n) return { ok: false, kind: 'fraction' };
  const micros = scaled / scale;
  if (sign === '-') return { ok: false, kind: 'negative' };
  if (micros > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, kind: 'too_large' };
  return { ok: true, micros: Number(micros) };
}

const REASONS: Record<Exclude<Parsed, { ok: true }>['kind'], string> = {
  syntax: `expected a number followed by us, ms, s, m or h, such as ${EXAMPLES}`,
  negative: 'a duration cannot be negative',
  fraction: 'a duration must be a whole number of microseconds',
  too_large: 'the duration is too large',
};

/** Parses `500us`, `250ms`, `1.5s`, `10 m`, `1h` into integer microseconds; throws on anything else. */
export function parseDuration(text: string): number {
  const parsed = tryParse(text);
  if (parsed.ok) return parsed.micros;
  throw new Error(`invalid duration ${JSON.stringify(text)}: ${REASONS[parsed.kind]}`);
}

function show(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}

function makeDurationSchema(positive: boolean) {
  const wanted = positive ? `a positive duration such as ${EXAMPLES}` : `a duration such as ${EXAMPLES}`;
  return z
    .string({
      // Undefined falls through to zod's default, which the YAML loader reports as a missing field.
      error: (issue) => (issue.input === undefined ? undefined : `expected ${wanted}, was ${show(issue.input)}`),
    })
    .transform((text, ctx) => {
      const parsed = tryParse(text);
      if (parsed.ok && (!positive || parsed.micros > 0)) return parsed.micros;
      const message =
        parsed.ok || parsed.kind === 'syntax'
          ? `expected ${wanted}, was ${show(text)}`
          : `${REASONS[parsed.kind]}, was ${show(text)}`;
      ctx.issues.push({ code: 'custom', message, input: text });
      return z.NEVER;
    });
}

/** A duration string in YAML, validated and converted to integer microseconds (zero allowed). */
export const durationSchema = makeDurationSchema(false);

/** Like `durationSchema`, but zero is rejected. */
export const positiveDurationSchema = makeDurationSchema(true);
