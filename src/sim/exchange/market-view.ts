import type { Side } from '../../core/types.ts';
import type { OrderBook } from './order-book.ts';

/**
 * The market as the matching engine sees it at this instant, in ticks and lots: what post-only checks,
 * price bands, cross fills and queue estimates read. A plain book view reads the L2 book as market data
 * maintains it; a replay may overlay fresher top-of-book data on it (docs/replay.md).
 */
export interface MarketView {
  bestBid(): number | undefined;
  bestAsk(): number | undefined;
  /** The market's quantity resting at `priceTicks` on `side` (0 when there is no such level). */
  qtyAt(side: Side, priceTicks: number): number;
  /** The best price with quantity worse than `priceTicks` on `side` (the next level down the view), if any. */
  worseLevel(side: Side, priceTicks: number): number | undefined;
}

/** The L2 book itself, with nothing overlaid. */
export function bookView(book: OrderBook): MarketView {
  return {
    bestBid: () => book.bids.best(),
    bestAsk: () => book.asks.best(),
    qtyAt: (side, priceTicks) => book.side(side).qtyAt(priceTicks),
    worseLevel: (side, priceTicks) => book.side(side).worseThan(priceTicks),
  };
}
