import type { Side } from '../../../core/types.ts';
import { InputError } from '../../../core/errors.ts';
import { countAnomaly, countMessage, newDecoderStats } from './replay-message.ts';
import type { DecoderStats, LineDecoder, ReplayMessage } from './replay-message.ts';
import { strictDecimal } from './plain-decimal.ts';
import { scanEvent, scanLine, StreamEvent } from './binance-line-scanner.ts';
import type { Json } from './binance-line-scanner.ts';
import { BinanceBookSync } from './binance-book-sync.ts';
import { BinanceClock } from './binance-clock.ts';
import { ownSymbol } from './binance-symbols.ts';

export { scanLine } from './binance-line-scanner.ts';
export { levelsProblem, parseLevels } from './binance-levels.ts';

/**
 * Binance market-data recordings, one message per line: `<local receive time, integer ns> <raw JSON>` (the
 * format of hftbacktest's collector) or the JSON alone. The JSON is a combined-stream wrapper
 * `{"stream":..,"data":{..}}`, a raw stream event, or a REST depth snapshot `{"lastUpdateId":..,"bids":..,"asks":..}`.
 *
 * The book is synchronised the way Binance documents (binance-book-sync.ts); lines are read by the fast path
 * (binance-line-scanner.ts) or JSON.parse.
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
  private readonly symbol: string;
  private readonly fastPath: boolean;
  private readonly clock = new BinanceClock();
  private readonly book: BinanceBookSync;
  /** The record scanEvent reads a stream event into (reused: nothing keeps it past the line). */
  private readonly event = new StreamEvent();

  constructor(options: BinanceDecoderOptions) {
    if (options.market !== 'usdm' && options.market !== 'coinm' && options.market !== 'spot') {
      throw new InputError(`binance decoder: market must be usdm, coinm or spot, was ${JSON.stringify(options.market)}`);
    }
    if (typeof options.symbol !== 'string' || options.symbol.length === 0) {
      throw new InputError('binance decoder: a symbol is required (e.g. BTCUSDT)');
    }
    const cap = options.maxBufferedDiffs ?? DEFAULT_MAX_BUFFERED_DIFFS;
    if (!Number.isInteger(cap) || cap < 1) throw new InputError(`binance decoder: maxBufferedDiffs must be a positive integer, was ${cap}`);
    this.symbol = options.symbol.toUpperCase();
    this.fastPath = options.fastPath ?? true;
    this.book = new BinanceBookSync(this.stats, options.market !== 'spot', this.symbol, cap, this.clock);
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
    if (this.fastPath) {
      // The common line, a combined-stream event, read without building its objects; then decoded exactly as
      // the wrapper branch below decodes what JSON.parse gives (it never holds a snapshot: no lastUpdateId key).
      const ev = this.event;
      if (scanEvent(text, start, ev)) {
        if (isPartialDepthStream(ev.stream as string)) countAnomaly(stats, 'partial_depth', line);
        else this.dispatch(ev as unknown as Json, line, localUs, out);
        return;
      }
    }
    let msg: unknown = this.fastPath ? scanLine(text, start) : undefined;
    if (msg === undefined) {
      try {
        msg = JSON.parse(start === 0 ? text : text.slice(start));
      } catch (e) {
        // A book line of ours that is not JSON (an unquoted NaN or 0x1, a cut line) is counted; if the diff
        // chain breaks right after it, the gap is reported at this line, its cause (a cut last line stays counted).
        if (this.looksLikeOwnBookLine(text)) this.book.suspect = { line, why: `a ${this.symbol} depth line is not valid JSON (${(e as Error).message})` };
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
        this.book.snapshot(data, line, localUs, out, at < 0 ? stream : stream.slice(0, at));
        return;
      }
      ev = data;
    } else if (msg.lastUpdateId !== undefined) {
      const named = typeof msg.symbol === 'string' ? msg.symbol : typeof msg.s === 'string' ? msg.s : undefined;
      this.book.snapshot(msg, line, localUs, out, named);
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
    this.dispatch(ev, line, localUs, out);
  }

  /** A stream event, by its type. */
  private dispatch(ev: Json, line: number, localUs: number | undefined, out: ReplayMessage[]): void {
    const stats = this.stats;
    const e = ev.e;
    if (e === 'depthUpdate') this.book.depth(ev, line, localUs, out);
    else if (e === 'trade' || e === 'aggTrade') this.trade(ev, e, line, localUs, out);
    else if (e === 'bookTicker' || (e === undefined && ev.B !== undefined && ev.A !== undefined)) this.ticker(ev, line, localUs, out);
    else if (e === undefined && ev.lastUpdateId !== undefined) countAnomaly(stats, 'partial_depth', line);
    else countAnomaly(stats, typeof e === 'string' ? 'unknown_message' : 'malformed', line);
  }

  private trade(ev: Json, e: 'trade' | 'aggTrade', line: number, localUs: number | undefined, out: ReplayMessage[]): void {
    const stats = this.stats;
    if (!ownSymbol(stats, this.symbol, ev.s, line)) return;
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
    this.clock.observeClock(localUs, exchangeUs);
    out.push({ kind: 'trade', aggressor, price, qty, exchangeUs, localUs, line, seq: typeof id === 'number' ? id : undefined });
  }

  private ticker(ev: Json, line: number, localUs: number | undefined, out: ReplayMessage[]): void {
    const stats = this.stats;
    if (!ownSymbol(stats, this.symbol, ev.s, line)) return;
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
      this.clock.observeClock(localUs, exchangeUs);
      out.push({ kind: 'ticker', bidPrice, bidQty, askPrice, askQty, exchangeUs, localUs, line, seq: u });
      return;
    }
    // Spot bookTicker has no exchange time: placed by its update id among the diffs, and within that by
    // its receive time on the exchange's clock (docs/replay.md, "Time").
    const exchangeUs = this.clock.placeUntimed(u, localUs);
    if (exchangeUs === undefined) {
      countAnomaly(stats, 'untimed_ticker', line);
      return;
    }
    out.push({ kind: 'ticker', bidPrice, bidQty, askPrice, askQty, exchangeUs, localUs, line, seq: u, untimed: true });
  }

  /** A line that is not JSON but names a depth update, or a snapshot, of our symbol (or of no symbol). */
  private looksLikeOwnBookLine(text: string): boolean {
    if (text.includes('"lastUpdateId"')) return !/"(s|symbol)":"/.test(text) || text.toUpperCase().includes(`"${this.symbol}"`);
    const upper = text.toUpperCase();
    return (text.includes('"depthUpdate"') && upper.includes(`"S":"${this.symbol}"`)) || upper.includes(`"${this.symbol}@DEPTH`);
  }

  end(_lastLine: number, _out: ReplayMessage[]): void {
    this.book.end();
  }

  needsSnapshot(): boolean {
    return this.book.needsSnapshot;
  }
}

/** A LineDecoder for one symbol of a Binance recording (USD-M or COIN-M futures, or spot). */
export function createBinanceDecoder(options: BinanceDecoderOptions): LineDecoder {
  return new BinanceDecoder(options);
}
