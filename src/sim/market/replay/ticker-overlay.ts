import type { Side } from '../../../core/types.ts';
import type { MarketView } from '../../exchange/market-view.ts';
import type { OrderBook } from '../../exchange/order-book.ts';

/**
 * The freshest market a replay knows (DESIGN.md, "Fidelity rules"): the book rebuilt from depth diffs,
 * overlaid with the venue's bookTicker while that ticker is newer than the book. Binance's futures
 * bookTicker `u` and diff `u` count the same updates (so do spot's), so "newer" is a larger update id;
 * where a book message has no id, a later exchange time. While the overlay is on:
 *  - the best bid and ask are the ticker's;
 *  - the quantity at the ticker's price is the ticker's; a price better than the ticker's is empty (the
 *    book's levels there are gone already, the diff saying so has not arrived); deeper levels are the book's.
 * A diff with an id at least the ticker's turns it off: the book is as fresh again, and deeper.
 */
export class TickerOverlay implements MarketView {
  private bookSeq: number | undefined = undefined;
  private bookUs = -Infinity;
  private tickerSeq: number | undefined = undefined;
  private tickerUs = -Infinity;
  private bidTicks: number | undefined = undefined;
  private bidLots = 0;
  private askTicks: number | undefined = undefined;
  private askLots = 0;
  /** Tickers applied while newer than the book (report). */
  overlaid = 0;

  constructor(private readonly book: OrderBook) {}

  /** A book message was applied: its update id (if any) and time-line time. */
  onBook(seq: number | undefined, atUs: number): void {
    this.bookSeq = seq;
    this.bookUs = atUs;
  }

  /**
   * A bookTicker (prices in ticks, sizes in lots; a price of 0 is an empty side); returns true when it is
   * newer than the book, i.e. the view changed.
   */
  onTicker(seq: number | undefined, atUs: number, bidTicks: number, bidLots: number, askTicks: number, askLots: number): boolean {
    this.tickerSeq = seq;
    this.tickerUs = atUs;
    this.bidTicks = bidTicks > 0 ? bidTicks : undefined;
    this.bidLots = bidLots;
    this.askTicks = askTicks > 0 ? askTicks : undefined;
    this.askLots = askLots;
    const on = this.active;
    if (on) this.overlaid++;
    return on;
  }

  /** True while the last ticker is newer than the book. */
  get active(): boolean {
    if (this.tickerUs === -Infinity) return false;
    if (this.tickerSeq !== undefined && this.bookSeq !== undefined) return this.tickerSeq > this.bookSeq;
    return this.tickerUs > this.bookUs;
  }

  bestBid(): number | undefined {
    return this.active ? this.bidTicks : this.book.bids.best();
  }

  bestAsk(): number | undefined {
    return this.active ? this.askTicks : this.book.asks.best();
  }

  qtyAt(side: Side, priceTicks: number): number {
    if (!this.active) return this.book.side(side).qtyAt(priceTicks);
    const top = side === 'buy' ? this.bidTicks : this.askTicks;
    if (top === undefined) return this.book.side(side).qtyAt(priceTicks);
    if (priceTicks === top) return side === 'buy' ? this.bidLots : this.askLots;
    const better = side === 'buy' ? priceTicks > top : priceTicks < top;
    return better ? 0 : this.book.side(side).qtyAt(priceTicks);
  }

  /** Below the ticker's price the levels are the book's; above it there are none but the ticker's own. */
  worseLevel(side: Side, priceTicks: number): number | undefined {
    const top = !this.active ? undefined : side === 'buy' ? this.bidTicks : this.askTicks;
    if (top !== undefined && (side === 'buy' ? priceTicks > top : priceTicks < top)) return top;
    return this.book.side(side).worseThan(priceTicks);
  }
}
