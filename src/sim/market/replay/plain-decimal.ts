/** 10^k, exact as doubles (exact up to 10^22; 15 digits need no more). */
export const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The plain decimal `s[start, end)` (digits with at most one '.') as a number, read in place, or undefined
 * for anything else (empty, a sign, an exponent, more than 15 digits): the caller then uses parseFloat or
 * Number on the text. With at most 15 digits the mantissa m < 2^53 and 10^k are exact doubles, so m / 10^k
 * is one correctly rounded division: the very double parseFloat and Number give (Clinger's fast path).
 * Recorded prices and sizes are such decimals; reading them without a substring is most of a decoder's speed.
 */
export function plainDecimal(s: string, start: number, end: number): number | undefined {
  let m = 0;
  let digits = 0;
  let dot = -1;
  for (let k = start; k < end; k++) {
    const c = s.charCodeAt(k);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46 && dot < 0) dot = k;
    else return undefined;
  }
  if (digits === 0 || digits > 15) return undefined;
  return dot < 0 ? m : m / POW10[end - dot - 1]!;
}

const DECIMAL = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A non-negative decimal string as a number, NaN for anything else. parseFloat reads a prefix ("0x1" is 0,
 * "1.2.3" is 1.2, "12abc" is 12): a recorded value must be a number as a whole, or it is not one.
 */
export function strictDecimal(s: string): number {
  return plainDecimal(s, 0, s.length) ?? (DECIMAL.test(s) ? Number(s) : NaN);
}
