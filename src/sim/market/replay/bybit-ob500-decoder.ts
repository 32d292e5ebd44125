import { ReplayDataError, countAnomaly, countMessage, newDecoderStats } from './replay-message.ts';
import type { LineDecoder, ReplayMessage } from './replay-message.ts';
import { levelValue, valueProblem } from './level-value.ts';

export interface BybitOb500Options {
  /** The instrument to keep, as Bybit spells it (`XRPUSDT`); lines for other symbols are counted, not used. */
  readonly symbol: string;
}

/**
 * Bybit's published historical order-book archive (`orderbook.500.<SYMBOL>`, one NDJSON message a line, the
 * v5 public websocket's orderbook format):
 * `{"topic","type":"snapshot"|"delta","ts":ms,"data":{"s","b":[[px,qty]],"a":[[px,qty]],"u","seq"},"cts"}`.
 *
 * Rules (Bybit v5 docs, websocket/public/orderbook, "Process snapshot/delta" and the `u` field):
 * - a snapshot replaces the local book; a delta sets each level, quantity "0" deletes it;
 * - `u` (update id) is "always in sequence": each delta's `u` is the previous message's `u` + 1;
 * - "u"=1 is "a snapshot data due to the restart of the service. So please overwrite the locally saved
 *   orderbook": a message with u=1 is applied as a snapshot whatever its `type` says.
 *
 * A delta whose `u` skips ahead is a `sequence_gap`: no book message goes out until the next snapshot
 * (counted `resync` when it comes); a file that ends still out of sync throws, naming the gap's line.
 * A delta with `u` at or below the last applied one is a replay of changes already in the book
 * (`stale_delta`): skipped, the book stays in sync. The archive has no receive time: `localUs` is undefined,
 * `exchangeUs` is `ts` × 1000 (`cts`, the matching engine's time, is not used).
 */
export function createBybitOb500Decoder(opts: BybitOb500Options): LineDecoder {
  const symbol = opts.symbol;
  const stats = newDecoderStats();
  /** The last `u` applied (the snapshot's, then each delta's); undefined before the first snapshot. */
  let lastU: number | undefined;
  /** Out of sync since this line (a sequence gap), until the next snapshot; 0 when in sync. */
  let gapLine = 0;
  let gapDetail = '';
  /** The first delta met before any snapshot (0: none). */
  let firstEarlyDelta = 0;

  function decode(text: string, line: number, out: ReplayMessage[]): void {
    stats.lines++;
    if (text.length === 0 || (text.charCodeAt(0) !== 123 && text.trim().length === 0)) {
      countAnomaly(stats, 'blank', line);
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    if (typeof msg !== 'object' || msg === null) {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    const m = msg as { topic?: unknown; type?: unknown; ts?: unknown; data?: unknown };
    if (typeof m.topic !== 'string' || !m.topic.startsWith('orderbook.')) {
      countAnomaly(stats, 'unknown_message', line);
      return;
    }
    const data = m.data as { s?: unknown; b?: unknown; a?: unknown; u?: unknown } | null | undefined;
    if (typeof data !== 'object' || data === null) {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    if (data.s !== symbol) {
      countAnomaly(stats, typeof data.s === 'string' ? 'other_symbol' : 'malformed', line);
      return;
    }
    const type = m.type;
    if (type !== 'snapshot' && type !== 'delta') {
      countAnomaly(stats, 'unknown_message', line);
      return;
    }
    const ts = m.ts;
    const u = data.u;
    if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || typeof u !== 'number' || !Number.isSafeInteger(u)) {
      countAnomaly(stats, 'malformed', line);
      return;
    }
    countMessage(stats, type);
    const bids = parseLevels(data.b);
    const asks = parseLevels(data.a);
    // A bad value in a message of our book is an error at its own line: skipping the message would only
    // surface later, as a gap in `u` on another line, or silently as a wrong book.
    if (bids === undefined) throw new ReplayDataError(line, `order book ${type}: ${levelsProblem(data.b, 'b (bids)')}`);
    if (asks === undefined) throw new ReplayDataError(line, `order book ${type}: ${levelsProblem(data.a, 'a (asks)')}`);

    if (type === 'snapshot' || u === 1) {
      if (u === 1) countAnomaly(stats, 'service_restart', line);
      if (gapLine !== 0) {
        countAnomaly(stats, 'resync', line);
        gapLine = 0;
      }
      lastU = u;
      out.push({ kind: 'book', snapshot: true, bids, asks, exchangeUs: ts * 1000, localUs: undefined, line });
      return;
    }

    if (lastU === undefined) {
      countAnomaly(stats, 'before_snapshot', line);
      if (firstEarlyDelta === 0) firstEarlyDelta = line;
      return;
    }
    if (gapLine !== 0) {
      countAnomaly(stats, 'out_of_sync', line);
      return;
    }
    if (u <= lastU) {
      countAnomaly(stats, 'stale_delta', line);
      return;
    }
    if (u !== lastU + 1) {
      countAnomaly(stats, 'sequence_gap', line);
      gapLine = line;
      gapDetail = `u jumped from ${lastU} to ${u}`;
      return;
    }
    lastU = u;
    out.push({ kind: 'book', snapshot: false, bids, asks, exchangeUs: ts * 1000, localUs: undefined, line });
  }

  function end(lastLine: number, _out: ReplayMessage[]): void {
    if (gapLine !== 0) {
      throw new ReplayDataError(
        gapLine,
        `order book sequence gap (${gapDetail}) and no snapshot followed before the end of the file (line ${lastLine}): the book cannot be trusted`,
      );
    }
    if (lastU === undefined && firstEarlyDelta !== 0) {
      throw new ReplayDataError(firstEarlyDelta, `order book deltas for ${symbol} but no snapshot in the whole file (to line ${lastLine}): the book cannot be built`);
    }
  }

  return { decode, end, stats };
}

/** `[[price, qty], ...]` (decimal strings, or numbers) as a flat `[p0, q0, p1, q1, ...]`; undefined when malformed. */
function parseLevels(raw: unknown): number[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const n = raw.length;
  const flat = new Array<number>(n * 2);
  for (let i = 0; i < n; i++) {
    const lvl: unknown = raw[i];
    if (!Array.isArray(lvl) || lvl.length < 2) return undefined;
    const p = levelValue(lvl[0], true);
    const q = levelValue(lvl[1], true);
    if (!(p > 0) || !(q >= 0) || p === Infinity || q === Infinity) return undefined;
    flat[2 * i] = p;
    flat[2 * i + 1] = q;
  }
  return flat;
}

/** Why parseLevels refused `raw`, for the error naming the line. */
function levelsProblem(raw: unknown, name: string): string {
  if (!Array.isArray(raw)) return `${name} is ${raw === undefined ? 'missing' : `not a list of levels: ${JSON.stringify(raw)}`}`;
  for (let i = 0; i < raw.length; i++) {
    const lvl: unknown = raw[i];
    const at = `${name} level ${i + 1}`;
    if (!Array.isArray(lvl) || lvl.length < 2) return `${at} is not a [price, size] pair: ${JSON.stringify(lvl)}`;
    const problem = valueProblem(lvl[0], 'price', at, true, '') ?? valueProblem(lvl[1], 'quantity', at, true, '');
    if (problem) return problem;
  }
  return `${name} is not a list of levels`;
}
