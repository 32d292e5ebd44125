import type { Side } from '../core/types.ts';

/** One side of an L2 book: price levels sorted best first (bids descending, asks ascending). */
class BookSide {
  readonly prices: number[] = [];
  readonly qtys: number[] = [];

  constructor(readonly isBid: boolean) {}

  /** True when price a is better (closer to the spread) than b on this side. */
  better(a: number, b: number): boolean {
    return this.isBid ? a > b : a < b;
  }

  best(): number | undefined {
    return this.prices[0];
  }

  bestQty(): number {
    return this.qtys[0] ?? 0;
  }

  qtyAt(price: number): number {
    const i = this.prices.indexOf(price);
    return i < 0 ? 0 : this.qtys[i]!;
  }

  /** Sets a level's quantity; 0 deletes the level. */
  set(price: number, qty: number): void {
    let i = 0;
    while (i < this.prices.length && this.better(this.prices[i]!, price)) i++;
    if (this.prices[i] === price) {
      if (qty > 0) this.qtys[i] = qty;
      else {
        this.prices.splice(i, 1);
        this.qtys.splice(i, 1);
      }
    } else if (qty > 0) {
      this.prices.splice(i, 0, price);
      this.qtys.splice(i, 0, qty);
    }
  }

  clear(): void {
    this.prices.length = 0;
    this.qtys.length = 0;
  }
}

export type PrintListener = (price: number, qty: number) => void;

/**
 * The market's L2 book in integer ticks and lots, as market data (a model or a replay) maintains it.
 * The bot's own orders are not in it: the exchange tracks them beside it with their queue position.
 */
export class OrderBook {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);

  side(side: Side): BookSide {
    return side === 'buy' ? this.bids : this.asks;
  }

  bestBid(): number | undefined {
    return this.bids.best();
  }

  bestAsk(): number | undefined {
    return this.asks.best();
  }

  /**
   * An aggressive order of `qty` lots on `aggressor` side takes liquidity from the other side, best level
   * first, printing one trade per level touched. Returns the quantity that traded.
   */
  sweep(aggressor: Side, qty: number, onPrint: PrintListener): number {
    const passive = aggressor === 'buy' ? this.asks : this.bids;
    let left = qty;
    while (left > 0 && passive.prices.length > 0) {
      const price = passive.prices[0]!;
      const available = passive.qtys[0]!;
      const take = Math.min(left, available);
      left -= take;
      passive.set(price, available - take);
      onPrint(price, take);
    }
    return qty - left;
  }
}

export type { BookSide };
