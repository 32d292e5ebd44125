import type { Side } from '../../core/types.ts';
import type { MarketView } from './market-view.ts';
import type { RestingOrder } from './resting-orders.ts';

/** Books one taker fill of `qty` at `priceTicks` (already taken off `o.leaves`). */
export type TakerSettle = (o: RestingOrder, priceTicks: number, qty: number) => void;

/**
 * Taker orders against the market view, with what our takers already took from each displayed level
 * (and the level's quantity then), so that two takers never take the same displayed lots.
 */
export class TakerMatch {
  /** Displayed lots our taker orders took, per price, with the level's quantity then. */
  private readonly takenBids = new Map<number, { shown: number; used: number }>();
  private readonly takenAsks = new Map<number, { shown: number; used: number }>();

  constructor(private readonly view: MarketView) {}

  /**
   * A taker order on arrival: it takes the market view level by level from the best opposite price up to
   * its limit, never more than a level displays less what our own takers already took from it since the
   * market last changed that level, at each level's price and the taker fee.
   */
  take(o: RestingOrder, settle: TakerSettle): void {
    const buy = o.side === 'buy';
    const opposite: Side = buy ? 'sell' : 'buy';
    const consumed = buy ? this.takenAsks : this.takenBids;
    for (let p = buy ? this.view.bestAsk() : this.view.bestBid(); p !== undefined && o.leaves > 0; p = this.view.worseLevel(opposite, p)) {
      if (buy ? p > o.priceTicks : p < o.priceTicks) break;
      const shown = this.view.qtyAt(opposite, p);
      const taken = consumed.get(p);
      const used = taken !== undefined && taken.shown === shown ? taken.used : 0;
      const q = Math.min(o.leaves, Math.floor(shown - used));
      if (q <= 0) continue;
      consumed.set(p, { shown, used: used + q });
      o.leaves -= q;
      settle(o, p, q);
    }
  }

  /** The market changed: what our takers took from a level counts only until the level itself changes. */
  onBookChange(): void {
    if (this.takenBids.size + this.takenAsks.size > 0) this.forgetTaken();
  }

  private forgetTaken(): void {
    for (const [consumed, side] of [
      [this.takenBids, 'buy'],
      [this.takenAsks, 'sell'],
    ] as const) {
      if (consumed.size === 0) continue;
      for (const [p, t] of consumed) if (this.view.qtyAt(side, p) !== t.shown) consumed.delete(p);
    }
  }
}
