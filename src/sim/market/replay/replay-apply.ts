import type { OrderBook } from '../../exchange/order-book.ts';
import type { MarketListener } from '../synthetic-market.ts';
import type { Instrument } from '../../../core/types.ts';
import { PriceGrid } from './price-grid.ts';
import type { RecordedFeedLatency } from './recorded-latency.ts';
import type { Levels, ReplayMessage } from './replay-message.ts';
import type { ReplayStats } from './replay-stats.ts';
import type { TickerOverlay } from './ticker-overlay.ts';

export interface ReplayApplierConfig {
  readonly instrument: Instrument;
  /** Set when the feed latency comes from the recording; undefined when a model draws it. */
  readonly recordedLatency: RecordedFeedLatency | undefined;
  /** Added to every recorded latency: the one-way delay the recorder's clock offset hides. */
  readonly recordedBaseUs: number;
  /** Undefined: sizes in base units; a number: contracts worth that much quote currency each. */
  readonly contractSize: number | undefined;
  /** The exchange's view: the book overlaid with a newer bookTicker; undefined: tickers only check the book. */
  readonly overlay?: TickerOverlay;
}

/**
 * Applies decoded, synchronised market messages to the exchange's book, overlay and queue model: a book
 * message updates the book (and tells the listener), a trade goes to the queue model unless a later book
 * already holds it, a newer bookTicker overlays the view. The replay applies each message at its place on
 * the time line (replay-market.ts); a shadow session applies each as it arrives (src/live).
 */
export class ReplayApplier {
  private offsetUs = Infinity;
  private tickerBid: number | undefined;
  private tickerAsk: number | undefined;
  /** Exchange time (time line, absolute µs) of the last book message applied. */
  private lastBookUs = -Infinity;
  /** The rebuilt book's mid before the message being applied (the reference for off-grid levels). */
  private refMid: number | undefined;
  private readonly grid: PriceGrid;

  constructor(
    private readonly book: OrderBook,
    private readonly config: ReplayApplierConfig,
    private readonly stats: ReplayStats,
    private readonly listener: MarketListener,
  ) {
    this.grid = new PriceGrid(config.instrument, config.contractSize, stats);
  }

  get midTicks(): number | undefined {
    const bid = this.book.bestBid();
    const ask = this.book.bestAsk();
    return bid === undefined || ask === undefined ? undefined : (bid + ask) / 2;
  }

  apply(m: ReplayMessage): void {
    const lat = this.config.recordedLatency;
    // An untimed message's exchange time is a placement, not the venue's stamp: it says nothing about the clocks.
    if (m.localUs !== undefined && lat && m.untimed !== true) {
      const d = m.localUs - m.exchangeUs;
      if (d < this.offsetUs) {
        this.offsetUs = d;
        this.stats.recorder_offset_us = d;
      }
    }
    switch (m.kind) {
      case 'book': {
        this.applyBook(m.snapshot, m.bids, m.asks, m.line);
        const at = Math.max(this.lastBookUs, m.exchangeUs);
        this.lastBookUs = at;
        this.config.overlay?.onBook(m.seq, at);
        this.setFeedLatency(m);
        this.listener.onBookChange();
        return;
      }
      case 'trade': {
        const lots = this.grid.lots(m.qty, m.price);
        this.stats.trades++;
        this.stats.traded_lots += lots;
        const priceTicks = this.grid.ticks(m.price, m.line);
        // Only a line beyond the reorder window can run after a book message stamped later than it: that
        // book already holds the trade's effect, so the queues must not shrink by it a second time.
        if (m.exchangeUs < this.lastBookUs) {
          this.stats.trades_contained++;
          return;
        }
        this.listener.onTrade(m.aggressor, priceTicks, lots);
        return;
      }
      case 'ticker': {
        this.stats.tickers++;
        const bid = m.bidPrice > 0 ? this.grid.ticks(m.bidPrice, m.line) : 0;
        const ask = m.askPrice > 0 ? this.grid.ticks(m.askPrice, m.line) : 0;
        this.tickerBid = bid;
        this.tickerAsk = ask;
        const overlay = this.config.overlay;
        if (overlay && overlay.onTicker(m.seq, m.exchangeUs, bid, this.grid.lots(m.bidQty, m.bidPrice), ask, this.grid.lots(m.askQty, m.askPrice))) {
          this.stats.tickers_overlaid++;
          this.setFeedLatency(m);
          this.listener.onBookChange();
        }
        return;
      }
    }
  }

  /** The feed publishes what this message changed after the delay the recorder saw for it. */
  private setFeedLatency(m: ReplayMessage): void {
    const lat = this.config.recordedLatency;
    if (!lat) return;
    // Never negative: an untimed message's placed time may be later than its receive time less the offset.
    lat.current = (m.localUs === undefined ? 0 : Math.max(0, m.localUs - m.exchangeUs - this.offsetUs)) + this.config.recordedBaseUs;
  }

  private applyBook(snapshot: boolean, bids: Levels, asks: Levels, line: number): void {
    const book = this.book;
    this.refMid = this.midTicks;
    if (snapshot) {
      book.bids.clear();
      book.asks.clear();
      this.stats.snapshots++;
    }
    for (let i = 0; i < bids.length; i += 2) {
      const p = this.grid.levelTicks(bids, asks, i, bids, line, this.refMid);
      if (p === p) book.bids.set(p, this.grid.lots(bids[i + 1]!, bids[i]!));
    }
    for (let i = 0; i < asks.length; i += 2) {
      const p = this.grid.levelTicks(bids, asks, i, asks, line, this.refMid);
      if (p === p) book.asks.set(p, this.grid.lots(asks[i + 1]!, asks[i]!));
    }
    this.stats.book_updates++;
    if (book.crossed()) {
      const c = this.stats.crossed_books;
      if (c) c.count++;
      else this.stats.crossed_books = { count: 1, first_line: line };
    }
    if (!snapshot && this.tickerBid !== undefined) {
      this.stats.bbo_checks++;
      if (book.bestBid() === this.tickerBid && book.bestAsk() === this.tickerAsk) this.stats.bbo_matches++;
    }
  }
}
