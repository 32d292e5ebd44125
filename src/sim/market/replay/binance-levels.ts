import { strictDecimal } from './plain-decimal.ts';
import { valueProblem } from './level-value.ts';
import { ScannedLevels } from './binance-line-scanner.ts';

/**
 * `[[price, qty], ...]` (decimal strings) as a flat `[p0, q0, p1, q1, ...]`; null when anything is off
 * (not an array, a level that is not two strings, a price not > 0, a quantity not >= 0).
 */
export function parseLevels(raw: unknown): number[] | null {
  if (raw instanceof ScannedLevels) return raw.flat;
  if (!Array.isArray(raw)) return null;
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const level: unknown = raw[i];
    if (!Array.isArray(level) || level.length < 2) return null;
    const ps: unknown = level[0];
    const qs: unknown = level[1];
    if (typeof ps !== 'string' || typeof qs !== 'string') return null;
    const p = strictDecimal(ps);
    const q = strictDecimal(qs);
    if (!(p > 0) || !(q >= 0) || p === Infinity || q === Infinity) return null;
    out.push(p, q);
  }
  return out;
}

/** Why parseLevels refused `raw` (for the error naming the line); called only once it has. */
export function levelsProblem(raw: unknown, name: string): string {
  if (!Array.isArray(raw)) return `${name} is ${raw === undefined ? 'missing' : `not a list of levels: ${JSON.stringify(raw)}`}`;
  for (let i = 0; i < raw.length; i++) {
    const level: unknown = raw[i];
    const at = `${name} level ${i + 1}`;
    if (!Array.isArray(level) || level.length < 2) return `${at} is not a [price, quantity] pair: ${JSON.stringify(level)}`;
    const problem =
      valueProblem(level[0], 'price', at, false, BINANCE_NOTE) ?? valueProblem(level[1], 'quantity', at, false, BINANCE_NOTE);
    if (problem) return problem;
  }
  return `${name} is not a list of levels`;
}

const BINANCE_NOTE = 'Binance sends decimal strings';
