import { POW10, plainDecimal, strictDecimal } from './plain-decimal.ts';

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

/**
 * The fields of a stream event the Binance decoder reads (depth diff, trade, aggTrade, bookTicker, futures and
 * spot), one slot per key: scanEvent fills one reused record instead of building an object per line. A field
 * the line does not have stays undefined, as reading it from JSON.parse's object gives.
 */
export class StreamEvent {
  stream: unknown = undefined;
  e: unknown = undefined;
  E: unknown = undefined;
  T: unknown = undefined;
  s: unknown = undefined;
  U: unknown = undefined;
  u: unknown = undefined;
  pu: unknown = undefined;
  b: unknown = undefined;
  a: unknown = undefined;
  B: unknown = undefined;
  A: unknown = undefined;
  p: unknown = undefined;
  q: unknown = undefined;
  m: unknown = undefined;
  M: unknown = undefined;
  X: unknown = undefined;
  t: unknown = undefined;
  f: unknown = undefined;
  l: unknown = undefined;

  clear(): void {
    this.stream = this.e = this.E = this.T = this.s = this.U = this.u = this.pu = undefined;
    this.b = this.a = this.B = this.A = this.p = this.q = this.m = this.M = this.X = this.t = this.f = this.l = undefined;
  }
}

class LineScanner {
  s = '';
  i = 0;

