import { InputError } from '../../../core/errors.ts';
import type { Side } from '../../../core/types.ts';

/**
 * What a recording says, once decoded and (for books) synchronised: the format-neutral messages a replay
 * runs on. Prices and quantities are the recording's own decimal values; times are µs since the Unix epoch.
 */
export type ReplayMessage = BookMessage | TradeMessage | TickerMessage;

/**
 * Price levels as a flat list of pairs, `[price0, qty0, price1, qty1, ...]` (one array per side rather
 * than one per level: diffs carry hundreds of levels). A quantity of 0 deletes the level.
 */
export type Levels = readonly number[];

interface Timed {
  /** The exchange's event time, µs since the epoch. */
  readonly exchangeUs: number;
  /** When the recorder received it, µs since the epoch; undefined when the format has no local time. */
  readonly localUs: number | undefined;
  /** 1-based line of the file the message came from (for errors and reports). */
  readonly line: number;
  /**
   * The venue's update id where it has one (Binance: a diff's `u`, a snapshot's `lastUpdateId`, a
   * bookTicker's `u`, a trade's id): the time line's last tie-break, and how the ticker overlay tells a
   * bookTicker newer than the book. Undefined when the format has none.
   */
  readonly seq?: number;
  /**
   * True when the message carries no exchange time of its own (spot bookTicker, a REST snapshot without
   * `E`): `exchangeUs` is then the decoder's placement (docs/replay.md, "Time"), and the message is left
   * out of the recorder clock-offset estimate (its receive minus exchange time says nothing about it).
   */
  readonly untimed?: boolean;
  /** Which file (index into the replay's paths) when several files are merged: set by the merge, else undefined. */
  file?: number;
}

/** Book changes to apply in one step (the book is published to the bot after the whole message). */
export interface BookMessage extends Timed {
  readonly kind: 'book';
  /** True: the levels replace the whole book (a snapshot); false: each level is set, quantity 0 deletes. */
  readonly snapshot: boolean;
  readonly bids: Levels;
  readonly asks: Levels;
}

/** One print. `aggressor` is the taker's side: a buy aggressor lifts asks. */
export interface TradeMessage extends Timed {
  readonly kind: 'trade';
  readonly aggressor: Side;
  readonly price: number;
  readonly qty: number;
}

/** The venue's own best bid/offer stream (Binance bookTicker): overlaid on the book while it is newer (ticker-overlay.ts). */
export interface TickerMessage extends Timed {
  readonly kind: 'ticker';
  readonly bidPrice: number;
  readonly bidQty: number;
  readonly askPrice: number;
  readonly askQty: number;
}

/**
 * Decodes one recording format line by line. A decoder keeps whatever state its format needs (buffered
 * diffs before a snapshot, level ids, sequence numbers) and pushes only messages that are safe to apply,
 * in the order they must be applied.
 */
export interface LineDecoder {
  /** Decodes one line (without its newline); `line` is 1-based. Pushes zero or more messages to `out`. */
  decode(text: string, line: number, out: ReplayMessage[]): void;
  /** At the end of the file: pushes anything still pending, or throws ReplayDataError when the file ends out of sync. */
  end(lastLine: number, out: ReplayMessage[]): void;
  /** What the decoder counted: anomalies by kind (each with its first line) and message counts. */
  readonly stats: DecoderStats;
  /**
   * True while the book waits for a snapshot it has no prospect of (none yet, a sequence gap, one too old
   * for the diffs), where the format's books start from snapshots: a live feed then asks the venue for one.
   */
  needsSnapshot?(): boolean;
}

export interface Anomaly {
  count: number;
  /** The first line it was seen on. */
  first_line: number;
}

export interface DecoderStats {
  /** Lines read, including control and blank lines. */
  lines: number;
  /** Messages by type as the decoder met them in the file (e.g. depth, trade, bookTicker, snapshot). */
  messages: Record<string, number>;
  /**
   * Lines or messages not used, by reason, each counted and never skipped silently: malformed,
   * unknown_message, other_symbol, control (subscription acks, connection lines), blank, stale_diff
   * (before the snapshot's sequence), before_sync, sequence_gap, resync, ...
   */
  anomalies: Record<string, Anomaly>;
}

export function newDecoderStats(): DecoderStats {
  return { lines: 0, messages: {}, anomalies: {} };
}

export function countMessage(stats: DecoderStats, type: string): void {
  stats.messages[type] = (stats.messages[type] ?? 0) + 1;
}

export function countAnomaly(stats: DecoderStats, kind: string, line: number): void {
  const a = stats.anomalies[kind];
  if (a) a.count++;
  else stats.anomalies[kind] = { count: 1, first_line: line };
}

/**
 * A recording the replay cannot go on with (the book can no longer be trusted, or the file is not in the
 * format it claims). Decoders throw it with the line; the reader adds the file. The CLI exits 2.
 */
export class ReplayDataError extends InputError {
  constructor(
    readonly line: number,
    readonly detail: string,
    readonly file?: string,
  ) {
    super(`${file ?? '<recording>'}:${line}: ${detail}`, 'BAD_DATA');
  }

  inFile(file: string): ReplayDataError {
    return new ReplayDataError(this.line, this.detail, file);
  }
}
