import { plainDecimal, strictDecimal } from './plain-decimal.ts';

export type Json = Record<string, unknown>;

/** Price levels already converted by scanLine: parseLevels passes them through. */
export class ScannedLevels {
  constructor(readonly flat: number[]) {}
}

/*
 * The fast path. JSON.parse of a depth diff builds an array and two strings per price level (hundreds per line),
 * only for parseLevels to turn them into numbers: most of a replay's decoding time. scanLine reads the
 * narrow JSON the recorders write — objects (one level of nesting), strings without escapes, non-negative
 * integers, true/false, and level arrays `[["p","q"],...]` under b, a, bids and asks, without whitespace —
 * into the same object JSON.parse would give, with the level arrays already converted (ScannedLevels). Anything
 * else, or a level parseLevels would reject, makes it return undefined: the line then goes through JSON.parse,
 * so what a line decodes to never depends on which path read it.
 */

/** Binance's keys as constant strings (see LineScanner.key). */
const ONE_CHAR = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));
const KEYS = ['stream', 'data', 'pu', 'lastUpdateId', 'bids', 'asks'];

class LineScanner {
  i: number;
  constructor(
    private readonly s: string,
    start: number,
  ) {
    this.i = start;
  }

  /** `{...}` at i; undefined when off. Only the top level may hold objects. */
  object(top: boolean): Json | undefined {
    const s = this.s;
    if (s.charCodeAt(this.i++) !== 123 /* { */) return undefined;
    const o: Json = {};
    if (s.charCodeAt(this.i) === 125 /* } */) {
      this.i++;
      return o;
    }
    for (;;) {
      const key = this.key();
      // An own "__proto__" (what JSON.parse makes) cannot be assigned: leave that line to JSON.parse.
      if (key === undefined || key === '__proto__' || s.charCodeAt(this.i++) !== 58 /* : */) return undefined;
      const c = s.charCodeAt(this.i);
      let v: unknown;
      if (c === 34 /* " */) v = this.string();
      else if (c >= 48 && c <= 57) v = this.integer();
      else if (c === 91 /* [ */) v = key === 'b' || key === 'a' || key === 'bids' || key === 'asks' ? this.levels() : undefined;
      else if (c === 123) v = top ? this.object(false) : undefined;
      else if (c === 116 /* t */) v = this.literal('true', true);
      else if (c === 102 /* f */) v = this.literal('false', false);
      if (v === undefined) return undefined;
      // A repeated key overwrites, as in JSON.parse.
      o[key] = v;
      const sep = s.charCodeAt(this.i++);
      if (sep === 125) return o;
      if (sep !== 44 /* , */) return undefined;
    }
  }

  private literal(word: string, value: boolean): boolean | undefined {
    if (!this.s.startsWith(word, this.i)) return undefined;
    this.i += word.length;
    return value;
  }

  /** The end of the string opening at i (the index of its closing quote); -1 when it has escapes or control characters. */
  private stringEnd(): number {
    const s = this.s;
    if (s.charCodeAt(this.i) !== 34) return -1;
    for (let j = this.i + 1; j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c === 34) return j;
      if (c === 92 /* \ */ || c < 32) return -1;
    }
    return -1;
  }

  private string(): string | undefined {
    const end = this.stringEnd();
    if (end < 0) return undefined;
    const start = this.i + 1;
    this.i = end + 1;
    return this.s.slice(start, end);
  }

  /**
   * A key, as a constant string when it is one of Binance's: a fresh slice would be looked up in V8's string
   * table at every property store, which costs more than the rest of a short line.
   */
  private key(): string | undefined {
    const end = this.stringEnd();
    if (end < 0) return undefined;
    const s = this.s;
    const start = this.i + 1;
    this.i = end + 1;
    const n = end - start;
    if (n === 1) return ONE_CHAR[s.charCodeAt(start)] ?? s.slice(start, end);
    for (let k = 0; k < KEYS.length; k++) if (KEYS[k]!.length === n && s.startsWith(KEYS[k]!, start)) return KEYS[k];
    return s.slice(start, end);
  }

  /** A JSON integer without sign, fraction or exponent (what follows is checked by the caller). */
  private integer(): number | undefined {
    const s = this.s;
    const start = this.i;
    let v = 0;
    let c = s.charCodeAt(this.i);
    while (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      c = s.charCodeAt(++this.i);
    }
    const n = this.i - start;
    if (n > 1 && s.charCodeAt(start) === 48) return undefined; // a leading zero: not JSON
    return n <= 15 ? v : Number(s.slice(start, this.i)); // beyond 15 digits v may have rounded on the way
  }

  /** The decimal string at i as a number, bit for bit what parseFloat gives; undefined when it has escapes. */
  private decimal(): number | undefined {
    const end = this.stringEnd();
    if (end < 0) return undefined;
    const start = this.i + 1;
    this.i = end + 1;
    return plainDecimal(this.s, start, end) ?? strictDecimal(this.s.slice(start, end));
  }

  /** `[["p","q"],...]` as ScannedLevels; undefined when off or when parseLevels would reject a level. */
  private levels(): ScannedLevels | undefined {
    const s = this.s;
    const flat: number[] = [];
    if (s.charCodeAt(++this.i) === 93 /* ] */) {
      this.i++;
      return new ScannedLevels(flat);
    }
    for (;;) {
      if (s.charCodeAt(this.i++) !== 91 /* [ */) return undefined;
      const p = this.decimal();
      if (p === undefined || s.charCodeAt(this.i++) !== 44 /* , */) return undefined;
      const q = this.decimal();
      if (q === undefined || s.charCodeAt(this.i++) !== 93) return undefined;
      if (!(p > 0) || !(q >= 0) || p === Infinity || q === Infinity) return undefined;
      flat.push(p, q);
      const sep = s.charCodeAt(this.i++);
      if (sep === 93) return new ScannedLevels(flat);
      if (sep !== 44) return undefined;
    }
  }
}

/**
 * The JSON object filling `text` from `start` to its end, as JSON.parse would read it but with level arrays as
 * ScannedLevels; undefined when the text is anything scanLine does not read (see above).
 * @internal exported for tests
 */
export function scanLine(text: string, start: number): Json | undefined {
  const scanner = new LineScanner(text, start);
  const o = scanner.object(true);
  return o !== undefined && scanner.i === text.length ? o : undefined;
}
