import type { Side } from '../../core/types.ts';

/**
 * One side of an L2 book in integer ticks: quantity by price in a Map, with the best price tracked.
 * A level change is O(1); when the best level goes, the next is found by stepping one tick at a time
 * away from the spread (the top of a real book is dense, so the walk is short). This is hftbacktest's
 * HashMapMarketDepth: replayed books carry thousands of levels and hundreds of changes per diff, where a
 * sorted array would move memory on every insert.
 */
class BookSide {
  private qty = new Map<number, number>();
  private bestTicks: number | undefined = undefined;

  constructor(readonly isBid: boolean) {}

  /** True when price a is better (closer to the spread) than b on this side. */
  better(a: number, b: number): boolean {
    return this.isBid ? a > b : a < b;
  }

  best(): number | undefined {
    return this.bestTicks;
  }

  bestQty(): number {
    return this.bestTicks === undefined ? 0 : this.qty.get(this.bestTicks)!;
  }

  qtyAt(price: number): number {
    return this.qty.get(price) ?? 0;
  }

  get levelCount(): number {
    return this.qty.size;
  }

  /** Sets a level's quantity; 0 (or less) deletes the level. */
  set(price: number, qty: number): void {
    if (qty > 0) {
      this.qty.set(price, qty);
      if (this.bestTicks === undefined || this.better(price, this.bestTicks)) this.bestTicks = price;
    } else if (this.qty.delete(price) && price === this.bestTicks) {
      this.bestTicks = this.worseThan(price);
    }
  }

  /** The best price with a level worse than `from`, or undefined when there is none. */
  worseThan(from: number): number | undefined {
    if (this.qty.size === 0) return undefined;
    const step = this.isBid ? -1 : 1;
    // Walk a few ticks first (the usual case), then fall back to a scan of the levels for a sparse side.
    for (let p = from + step, k = 0; k < 64; p += step, k++) if (this.qty.has(p)) return p;
    let best: number | undefined;
    for (const p of this.qty.keys()) if (this.better(from, p) && (best === undefined || this.better(p, best))) best = p;
    return best;
  }

  /** The levels as a new Map from price to quantity (in no particular order). */
  copyLevels(): Map<number, number> {
    return new Map(this.qty);
  }

  /**
   * Empties the side and hands over its levels (price -> quantity, in no particular order); `spare`, an
   * empty map, holds the levels from now on. Swapping two maps instead of copying one keeps a book that
   * is rebuilt on every update from allocating.
   */
  takeLevels(spare: Map<number, number>): Map<number, number> {
    const levels = this.qty;
    spare.clear();
    this.qty = spare;
    this.bestTicks = undefined;
    return levels;
  }

  clear(): void {
    this.qty.clear();
    this.bestTicks = undefined;
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

  /** True when both sides have a best and the bid reaches the ask. */
  crossed(): boolean {
    const bid = this.bids.best();
    const ask = this.asks.best();
    return bid !== undefined && ask !== undefined && bid >= ask;
  }

  /**
   * An aggressive order of `qty` lots on `aggressor` side takes liquidity from the other side, best level
   * first, printing one trade per level touched. Returns the quantity that traded.
   */
  sweep(aggressor: Side, qty: number, onPrint: PrintListener): number {
    const passive = aggressor === 'buy' ? this.asks : this.bids;
    let left = qty;
    for (let price = passive.best(); left > 0 && price !== undefined; price = passive.best()) {
      const available = passive.qtyAt(price);
      const take = Math.min(left, available);
      left -= take;
      passive.set(price, available - take);
      onPrint(price, take);
    }
    return qty - left;
  }
}

export type { BookSide };
