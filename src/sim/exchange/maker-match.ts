import type { Side } from '../../core/types.ts';
import type { MarketView } from './market-view.ts';
import type { QueueModel } from './queue-model.ts';
import { byPricePriority, crossingQty, ownAhead, removeDone } from './resting-orders.ts';
import type { RestingOrder } from './resting-orders.ts';

/** Fills `qty` of a resting order at its own price; `cause` numbers the print or book change that did it. */
export type MakerFill = (o: RestingOrder, qty: number, how: 'through' | 'queue' | 'cross', cause: number) => void;

/**
 * Our resting orders against the market: prints through or at their price, and book changes that cross
 * them or move the queue ahead of them (the queue model). Fills go to `fill`; filled orders leave `resting`.
 */
export class MakerMatch {
  /** Reused for the orders one event reaches, so that matching allocates nothing per event. */
  private readonly reached: RestingOrder[] = [];

  constructor(
    private readonly resting: RestingOrder[],
    private readonly view: MarketView,
    private readonly queue: QueueModel,
    private readonly fill: MakerFill,
  ) {}

  /**
   * A print of `qtyLots` at `priceTicks`. The aggressor would have met our orders at better prices first
   * (best price first, then time priority), then the queue at the print's price: each fill takes whole
   * lots from what the print has left, so the print never fills more of ours than it traded. The queue
   * ahead at the print's price still shrinks by the whole print: the market's queue traded it.
   */
  onTrade(aggressor: Side, priceTicks: number, qtyLots: number, cause: number): void {
    const passive: Side = aggressor === 'buy' ? 'sell' : 'buy';
    const through = this.reached;
    for (const o of this.resting) {
      // A buy aggressor printing above a resting sell went through it (symmetrically for a sell).
      if (o.side === passive && (passive === 'sell' ? o.priceTicks < priceTicks : o.priceTicks > priceTicks)) through.push(o);
    }
    if (through.length > 1) through.sort(byPricePriority);
    let budget = qtyLots;
    for (const o of through) {
      const q = Math.min(o.leaves, Math.floor(budget));
      if (q <= 0) break;
      budget -= q;
      this.fill(o, q, 'through', cause);
    }
    if (through.length !== 0) through.length = 0;
    // What reached the price itself: the queue ahead takes it first, then our orders there in time priority.
    const atPrice = budget;
    for (const o of this.resting) {
      if (o.side !== passive || o.priceTicks !== priceTicks) continue;
      const reached = Math.floor(atPrice - o.ahead);
      o.ahead = Math.max(0, o.ahead - qtyLots);
      o.traded += qtyLots;
      const q = Math.min(o.leaves, reached, Math.floor(budget));
      if (q > 0) {
        budget -= q;
        this.fill(o, q, 'queue', cause);
      }
    }
    removeDone(this.resting);
  }

  /** The market view changed to these best prices: cross fills, then the queue ahead of each order. */
  onBookChange(bestBid: number | undefined, bestAsk: number | undefined, cause: number): void {
    const crossed = this.reached;
    for (const o of this.resting) {
      const isCrossed = o.side === 'buy' ? bestAsk !== undefined && bestAsk <= o.priceTicks : bestBid !== undefined && bestBid >= o.priceTicks;
      if (isCrossed) crossed.push(o);
      else o.crossSeen = 0;
    }
    if (crossed.length > 0) {
      this.crossFills(crossed, bestBid, bestAsk, cause);
      crossed.length = 0;
    }
    for (let i = 0; i < this.resting.length; i++) {
      const o = this.resting[i]!;
      if (o.leaves === 0) continue;
      const qty = this.view.qtyAt(o.side, o.priceTicks);
      if (qty !== o.levelQty || o.traded > 0) {
        // The model sees the market's queue only; our own earlier orders at this price stay ahead.
        const own = ownAhead(this.resting, o);
        o.ahead = own + this.queue.onLevelChange(Math.max(0, o.ahead - own), o.levelQty, qty, o.traded);
        o.levelQty = qty;
        o.traded = 0;
      }
    }
    removeDone(this.resting);
  }

  /**
   * The market view has moved to or through these orders. The opposite side's displayed lots at prices
   * at or through an order are what came in against it; an order takes what this change added to them
   * (`crossSeen`), less what our orders met first took in this change (better prices, then time priority).
   * Whatever does not fill rests on at its price.
   */
  private crossFills(crossed: RestingOrder[], bestBid: number | undefined, bestAsk: number | undefined, cause: number): void {
    if (crossed.length > 1) crossed.sort(byPricePriority);
    let takenByBuys = 0;
    let takenBySells = 0;
    for (const o of crossed) {
      const buy = o.side === 'buy';
      const taken = buy ? takenByBuys : takenBySells;
      const crossing = crossingQty(this.view, o, buy ? bestAsk! : bestBid!, o.crossSeen + taken + o.leaves);
      const q = Math.min(o.leaves, Math.floor(crossing - o.crossSeen - taken));
      o.crossSeen = crossing;
      if (q <= 0) continue;
      if (buy) takenByBuys += q;
      else takenBySells += q;
      this.fill(o, q, 'cross', cause);
    }
  }
}
