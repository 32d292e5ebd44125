import type { Side } from '../../../core/types.ts';
import { InputError } from '../../../core/errors.ts';
import { countAnomaly, countMessage, newDecoderStats, ReplayDataError } from './replay-message.ts';
import type { BookMessage, DecoderStats, LineDecoder, ReplayMessage } from './replay-message.ts';
import { plainDecimal, strictDecimal } from './plain-decimal.ts';
import { valueProblem } from './level-value.ts';

/**
 * Binance market-data recordings, one message per line: `<local receive time, integer ns> <raw JSON>` (the
 * format of hftbacktest's collector) or the JSON alone. The JSON is a combined-stream wrapper
 * `{"stream":..,"data":{..}}`, a raw stream event, or a REST depth snapshot `{"lastUpdateId":..,"bids":..,"asks":..}`.
 *
 * The book is synchronised the way Binance documents ("How to manage a local order book correctly"):
 *  - futures (USD-M, COIN-M): buffer diffs; at a snapshot drop diffs with `u < lastUpdateId`; the first applied
 *    diff has `U <= lastUpdateId <= u`; every later one has `pu == previous u`.
 *  - spot: drop diffs with `u <= lastUpdateId`; the first applied diff has `U <= lastUpdateId + 1 <= u`; later,
 *    a diff with `u <= local update id` is ignored and one with `U > local update id + 1` is a gap.
 * A gap takes the book out of sync: no book messages until a later snapshot resyncs it.
 */

export type BinanceMarket = 'usdm' | 'coinm' | 'spot';

export interface BinanceDecoderOptions {
  readonly market: BinanceMarket;
  /** The one symbol replayed (case-insensitive); events of other symbols are counted as other_symbol. */
  readonly symbol: string;
  /** Most diffs held while there is no book (before a snapshot, or after a gap); beyond it the oldest is dropped. */
  readonly maxBufferedDiffs?: number;
  /**
   * @internal Default true: lines are read by scanLine (no JSON.parse of the level arrays), JSON.parse only when it
   * declines. False: every line goes through JSON.parse (tests check both decode the same).
   */
  readonly fastPath?: boolean;
}

export const DEFAULT_MAX_BUFFERED_DIFFS = 50_000;

/** A depth diff waiting for a snapshot. */
interface Diff {
  readonly U: number;
  readonly u: number;
  readonly pu: number;
  readonly exchangeUs: number;
  readonly localUs: number | undefined;
  readonly line: number;
  readonly bids: number[];
  readonly asks: number[];
}

/** A snapshot read but not yet bridged by a diff (every diff read so far is older than it). */
interface PendingSnapshot {
  readonly lastUpdateId: number;
  /** E of the snapshot, else its local time, else the E of the last diff read before it; undefined: none of them. */
  readonly exchangeUs: number | undefined;
  readonly localUs: number | undefined;
  readonly line: number;
  readonly bids: number[];
  readonly asks: number[];
  /** No `E`: exchangeUs is the corrected receive time (docs/replay.md, "Time"). */
  readonly untimed: boolean;
  /** No symbol on the line: attributed by update id while other symbols' diffs are in the file. */
  readonly bare: boolean;
}

/** Recent diffs' update ids and times (a ring), to place untimed bookTickers by update id. */
const RECENT_DIFFS = 64;

type Json = Record<string, unknown>;

/** Price levels already converted by scanLine: parseLevels passes them through. */
class ScannedLevels {
  constructor(readonly flat: number[]) {}
}

/**
 * The recorder's local time in µs from `text[0, end)`: 19 digits are ns (the last 3 digits are dropped, so
 * values above 2^53 convert exactly), 16 digits are µs (hftbacktest's older collector). NaN when not digits,
 * another length, or past 2^53 µs.
 */
export function localTimeUs(text: string, end: number): number {
  if (end !== 19 && end !== 16) return NaN;
  let v = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    if (i < 16) v = v * 10 + c;
  }
  return v <= Number.MAX_SAFE_INTEGER ? v : NaN;
}

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

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A diff stream (`sym@depth`, `sym@depth@100ms`), not a partial-book stream (`sym@depth5`, `sym@depth20@100ms`). */
function isPartialDepthStream(stream: string): boolean {
  const at = stream.indexOf('@depth');
  if (at < 0) return false;
  const c = stream.charCodeAt(at + 6);
  return c >= 48 && c <= 57;
}

