import type { OrderBook } from '../exchange/order-book.ts';

export const BID = 0;
export const ASK = 1;

/**
 * Resting lots within `levels` ticks of each side's best (`lots`, indexed by BID and ASK), kept up to date
 * as the best moves: the order flow's cancellation rate and sweep cap read it.
 */
export class DepthWindow {
  readonly lots = new Float64Array(2);
  /** The best each side's lots were summed at, as a depth coordinate. */
  private readonly best = new Float64Array(2);

  constructor(
    private readonly book: OrderBook,
    private readonly levels: number,
  ) {}

  /** Depth coordinate: larger is closer to the spread on both sides. */
  private u(s: number, price: number): number {
    return s === BID ? price : -price;
  }

  inWindow(s: number, price: number): boolean {
    const d = this.best[s]! - this.u(s, price);
    return d >= 0 && d < this.levels;
  }

  /** Moves a side's window to its new best, adding the levels it enters and removing those it leaves. */
  resync(s: number): void {
    const side = s === BID ? this.book.bids : this.book.asks;
    const best = side.best();
    if (best === undefined) {
      this.lots[s] = 0;
      return;
    }
    const b1 = this.u(s, best);
    const b0 = this.best[s]!;
    if (b1 === b0) return;
    const L = this.levels;
    if (Math.abs(b1 - b0) >= L) return this.recount(s);
    const sign = s === BID ? 1 : -1;
    let q = this.lots[s]!;
    if (b1 > b0) {
      for (let u = b0 + 1; u <= b1; u++) q += side.qtyAt(sign * u);
      for (let u = b0 - L + 1; u <= b1 - L; u++) q -= side.qtyAt(sign * u);
    } else {
      for (let u = b1 + 1; u <= b0; u++) q -= side.qtyAt(sign * u);
      for (let u = b1 - L + 1; u <= b0 - L; u++) q += side.qtyAt(sign * u);
    }
    this.lots[s] = q;
    this.best[s] = b1;
  }

  recount(s: number): void {
    const side = s === BID ? this.book.bids : this.book.asks;
    const best = side.best();
    if (best === undefined) {
      this.lots[s] = 0;
      return;
    }
    const dir = s === BID ? -1 : 1;
    let q = 0;
    for (let k = 0; k < this.levels; k++) q += side.qtyAt(best + dir * k);
    this.lots[s] = q;
    this.best[s] = this.u(s, best);
  }
}