  reset(s: string, start: number): this {
    this.s = s;
    this.i = start;
    return this;
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
      const v = this.s.charCodeAt(this.i) === 123 ? (top ? this.object(false) : undefined) : this.scalar(key);
      if (v === undefined) return undefined;
      // A repeated key overwrites, as in JSON.parse.
      o[key] = v;
      const sep = s.charCodeAt(this.i++);
      if (sep === 125) return o;
      if (sep !== 44 /* , */) return undefined;
    }
  }

  /**
   * `{"stream":"...","data":{...}}` (keys in either order, each once) into `ev`, when data holds only
   * StreamEvent's keys and scalar values or level arrays: true. False when the line is anything else
   * (ev is then left in any state): scanLine reads it.
   */
  event(ev: StreamEvent): boolean {
    const s = this.s;
    ev.clear();
    if (s.charCodeAt(this.i++) !== 123) return false;
    let haveStream = false;
    let haveData = false;
    for (;;) {
      const key = this.key();
      if (key === undefined || s.charCodeAt(this.i++) !== 58) return false;
      if (key === 'stream' && !haveStream) {
        const v = s.charCodeAt(this.i) === 34 ? this.string() : undefined;
        if (v === undefined) return false;
        ev.stream = v;
        haveStream = true;
      } else if (key === 'data' && !haveData) {
        if (!this.eventData(ev)) return false;
        haveData = true;
      } else return false;
      const sep = s.charCodeAt(this.i++);
      if (sep === 125) return haveStream && haveData && this.i === s.length;
      if (sep !== 44) return false;
    }
  }

  /** The data object of a stream event into ev's fields; false when off or a key is not one of them. */
  private eventData(ev: StreamEvent): boolean {
    const s = this.s;
    if (s.charCodeAt(this.i++) !== 123) return false;
    if (s.charCodeAt(this.i) === 125) {
      this.i++;
      return true;
    }
    for (;;) {
      const key = this.key();
      if (key === undefined || s.charCodeAt(this.i++) !== 58) return false;
      const v = this.scalar(key);
      if (v === undefined) return false;
      // A repeated key overwrites, as in JSON.parse.
      if (key.length === 1) {
        switch (key.charCodeAt(0)) {
          case 101 /* e */: ev.e = v; break;
          case 69 /* E */: ev.E = v; break;
          case 84 /* T */: ev.T = v; break;
          case 115 /* s */: ev.s = v; break;
          case 85 /* U */: ev.U = v; break;
          case 117 /* u */: ev.u = v; break;
          case 98 /* b */: ev.b = v; break;
          case 97 /* a */: ev.a = v; break;
          case 66 /* B */: ev.B = v; break;
          case 65 /* A */: ev.A = v; break;
          case 112 /* p */: ev.p = v; break;
          case 113 /* q */: ev.q = v; break;
          case 109 /* m */: ev.m = v; break;
          case 77 /* M */: ev.M = v; break;
          case 88 /* X */: ev.X = v; break;
          case 116 /* t */: ev.t = v; break;
          case 102 /* f */: ev.f = v; break;
          case 108 /* l */: ev.l = v; break;
          default: return false;
        }
      } else if (key === 'pu') ev.pu = v;
      else return false;
      const sep = s.charCodeAt(this.i++);
      if (sep === 125) return true;
      if (sep !== 44) return false;
    }
  }

  /** A value other than an object at i (level arrays only under b, a, bids and asks); undefined when off. */
  private scalar(key: string): unknown {
    const c = this.s.charCodeAt(this.i);
    if (c === 34 /* " */) return key === 'e' || key === 's' || key === 'X' || key === 'stream' ? this.repeatedString(key) : this.string();
    if (c >= 48 && c <= 57) return this.integer();
    if (c === 91 /* [ */) return key === 'b' || key === 'a' || key === 'bids' || key === 'asks' ? this.levels() : undefined;
    if (c === 116 /* t */) return this.literal('true', true);
    if (c === 102 /* f */) return this.literal('false', false);
    return undefined;
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
   * A string that is the same on most lines (an event type, a symbol, a stream name): the one read last under
   * this key when it is the same text, which saves a copy per line and lets later comparisons match by identity.
   */
  private repeatedString(key: string): string | undefined {
    const end = this.stringEnd();
    if (end < 0) return undefined;
    const start = this.i + 1;
    this.i = end + 1;
    const last = this.last.get(key);
    if (last !== undefined && last.length === end - start && this.s.startsWith(last, start)) return last;
    const v = this.s.slice(start, end);
    this.last.set(key, v);
    return v;
  }

  private readonly last = new Map<string, string>();

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

  /**
   * The decimal string at i as a number, bit for bit what parseFloat gives; undefined when it has escapes.
   * A plain decimal (digits, at most one '.', at most 15 digits) is read in the one pass that finds its end,
   * as plainDecimal reads it; anything else is read again by plainDecimal and strictDecimal.
   */
  private decimal(): number | undefined {
    const s = this.s;
    const i0 = this.i;
    if (s.charCodeAt(i0) === 34) {
      let m = 0;
      let digits = 0;
      let dot = -1;
      for (let k = i0 + 1; k < s.length; k++) {
        const c = s.charCodeAt(k);
        if (c >= 48 && c <= 57) {
          m = m * 10 + (c - 48);
          digits++;
        } else if (c === 46 && dot < 0) dot = k;
        else {
          if (c === 34 && digits > 0 && digits <= 15) {
            this.i = k + 1;
            return dot < 0 ? m : m / POW10[k - dot - 1]!;
          }
          break;
        }
      }
    }
    return this.decimalSlow();
  }

  private decimalSlow(): number | undefined {
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
  const scanner = SCANNER.reset(text, start);
  const o = scanner.object(true);
  scanner.s = '';
  return o !== undefined && scanner.i === text.length ? o : undefined;
}

/**
 * A combined-stream event (`{"stream":..,"data":{..}}`, data with StreamEvent's keys only) filling `text` from
 * `start` to its end, read into `ev` as JSON.parse would read it (level arrays as ScannedLevels): true; false
 * when the line is anything else (ev's fields are then meaningless).
 */
export function scanEvent(text: string, start: number, ev: StreamEvent): boolean {
  const scanner = SCANNER.reset(text, start);
  const ok = scanner.event(ev);
  scanner.s = '';
  return ok;
}

const SCANNER = new LineScanner();