class BinanceDecoder implements LineDecoder {
  readonly stats: DecoderStats = newDecoderStats();
  private readonly futures: boolean;
  private readonly symbol: string;
  private readonly maxBuffered: number;
  private readonly fastPath: boolean;

  /** The book is in sync: diffs are checked against prevU and emitted. */
  private synced = false;
  /** The last applied diff's u (the local book's update id). */
  private prevU = 0;
  /** Diffs buffered while out of sync, oldest first, from index head. */
  private buffer: Diff[] = [];
  private head = 0;
  private pending: PendingSnapshot | null = null;
  /** The gap that took the book out of sync (cleared by a resync). */
  private gap: { line: number; detail: string } | null = null;
  /** The last line of our book that could not be read, until a diff continues the chain after it. */
  private suspect: { line: number; why: string } | null = null;
  private snapshotsAfterGap = 0;
  private snapshots = 0;
  private tooOld = 0;
  private firstDiffLine = 0;
  private diffs = 0;
  /** The E of the last diff read (a snapshot without times takes it). */
  private lastDiffUs: number | undefined = undefined;
  /** The recorder's clock offset so far: the smallest receive minus exchange time of a timed message. */
  private offsetUs = Infinity;
  private readonly recentU = new Float64Array(RECENT_DIFFS);
  private readonly recentE = new Float64Array(RECENT_DIFFS);
  private recent = 0;
  /** Update-id spans [lo, hi] of each symbol's diffs read so far (attributing snapshots without a symbol). */
  private ownLo = Infinity;
  private ownHi = -Infinity;
  private readonly otherSpans = new Map<string, { lo: number; hi: number }>();
  /** The exchange time of the last book message emitted (book times never go backwards). */
  private lastBookUs = -Infinity;

  constructor(options: BinanceDecoderOptions) {
    if (options.market !== 'usdm' && options.market !== 'coinm' && options.market !== 'spot') {
      throw new InputError(`binance decoder: market must be usdm, coinm or spot, was ${JSON.stringify(options.market)}`);
    }
    if (typeof options.symbol !== 'string' || options.symbol.length === 0) {
      throw new InputError('binance decoder: a symbol is required (e.g. BTCUSDT)');
    }
    const cap = options.maxBufferedDiffs ?? DEFAULT_MAX_BUFFERED_DIFFS;
    if (!Number.isInteger(cap) || cap < 1) throw new InputError(`binance decoder: maxBufferedDiffs must be a positive integer, was ${cap}`);
    this.futures = options.market !== 'spot';
    this.symbol = options.symbol.toUpperCase();
    this.maxBuffered = cap;
    this.fastPath = options.fastPath ?? true;
  }

  decode(text: string, line: number, out: ReplayMessage[]): void {
    const stats = this.stats;
    stats.lines++;
    if (text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim().length === 0)) {
      countAnomaly(stats, 'blank', line);
      return;
    }
    let localUs: number | undefined;
    let start: number;
    if (text.charCodeAt(0) === 123 /* { */) {
      localUs = undefined;
      start = 0;
    } else {
      const sp = text.indexOf(' ');
      const us = sp < 0 ? NaN : localTimeUs(text, sp);
      if (us !== us) {
        countAnomaly(stats, 'malformed', line);
        return;
      }
      localUs = us;
      start = sp + 1;
    }
    let msg: unknown = this.fastPath ? scanLine(text, start) : undefined;
    if (msg === undefined) {
      try {
        msg = JSON.parse(start === 0 ? text : text.slice(start));
      } catch (e) {
        // A book line of ours that is not JSON (an unquoted NaN or 0x1, a cut line) is counted; if the diff
        // chain breaks right after it, the gap is reported at this line, its cause (a cut last line stays counted).
        if (this.looksLikeOwnBookLine(text)) this.suspect = { line, why: `a ${this.symbol} depth line is not valid JSON (${(e as Error).message})` };
        countAnomaly(stats, 'malformed', line);
        return;
      }
    }
    if (!isObject(msg)) {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    let ev: Json;
    const stream = msg.stream;
    if (stream !== undefined) {
      const data = msg.data;
      if (typeof stream !== 'string' || !isObject(data)) {
        countAnomaly(stats, 'malformed', line);
        return;
      }
      if (isPartialDepthStream(stream)) {
        countAnomaly(stats, 'partial_depth', line);
        return;
      }
      if (data.lastUpdateId !== undefined && data.e === undefined && data.bids !== undefined) {
        // A REST snapshot the recorder wrapped under a stream name: `<symbol>@...` says whose it is.
        const at = stream.indexOf('@');
        this.snapshot(data, line, localUs, out, at < 0 ? stream : stream.slice(0, at));
        return;
      }
      ev = data;
    } else if (msg.lastUpdateId !== undefined) {
      const named = typeof msg.symbol === 'string' ? msg.symbol : typeof msg.s === 'string' ? msg.s : undefined;
      this.snapshot(msg, line, localUs, out, named);
      return;
    } else if (msg.e !== undefined || msg.u !== undefined) {
      ev = msg;
    } else if ('result' in msg && 'id' in msg) {
      countAnomaly(stats, 'control', line);
      return;
    } else if ('code' in msg && 'msg' in msg) {
      // An error response (e.g. the REST snapshot request was refused): nothing to replay, but worth seeing.
      countAnomaly(stats, 'api_error', line);
      return;
    } else {
      countAnomaly(stats, 'unknown_message', line);
      return;
    }
    const e = ev.e;
    if (e === 'depthUpdate') this.depth(ev, line, localUs, out);
    else if (e === 'trade' || e === 'aggTrade') this.trade(ev, e, line, localUs, out);
    else if (e === 'bookTicker' || (e === undefined && ev.B !== undefined && ev.A !== undefined)) this.ticker(ev, line, localUs, out);
    else if (e === undefined && ev.lastUpdateId !== undefined) countAnomaly(stats, 'partial_depth', line);
    else countAnomaly(stats, typeof e === 'string' ? 'unknown_message' : 'malformed', line);
  }

