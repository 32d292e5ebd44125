import { strictDecimal } from './plain-decimal.ts';

/**
 * A recorded price or quantity: a decimal string as a whole ("0x1", "1.2.3", "NaN" are not numbers), or,
 * where the venue sends them, a finite JSON number. NaN for anything else.
 */
export function levelValue(v: unknown, numbersAllowed: boolean): number {
  if (typeof v === 'string') return strictDecimal(v);
  if (numbersAllowed && typeof v === 'number' && Number.isFinite(v)) return v;
  return NaN;
}

/**
 * Why `v` is not a usable price (> 0) or quantity (>= 0), or undefined when it is: the detail of an error
 * that names the line the value is on. `at` says where in the message (e.g. "b (bids) level 3").
 */
export function valueProblem(v: unknown, what: 'price' | 'quantity', at: string, numbersAllowed: boolean, venueNote: string): string | undefined {
  if (typeof v === 'number' && !numbersAllowed) return `${at} ${what} ${JSON.stringify(v)} is an unquoted number (${venueNote})`;
  if (v === undefined) return `${at} has no ${what}`;
  if (typeof v !== 'string' && typeof v !== 'number') return `${at} ${what} ${JSON.stringify(v)} is not a number`;
  const x = levelValue(v, numbersAllowed);
  const shown = JSON.stringify(v);
  if (x !== x || x === Infinity) return /^-\d/.test(String(v)) ? `${at} ${what} ${shown} is negative` : `${at} ${what} ${shown} is not a decimal number`;
  if (x < 0) return `${at} ${what} ${shown} is negative`;
  if (what === 'price' && !(x > 0)) return `${at} price ${shown} is not positive`;
  return undefined;
}
