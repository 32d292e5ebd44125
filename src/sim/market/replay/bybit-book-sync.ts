import { ReplayDataError, countAnomaly, countMessage } from './replay-message.ts';
import type { DecoderStats, ReplayMessage } from './replay-message.ts';
import { levelValue, valueProblem } from './level-value.ts';

/**
 * One symbol's Bybit v5 order book (`orderbook.<depth>.<SYMBOL>` messages of the public websocket, or of
 * Bybit's historical archive, which has the same shape):
 * `{"topic","type":"snapshot"|"delta","ts":ms,"data":{"s","b":[[px,qty]],"a":[[px,qty]],"u","seq"},"cts"}`.
 *
 * Rules (Bybit v5 docs, websocket/public/orderbook, "Process snapshot/delta" and the `u` field):
 * - a snapshot replaces the local book; a delta sets each level, quantity "0" deletes it;
 * - `u` (update id) is "always in sequence": each delta's `u` is the previous message's `u` + 1;
 * - "u"=1 is "a snapshot data due to the restart of the service. So please overwrite the locally saved
 *   orderbook": a message with u=1 is applied as a snapshot whatever its `type` says.
 *
 * A delta whose `u` skips ahead is a `sequence_gap`: no book message goes out until the next snapshot
 * (counted `resync` when it comes); `end` throws when the book is still out of sync, naming the gap's line.
 * A delta with `u` at or below the last applied one is a replay of changes already in the book
 * (`stale_delta`): skipped, the book stays in sync. `exchangeUs` is `ts` × 1000 (`cts`, the matching
 * engine's time, is not used). The replay of Bybit's archive and of a shadow session's recording
 * (bybit-v5-decoder.ts), and the shadow session itself, all sync through this one class.
 */
export class BybitBookSync {
  /** The last `u` applied (the snapshot's, then each delta's); undefined before the first snapshot. */
  private lastU: number | undefined;
  /** Out of sync since this line (a sequence gap), until the next snapshot; 0 when in sync. */
  private gapLine = 0;
  private gapDetail = '';
  /** The first delta met before any snapshot (0: none). */
  private firstEarlyDelta = 0;

  constructor(
    private readonly stats: DecoderStats,
    private readonly symbol: string,
  ) {}

  /** No book can be built until a snapshot comes (none yet, or a gap since the last one). */
  get needsSnapshot(): boolean {
    return this.lastU === undefined || this.gapLine !== 0;
  }

  /** An `orderbook.*` message (parsed JSON) read on `line`, received at `localUs` when the format says. */
  message(msg: object, line: number, localUs: number | undefined, out: ReplayMessage[]): void {
    const stats = this.stats;
    const symbol = this.symbol;
    const m = msg as { type?: unknown; ts?: unknown; data?: unknown };
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
      if (this.gapLine !== 0) {
        countAnomaly(stats, 'resync', line);
        this.gapLine = 0;
      }
      this.lastU = u;
      out.push({ kind: 'book', snapshot: true, bids, asks, exchangeUs: ts * 1000, localUs, line });
      return;
    }

    if (this.lastU === undefined) {
      countAnomaly(stats, 'before_snapshot', line);
      if (this.firstEarlyDelta === 0) this.firstEarlyDelta = line;
      return;
    }
    if (this.gapLine !== 0) {
      countAnomaly(stats, 'out_of_sync', line);
      return;
    }
    if (u <= this.lastU) {
      countAnomaly(stats, 'stale_delta', line);
      return;
    }
    if (u !== this.lastU + 1) {
      countAnomaly(stats, 'sequence_gap', line);
      this.gapLine = line;
      this.gapDetail = `u jumped from ${this.lastU} to ${u}`;
      return;
    }
    this.lastU = u;
    out.push({ kind: 'book', snapshot: false, bids, asks, exchangeUs: ts * 1000, localUs, line });
  }

  /** At the end of a recording: throws when the book is out of sync or never had a snapshot. */
  end(lastLine: number): void {
    if (this.gapLine !== 0) {
      throw new ReplayDataError(
        this.gapLine,
        `order book sequence gap (${this.gapDetail}) and no snapshot followed before the end of the file (line ${lastLine}): the book cannot be trusted`,
      );
    }
    if (this.lastU === undefined && this.firstEarlyDelta !== 0) {
      throw new ReplayDataError(this.firstEarlyDelta, `order book deltas for ${this.symbol} but no snapshot in the whole file (to line ${lastLine}): the book cannot be built`);
    }
  }
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
