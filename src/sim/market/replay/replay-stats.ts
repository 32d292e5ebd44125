import type { Anomaly } from './replay-message.ts';

export interface ReplayStats {
  book_updates: number;
  snapshots: number;
  trades: number;
  traded_lots: number;
  tickers: number;
  /** Tickers newer than the book when they ran: the exchange matched against them (ticker-overlay.ts). */
  tickers_overlaid: number;
  /** Diffs after which the rebuilt best bid and ask prices were compared with the latest ticker... */
  bbo_checks: number;
  /** ...and were equal to it. */
  bbo_matches: number;
  /** Book updates after which the rebuilt book was crossed (bid >= ask). */
  crossed_books: Anomaly | null;
  /** Messages whose exchange time was earlier than that of the previous message of the same stream. */
  out_of_order: Record<'book' | 'trade' | 'ticker', number>;
  /** Lines read after a later-stamped line and put back in place by the reorder window. */
  time_reordered: number;
  /** Lines beyond the reorder window: run later than their exchange time, at the time line's. */
  time_clamped: { count: number; max_us: number };
  /** Trades that could only run after a book message stamped later (so containing them): not applied again. */
  trades_contained: number;
  /** Book levels off the tick grid far from the mid (legacy levels): ignored. */
  off_grid_levels: Anomaly | null;
  /** The recorder's clock offset (local minus exchange time) as finally estimated, µs; null without local times. */
  recorder_offset_us: number | null;
}

/** All counters at zero, in the order the report lists them. */
export function emptyReplayStats(): ReplayStats {
  return {
    book_updates: 0,
    snapshots: 0,
    trades: 0,
    traded_lots: 0,
    tickers: 0,
    tickers_overlaid: 0,
    bbo_checks: 0,
    bbo_matches: 0,
    crossed_books: null,
    out_of_order: { book: 0, trade: 0, ticker: 0 },
    time_reordered: 0,
    time_clamped: { count: 0, max_us: 0 },
    trades_contained: 0,
    off_grid_levels: null,
    recorder_offset_us: null,
  };
}
