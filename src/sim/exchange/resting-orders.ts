import type { Side } from '../../core/types.ts';
import type { MarketView } from './market-view.ts';

/** One of the bot's orders resting on the venue, with its estimated place in the queue. */
export interface RestingOrder {
  readonly clientId: string;
  readonly num: number;
  readonly side: Side;
  readonly priceTicks: number;
  readonly qtyLots: number;
  leaves: number;
  /** Estimated lots ahead of this order at its price (may be fractional under probabilistic models). */
  ahead: number;
  /** The level's market quantity when last seen. */
  levelQty: number;
  /** Lots traded at this price since the level was last seen (already taken off `ahead`). */
  traded: number;
  /**
   * The opposite side's displayed lots at prices at or through this order, at the last book change that
   * found it crossed (0 while it is not): a later change fills only what it adds to that.
   */
  crossSeen: number;
}

export const sideCode = (s: Side): number => (s === 'buy' ? 1 : -1);

/** The order an aggressor meets our orders in: buys before sells, then best price first, then time priority. */
export function byPricePriority(a: RestingOrder, b: RestingOrder): number {
  if (a.side !== b.side) return a.side === 'buy' ? -1 : 1;
  return (a.side === 'sell' ? a.priceTicks - b.priceTicks : b.priceTicks - a.priceTicks) || a.num - b.num;
}

/**
 * The opposite side's lots at prices from its best up to `o`'s price, summed until they reach `enough`
 * (beyond that the order fills in full whatever the rest holds).
 */
export function crossingQty(view: MarketView, o: RestingOrder, oppositeBest: number, enough: number): number {
  const opposite: Side = o.side === 'buy' ? 'sell' : 'buy';
  const step = o.side === 'buy' ? 1 : -1;
  const ticks = Math.abs(o.priceTicks - oppositeBest);
  let sum = 0;
  for (let k = 0, p = oppositeBest; k <= ticks && sum < enough; k++, p += step) sum += view.qtyAt(opposite, p);
  return sum;
}

/** Lots of our own orders resting at `o`'s price that arrived before it (time priority). */
export function ownAhead(resting: readonly RestingOrder[], o: RestingOrder): number {
  let lots = 0;
  for (const r of resting) if (r.num < o.num && r.side === o.side && r.priceTicks === o.priceTicks && r.leaves > 0) lots += r.leaves;
  return lots;
}

/** Our orders that joined `o`'s level after it: `lots` of ours ahead of them are gone. */
export function moveUpBehind(resting: readonly RestingOrder[], o: RestingOrder, lots: number): void {
  for (const later of resting) {
    if (later.side === o.side && later.priceTicks === o.priceTicks && later.num > o.num) later.ahead = Math.max(0, later.ahead - lots);
  }
}

/** Drops the orders filled in full, in place, keeping the others' order. */
export function removeDone(resting: RestingOrder[]): void {
  let w = 0;
  for (let r = 0; r < resting.length; r++) {
    const o = resting[r]!;
    if (o.leaves > 0) resting[w++] = o;
  }
  // Setting length is a runtime call even when it does not change: on every book change it mostly does not.
  if (w !== resting.length) resting.length = w;
}
