import type { Side } from '../../../core/types.ts';
import { ReplayDataError, countAnomaly, countMessage, newDecoderStats } from './replay-message.ts';
import type { LineDecoder, ReplayMessage } from './replay-message.ts';
import { createV2LevelBook } from './bybit-v2-book.ts';

export interface BybitV2Options {
  /** The instrument to keep (`BTCUSD`); a recording may hold several, the others are counted `other_symbol`. */
  readonly symbol: string;
}

/**
 * Bybit's legacy v2 websocket (inverse perpetuals) as cryptofeed records it, one line each:
 * - `wss://<host>/realtime <-> <ts>` (connection) and `wss://<host>/realtime <- <ts>: {json}` (what was
 *   sent): `control`;
 * - `<local receive time, epoch seconds with decimals>: <raw JSON>`, where the JSON is a subscription
 *   answer (`{"success":true,...}`: `control`) or a topic message:
 *   - `trade.<SYM>`: `data` is an array of `{trade_time_ms, side: "Buy"|"Sell" (the taker), size, price,
 *     trade_id, cross_seq}`: one trade message each, at `trade_time_ms` × 1000;
 *   - `orderBookL2_25.<SYM>`: `type: "snapshot"` (`data` an array of levels `{price, symbol, id, side, size}`,
 *     or `{order_book: [...]}` in some v2 versions) then `type: "delta"` (`data: {delete, update, insert}`),
 *     with `cross_seq` and `timestamp_e6` (the exchange's time, µs).
 *
 * Book levels are keyed by `id`: the decoder keeps id → side and price for the chosen symbol so that a
 * delete or update resolves whatever fields it carries, and emits price/quantity changes (0 deletes).
 * A delete or update of an id the book does not hold is counted `unknown_level` (an update that carries
 * its price and side is applied as an insert, so the book converges). `cross_seq` must increase from one
 * book message to the next: a repeat or decrease is counted `out_of_order` (the message is still applied
 * in file order: the recording gives no better order). Deltas before the first snapshot are counted
 * `before_snapshot`; a file with deltas and never a snapshot throws at the end.
 */