  /** False (and counted) when the event's symbol is missing or another one. */
  private ownSymbol(s: unknown, line: number): boolean {
    if (typeof s !== 'string') {
      countAnomaly(this.stats, 'malformed', line);
      return false;
    }
    if (s !== this.symbol && s.toUpperCase() !== this.symbol) {
      countAnomaly(this.stats, 'other_symbol', line);
      return false;
    }
    return true;
  }

  private trade(ev: Json, e: 'trade' | 'aggTrade', line: number, localUs: number | undefined, out: ReplayMessage[]): void {
    const stats = this.stats;
    if (!this.ownSymbol(ev.s, line)) return;
    const E = ev.E;
    const T = ev.T;
    const p = ev.p;
    const q = ev.q;
    const m = ev.m;
    const X = ev.X;
    const id = e === 'trade' ? ev.t : ev.a;
    if (
      typeof E !== 'number' ||
      (T !== undefined && typeof T !== 'number') ||
      typeof p !== 'string' ||
      typeof q !== 'string' ||
      typeof m !== 'boolean' ||
      (X !== undefined && typeof X !== 'string')
    ) {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    const price = strictDecimal(p);
    const qty = strictDecimal(q);
    if (!(price > 0) || !(qty > 0) || price === Infinity || qty === Infinity) {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    countMessage(stats, e);
    // Futures `trade` events carry X, the order type: MARKET for trades on the book; INSURANCE_FUND, ADL and NA are
    // the exchange settling positions off the book (prices off the tick grid). hftbacktest's converter keeps only
    // X == "MARKET"; so do we. Recordings without X (older ones, spot) are book trades.
    if (X !== undefined && X !== 'MARKET') {
      countAnomaly(stats, 'non_market_trade', line);
      return;
    }
    // m: the buyer is the maker, so the seller took liquidity.
    const aggressor: Side = m ? 'sell' : 'buy';
    // The trade's own time T (the match), not E (when the event was pushed): the time line orders by it.
    const exchangeUs = (T ?? E) * 1000;
    this.observeClock(localUs, exchangeUs);
    out.push({ kind: 'trade', aggressor, price, qty, exchangeUs, localUs, line, seq: typeof id === 'number' ? id : undefined });
  }

  private ticker(ev: Json, line: number, localUs: number | undefined, out: ReplayMessage[]): void {
    const stats = this.stats;
    if (!this.ownSymbol(ev.s, line)) return;
    const b = ev.b;
    const B = ev.B;
    const a = ev.a;
    const A = ev.A;
    const E = ev.E;
    const u = ev.u;
    if (
      typeof b !== 'string' ||
      typeof B !== 'string' ||
      typeof a !== 'string' ||
      typeof A !== 'string' ||
      (E !== undefined && typeof E !== 'number') ||
      (u !== undefined && typeof u !== 'number')
    ) {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    const bidPrice = strictDecimal(b);
    const bidQty = strictDecimal(B);
    const askPrice = strictDecimal(a);
    const askQty = strictDecimal(A);
    if (!(bidPrice >= 0) || !(bidQty >= 0) || !(askPrice >= 0) || !(askQty >= 0) || bidPrice + bidQty + askPrice + askQty === Infinity) {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    countMessage(stats, 'bookTicker');
    if (E !== undefined) {
      const exchangeUs = E * 1000;
      this.observeClock(localUs, exchangeUs);
      out.push({ kind: 'ticker', bidPrice, bidQty, askPrice, askQty, exchangeUs, localUs, line, seq: u });
      return;
    }
    // Spot bookTicker has no exchange time: placed by its update id among the diffs, and within that by
    // its receive time on the exchange's clock (docs/replay.md, "Time").
    const exchangeUs = this.placeUntimed(u, localUs);
    if (exchangeUs === undefined) {
      countAnomaly(stats, 'untimed_ticker', line);
      return;
    }
    out.push({ kind: 'ticker', bidPrice, bidQty, askPrice, askQty, exchangeUs, localUs, line, seq: u, untimed: true });
  }

  /** A timed message of ours: its receive minus exchange time bounds the recorder's clock offset. */
  private observeClock(localUs: number | undefined, exchangeUs: number): void {
    if (localUs !== undefined && localUs - exchangeUs < this.offsetUs) this.offsetUs = localUs - exchangeUs;
  }

  /** A receive time on the exchange's clock (the offset so far removed); undefined without either. */
  private corrected(localUs: number | undefined): number | undefined {
    return localUs === undefined || this.offsetUs === Infinity ? undefined : localUs - this.offsetUs;
  }

  /**
   * The exchange time of an untimed message with update id `u`: after the last diff it follows (u above
   * that diff's u), not after the first diff that contains it, and in between at its corrected receive time.
   * Undefined when nothing places it (no diff and no clock offset yet).
   */
  private placeUntimed(u: number | undefined, localUs: number | undefined): number | undefined {
    let lo = -Infinity;
    let hi = Infinity;
    if (u !== undefined) {
      const n = Math.min(this.recent, RECENT_DIFFS);
      for (let k = 1; k <= n; k++) {
        const j = (this.recent - k) % RECENT_DIFFS;
        if (this.recentU[j]! < u) {
          lo = this.recentE[j]!;
          break;
        }
        hi = this.recentE[j]!;
      }
    }
    const t = this.corrected(localUs) ?? (lo > -Infinity ? lo : hi < Infinity ? hi : undefined);
    if (t === undefined) return undefined;
    return Math.min(Math.max(t, lo), hi);
  }

  /** A line that is not JSON but names a depth update, or a snapshot, of our symbol (or of no symbol). */
  private looksLikeOwnBookLine(text: string): boolean {
    if (text.includes('"lastUpdateId"')) return !/"(s|symbol)":"/.test(text) || text.toUpperCase().includes(`"${this.symbol}"`);
    const upper = text.toUpperCase();
    return (text.includes('"depthUpdate"') && upper.includes(`"S":"${this.symbol}"`)) || upper.includes(`"${this.symbol}@DEPTH`);
  }

  private depth(ev: Json, line: number, localUs: number | undefined, out: ReplayMessage[]): void {
    const stats = this.stats;
    const s = ev.s;
    const E = ev.E;
    const U = ev.U;
    const u = ev.u;
    if (typeof s === 'string' && s !== this.symbol && typeof U === 'number' && typeof u === 'number') this.otherSpan(s, U, u);
    if (!this.ownSymbol(s, line)) return;
    const pu = this.futures ? ev.pu : 0;
    // A diff of ours that cannot be applied breaks the update-id chain: reported at its own line.
    if (typeof E !== 'number' || typeof U !== 'number' || typeof u !== 'number' || typeof pu !== 'number' || U > u) {
      const bad = typeof E !== 'number' ? ['E', E] : typeof U !== 'number' ? ['U', U] : typeof u !== 'number' ? ['u', u] : typeof pu !== 'number' ? ['pu', pu] : undefined;
      throw new ReplayDataError(line, bad ? `depth diff: ${bad[0]} is ${bad[1] === undefined ? 'missing' : `not a number: ${JSON.stringify(bad[1])}`}` : `depth diff: U ${U} > u ${u}`);
    }
    const bids = parseLevels(ev.b);
    const asks = bids && parseLevels(ev.a);
    if (!bids || !asks) throw new ReplayDataError(line, `depth diff: ${levelsProblem(bids ? ev.a : ev.b, bids ? 'a (asks)' : 'b (bids)')}`);
    countMessage(stats, 'depth');
    if (this.diffs++ === 0) this.firstDiffLine = line;
    const exchangeUs = E * 1000;
    this.lastDiffUs = exchangeUs;
    this.observeClock(localUs, exchangeUs);
    const j = this.recent++ % RECENT_DIFFS;
    this.recentU[j] = u;
    this.recentE[j] = exchangeUs;
    if (U < this.ownLo) this.ownLo = U;
    if (u > this.ownHi) this.ownHi = u;

    if (this.synced) {
      const prevU = this.prevU;
      if (u <= prevU) {
        // Entirely older than the book (a repeat): everything in it is already applied.
        countAnomaly(stats, 'stale_diff', line);
        return;
      }
      if (this.futures ? pu === prevU : U <= prevU + 1) {
        this.prevU = u;
        this.suspect = null;
        this.emitDiff(exchangeUs, localUs, line, bids, asks, u, out);
        return;
      }
      this.outOfSync(U, pu, line);
    }
    this.bufferDiff({ U, u, pu, exchangeUs, localUs, line, bids, asks });
    if (this.pending) this.trySync(out);
  }

  private outOfSync(U: number, pu: number, line: number): void {
    countAnomaly(this.stats, 'sequence_gap', line);
    this.synced = false;
    this.snapshotsAfterGap = 0;
    const gap = this.futures ? `sequence gap: pu ${pu} != previous u ${this.prevU}` : `sequence gap: U ${U} != previous u + 1 (${this.prevU + 1})`;
    const cause = this.suspect;
    this.suspect = null;
    // The line that could not be read is where the chain broke: the error names it, not the next diff.
    this.gap = cause ? { line: cause.line, detail: `${cause.why}; the diff chain breaks there (line ${line}: ${gap})` } : { line, detail: gap };
  }

  private bufferDiff(d: Diff): void {
    if (this.buffer.length - this.head >= this.maxBuffered) {
      countAnomaly(this.stats, 'buffer_overflow', this.buffer[this.head]!.line);
      this.head++;
      if (this.head >= 4096 && this.head * 2 >= this.buffer.length) {
        this.buffer = this.buffer.slice(this.head);
        this.head = 0;
      }
    }
    this.buffer.push(d);
  }

  private otherSpan(s: string, U: number, u: number): void {
    const key = s.toUpperCase();
    if (key === this.symbol) return;
    const span = this.otherSpans.get(key);
    if (!span) this.otherSpans.set(key, { lo: U, hi: u });
    else {
      if (U < span.lo) span.lo = U;
      if (u > span.hi) span.hi = u;
    }
  }

  /**
   * Whose is a snapshot without a symbol, with other symbols' diffs in the file? The one whose diffs'
   * update ids [first U, last u] so far lie nearest its lastUpdateId, by a factor of 2 over any other
   * (update ids count each symbol's own book, so a snapshot sits inside or just past its symbol's span).
   * `unknown`: none of ours read yet and it is in no other symbol's span; `ambiguous`: no clear nearest.
   */
  private attribute(L: number): { who: 'ours' | 'other' | 'unknown' | 'ambiguous'; detail: string } {
    const dist = (lo: number, hi: number): number => (L < lo ? lo - L : L > hi ? L - hi : 0);
    let other = Infinity;
    let otherName = '';
    const spans: string[] = [];
    for (const [name, sp] of this.otherSpans) {
      const d = dist(sp.lo, sp.hi);
      spans.push(`${name} ${sp.lo}..${sp.hi}`);
      if (d < other) {
        other = d;
        otherName = name;
      }
    }
    if (this.ownHi > -Infinity) spans.unshift(`${this.symbol} ${this.ownLo}..${this.ownHi}`);
    const detail = `lastUpdateId ${L} against the update ids of the diffs read so far: ${spans.join(', ')}`;
    if (this.ownHi === -Infinity) return { who: other === 0 ? 'other' : 'unknown', detail: `${detail} (nearest ${otherName})` };
    const own = dist(this.ownLo, this.ownHi);
    if (own * 2 < other) return { who: 'ours', detail };
    if (other * 2 < own) return { who: 'other', detail };
    return { who: 'ambiguous', detail };
  }

  private ambiguousSnapshot(line: number, detail: string): ReplayDataError {
    return new ReplayDataError(
      line,
      `cannot tell which symbol this REST snapshot belongs to (it names none, and the file has several symbols' diffs): ${detail}; ` +
        'record snapshots with their symbol (a {"stream":"<symbol>@depth",...} wrapper or a "symbol" field), or one symbol per file',
    );
  }

  private snapshot(msg: Json, line: number, localUs: number | undefined, out: ReplayMessage[], named?: string): void {
    const stats = this.stats;
    if (named !== undefined && named.toUpperCase() !== this.symbol) {
      countAnomaly(stats, 'other_symbol', line);
      return;
    }
    const lastUpdateId = msg.lastUpdateId;
    const E = msg.E;
    // The book starts from a snapshot: one that cannot be read is reported at its own line.
    if (typeof lastUpdateId !== 'number') throw new ReplayDataError(line, `depth snapshot: lastUpdateId is not a number: ${JSON.stringify(lastUpdateId)}`);
    if (E !== undefined && typeof E !== 'number') throw new ReplayDataError(line, `depth snapshot: E is not a number: ${JSON.stringify(E)}`);
    const bare = named === undefined;
    if (bare && this.otherSpans.size > 0) {
      const a = this.attribute(lastUpdateId);
      if (a.who === 'other') {
        countAnomaly(stats, 'other_symbol', line);
        return;
      }
      if (a.who === 'ambiguous') throw this.ambiguousSnapshot(line, a.detail);
    }
    const bids = parseLevels(msg.bids);
    const asks = bids && parseLevels(msg.asks);
    if (!bids || !asks) throw new ReplayDataError(line, `depth snapshot: ${levelsProblem(bids ? msg.asks : msg.bids, bids ? 'asks' : 'bids')}`);
    countMessage(stats, 'snapshot');
    this.snapshots++;
    if (this.synced) {
      // The book is already in sync from an earlier snapshot and an unbroken chain of diffs.
      countAnomaly(stats, 'snapshot_unused', line);
      return;
    }
    if (this.pending) countAnomaly(stats, 'snapshot_unused', this.pending.line);
    if (this.gap) this.snapshotsAfterGap++;
    // Spot snapshots have no E: the receive time on the exchange's clock (placed against the diffs at sync).
    const untimed = E === undefined;
    const exchangeUs = !untimed ? E * 1000 : (this.corrected(localUs) ?? this.lastDiffUs);
    this.pending = { lastUpdateId, exchangeUs, localUs, line, bids, asks, untimed, bare };
    this.trySync(out);
  }

  /** With a pending snapshot: drops the diffs it covers and, if the next diff bridges it, syncs the book. */
  private trySync(out: ReplayMessage[]): void {
    const snap = this.pending!;
    const stats = this.stats;
    const L = snap.lastUpdateId;
    if (snap.bare && this.otherSpans.size > 0) {
      // Read before any diff told whose it could be: decided now, with the diffs read since.
      const a = this.attribute(L);
      if (a.who === 'other') {
        countAnomaly(stats, 'other_symbol', snap.line);
        this.pending = null;
        return;
      }
      if (a.who === 'ambiguous') throw this.ambiguousSnapshot(snap.line, a.detail);
    }
    const buf = this.buffer;
    let i = this.head;
    // Futures drop u < lastUpdateId; spot drops u <= lastUpdateId (its first diff must contain lastUpdateId + 1).
    const firstId = this.futures ? L : L + 1;
    let staleUs = -Infinity;
    while (i < buf.length && buf[i]!.u < firstId) {
      countAnomaly(stats, 'stale_diff', buf[i]!.line);
      staleUs = buf[i]!.exchangeUs;
      i++;
    }
    if (i === buf.length) {
      // Every diff so far is older than the snapshot: wait for one that bridges it.
      this.buffer = [];
      this.head = 0;
      return;
    }
    const first = buf[i]!;
    if (first.U > firstId) {
      // The diffs start after the snapshot: updates in between are missing. Wait for a newer snapshot.
      countAnomaly(stats, 'snapshot_too_old', snap.line);
      this.tooOld++;
      this.pending = null;
      this.buffer = buf.slice(i);
      this.head = 0;
      return;
    }
    this.pending = null;
    this.synced = true;
    if (this.gap) {
      countAnomaly(stats, 'resync', snap.line);
      this.gap = null;
    }
    // An untimed snapshot (its book is as of update L) lies after the diffs it covers and no later than the
    // first diff that continues it.
    const snapUs = snap.untimed ? Math.min(Math.max(snap.exchangeUs ?? first.exchangeUs, staleUs), first.exchangeUs) : (snap.exchangeUs ?? first.exchangeUs);
    this.emitBook(true, snapUs, snap.localUs, snap.line, snap.bids, snap.asks, L, out, snap.untimed);
    this.prevU = first.u;
    this.emitBuffered(first, snap, snapUs, out);
    for (i++; i < buf.length; i++) {
      const d = buf[i]!;
      if (d.u <= this.prevU) {
        countAnomaly(stats, 'stale_diff', d.line);
        continue;
      }
      if (this.futures ? d.pu !== this.prevU : d.U > this.prevU + 1) {
        this.outOfSync(d.U, d.pu, d.line);
        this.buffer = buf.slice(i);
        this.head = 0;
        return;
      }
      this.prevU = d.u;
      this.emitBuffered(d, snap, snapUs, out);
    }
    this.buffer = [];
    this.head = 0;
  }

  /** A diff applied at sync: read before the snapshot, it takes the snapshot's times (the book starts there). */
  private emitBuffered(d: Diff, snap: PendingSnapshot, snapUs: number, out: ReplayMessage[]): void {
    if (d.line < snap.line) this.emitBook(false, snapUs, snap.localUs, d.line, d.bids, d.asks, d.u, out, snap.untimed);
    else this.emitDiff(d.exchangeUs, d.localUs, d.line, d.bids, d.asks, d.u, out);
  }

  private emitDiff(exchangeUs: number, localUs: number | undefined, line: number, bids: number[], asks: number[], seq: number, out: ReplayMessage[]): void {
    if (exchangeUs < this.lastBookUs) {
      // E older than the book it applies to (a snapshot stamped later than the stream): held at the book's time.
      countAnomaly(this.stats, 'book_time_clamped', line);
      exchangeUs = this.lastBookUs;
    }
    this.emitBook(false, exchangeUs, localUs, line, bids, asks, seq, out, false);
  }

  private emitBook(
    snapshot: boolean,
    exchangeUs: number,
    localUs: number | undefined,
    line: number,
    bids: number[],
    asks: number[],
    seq: number,
    out: ReplayMessage[],
    untimed: boolean,
  ): void {
    if (exchangeUs > this.lastBookUs) this.lastBookUs = exchangeUs;
    const m: BookMessage = untimed
      ? { kind: 'book', snapshot, bids, asks, exchangeUs, localUs, line, seq, untimed }
      : { kind: 'book', snapshot, bids, asks, exchangeUs, localUs, line, seq };
    out.push(m);
  }

  end(_lastLine: number, _out: ReplayMessage[]): void {
    if (this.synced) return;
    if (this.gap) {
      const after =
        this.snapshotsAfterGap === 0
          ? 'the file has no later snapshot to resync from'
          : `no later snapshot resynced the book (${this.snapshotsAfterGap} after it, none bridged by the diffs)`;
      throw new ReplayDataError(this.gap.line, `${this.gap.detail}; ${after}`);
    }
    if (this.suspect) throw new ReplayDataError(this.suspect.line, `${this.suspect.why}; the book never synced`);
    const line = this.firstDiffLine || 1;
    let why: string;
    if (this.diffs === 0) why = `the file has no ${this.symbol} depth diffs`;
    else if (this.snapshots === 0) why = `the file has no REST depth snapshot (a {"lastUpdateId":..} line) to start the book from its ${this.diffs} depth diffs`;
    else if (this.pending) why = `the snapshot on line ${this.pending.line} (lastUpdateId ${this.pending.lastUpdateId}) is newer than every depth diff after it`;
    else why = `${this.tooOld} snapshot(s) older than the earliest buffered depth diff, the book never synced`;
    throw new ReplayDataError(line, `no usable depth snapshot: ${why}`);
  }
}

/** A LineDecoder for one symbol of a Binance recording (USD-M or COIN-M futures, or spot). */
export function createBinanceDecoder(options: BinanceDecoderOptions): LineDecoder {
  return new BinanceDecoder(options);
}