export function createBybitV2Decoder(opts: BybitV2Options): LineDecoder {
  const symbol = opts.symbol;
  const stats = newDecoderStats();
  const book = createV2LevelBook(symbol, stats);
  let haveSnapshot = false;
  let lastCrossSeq = -Infinity;
  let firstEarlyDelta = 0;

  function decode(text: string, line: number, out: ReplayMessage[]): void {
    stats.lines++;
    const c0 = text.charCodeAt(0);
    if (text.length === 0 || ((c0 < 48 || c0 > 57) && text.trim().length === 0)) {
      countAnomaly(stats, 'blank', line);
      return;
    }
    if (c0 < 48 || c0 > 57) {
      countAnomaly(stats, text.startsWith('wss://') || text.startsWith('ws://') ? 'control' : 'malformed', line);
      return;
    }
    const sep = text.indexOf(': ');
    const localUs = sep < 0 ? NaN : parseEpochSecondsToUs(text, sep);
    if (Number.isNaN(localUs)) {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(text.slice(sep + 2));
    } catch {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    const m = msg as { topic?: unknown; type?: unknown; data?: unknown; cross_seq?: unknown; timestamp_e6?: unknown; success?: unknown; op?: unknown };
    const topic = m.topic;
    if (typeof topic !== 'string') {
      if (m.success === true || (m.success === undefined && m.op !== undefined)) countAnomaly(stats, 'control', line);
      else if (m.success === false) countAnomaly(stats, 'control_error', line);
      else countAnomaly(stats, 'unknown_message', line);
      return;
    }
    const dot = topic.indexOf('.');
    const channel = dot < 0 ? topic : topic.slice(0, dot);
    const topicSymbol = topic.slice(topic.lastIndexOf('.') + 1);
    if (channel !== 'trade' && channel !== 'orderBookL2_25') {
      countAnomaly(stats, 'unknown_message', line);
      return;
    }
    if (topicSymbol !== symbol) {
      countAnomaly(stats, 'other_symbol', line);
      return;
    }
    if (channel === 'trade') decodeTrades(m.data, line, localUs, out);
    else decodeBook(m, line, localUs, out);
  }

  function decodeTrades(data: unknown, line: number, localUs: number, out: ReplayMessage[]): void {
    if (!Array.isArray(data)) {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    for (let i = 0; i < data.length; i++) {
      const t = data[i] as { trade_time_ms?: unknown; side?: unknown; size?: unknown; price?: unknown; symbol?: unknown } | null;
      if (typeof t !== 'object' || t === null) {
        countAnomaly(stats, 'malformed', line);
        continue;
      }
      if (t.symbol !== undefined && t.symbol !== symbol) {
        countAnomaly(stats, 'other_symbol', line);
        continue;
      }
      countMessage(stats, 'trade');
      const timeMs = toNumber(t.trade_time_ms);
      const price = toNumber(t.price);
      const qty = toNumber(t.size);
      const aggressor: Side | undefined = t.side === 'Buy' ? 'buy' : t.side === 'Sell' ? 'sell' : undefined;
      if (aggressor === undefined || !Number.isSafeInteger(timeMs) || !(price > 0) || !(qty > 0) || !Number.isFinite(price) || !Number.isFinite(qty)) {
        countAnomaly(stats, 'malformed', line);
        continue;
      }
      out.push({ kind: 'trade', aggressor, price, qty, exchangeUs: timeMs * 1000, localUs, line });
    }
  }

  function decodeBook(
    m: { type?: unknown; data?: unknown; cross_seq?: unknown; timestamp_e6?: unknown },
    line: number,
    localUs: number,
    out: ReplayMessage[],
  ): void {
    const type = m.type;
    if (type !== 'snapshot' && type !== 'delta') {
      countAnomaly(stats, 'unknown_message', line);
      return;
    }
    const data = m.data;
    if (typeof data !== 'object' || data === null) {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    countMessage(stats, type);
    let exchangeUs = toNumber(m.timestamp_e6);
    if (!Number.isSafeInteger(exchangeUs)) {
      countAnomaly(stats, 'missing_exchange_time', line);
      exchangeUs = localUs;
    }

    if (type === 'snapshot') {
      const list = Array.isArray(data) ? data : (data as { order_book?: unknown }).order_book;
      if (!Array.isArray(list)) {
        countAnomaly(stats, 'malformed', line);
        return;
      }
      checkCrossSeq(m.cross_seq, line);
      haveSnapshot = true;
      const bids: number[] = [];
      const asks: number[] = [];
      book.snapshot(list, line, bids, asks);
      out.push({ kind: 'book', snapshot: true, bids, asks, exchangeUs, localUs, line });
      return;
    }

    if (!haveSnapshot) {
      countAnomaly(stats, 'before_snapshot', line);
      if (firstEarlyDelta === 0) firstEarlyDelta = line;
      return;
    }
    const d = data as { delete?: unknown; update?: unknown; insert?: unknown };
    const dels = d.delete ?? [];
    const upds = d.update ?? [];
    const inss = d.insert ?? [];
    if (!Array.isArray(dels) || !Array.isArray(upds) || !Array.isArray(inss)) {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    checkCrossSeq(m.cross_seq, line);
    const bids: number[] = [];
    const asks: number[] = [];
    book.delta(dels, upds, inss, line, bids, asks);
    out.push({ kind: 'book', snapshot: false, bids, asks, exchangeUs, localUs, line });
  }

  function checkCrossSeq(raw: unknown, line: number): void {
    const cs = toNumber(raw);
    if (!Number.isFinite(cs)) {
      countAnomaly(stats, 'missing_cross_seq', line);
      return;
    }
    if (cs <= lastCrossSeq) countAnomaly(stats, 'out_of_order', line);
    lastCrossSeq = cs;
  }

  function end(lastLine: number, _out: ReplayMessage[]): void {
    if (!haveSnapshot && firstEarlyDelta !== 0) {
      throw new ReplayDataError(firstEarlyDelta, `order book deltas for ${symbol} but no snapshot in the whole file (to line ${lastLine}): the book cannot be built`);
    }
  }

  return { decode, end, stats };
}

/**
 * `<seconds>[.<fraction>]` in text[0, end) as integer µs since the epoch, exactly: the integer and the
 * fraction are read as separate integers (no float multiply), the fraction cut to 6 digits (truncated:
 * cryptofeed writes Python's float repr, whose 7th digit is below the µs). NaN when malformed.
 */
export function parseEpochSecondsToUs(text: string, end: number): number {
  let i = 0;
  let sec = 0;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    sec = sec * 10 + (c - 48);
    i++;
  }
  if (i === 0 || i > 12) return NaN;
  let frac = 0;
  let digits = 0;
  if (i < end && text.charCodeAt(i) === 46) {
    i++;
    const start = i;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      if (digits < 6) {
        frac = frac * 10 + (c - 48);
        digits++;
      }
      i++;
    }
    if (i === start) return NaN;
  }
  if (i !== end) return NaN;
  for (; digits < 6; digits++) frac *= 10;
  return sec * 1_000_000 + frac;
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.length > 0) return Number(v);
  return NaN;
}
