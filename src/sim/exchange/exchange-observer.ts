import type { Micros } from '../../core/clock.ts';
import type { ExchangeRejectReason, Side } from '../../core/types.ts';

/** The market as the exchange saw it when an order arrived. */
export interface ArrivalMarket {
  readonly bidTicks: number | undefined;
  readonly askTicks: number | undefined;
  /** Lots the queue model put ahead of the accepted order (own earlier orders included); undefined if refused. */
  readonly aheadLots: number | undefined;
}

/**
 * How an own order filled; `cause` numbers the trade (`through`, `queue`) or book change (`cross`) behind
 * it, or for `take` (a taker order crossing on arrival) the book change whose view it took from.
 */
export interface FillRecord {
  readonly clientId: string;
  readonly side: Side;
  readonly priceTicks: number;
  readonly qtyLots: number;
  /** Lots still resting after this fill; 0 means the order is done. */
  readonly leavesLots: number;
  readonly how: 'through' | 'queue' | 'cross' | 'take';
  /** 1-based number of the market trade or of the book change that caused the fill, in arrival order. */
  readonly cause: number;
  readonly exchangeTime: Micros;
}

/**
 * Watches the matching engine from the venue's side, as things happen there (before any loss or delay on
 * the way to the bot): each order's arrival and outcome, every market trade (numbered from 1), every fill
 * with the event that caused it, cancels, and the market view's best prices after every book change (the
 * venue's mid for P&L). Observers only record; the run is the same with or without them.
 */
export interface ExchangeObserver {
  /** An order reached the exchange and was accepted or refused; `market` is what matching saw then. */
  onOrderArrival?(clientId: string, now: Micros, outcome: 'accepted' | ExchangeRejectReason, market: ArrivalMarket): void;
  onTrade?(seq: number, aggressor: Side, priceTicks: number, qtyLots: number, now: Micros): void;
  onFill?(fill: FillRecord): void;
  /** A cancel took the order off the book. */
  onCanceled?(clientId: string, now: Micros, leavesLots: number): void;
  onView?(now: Micros, bestBid: number | undefined, bestAsk: number | undefined): void;
}

/** One observer that tells each of `observers` everything, in the order given. */
export function combineObservers(...observers: (ExchangeObserver | undefined)[]): ExchangeObserver | undefined {
  const all = observers.filter((o): o is ExchangeObserver => o !== undefined);
  if (all.length <= 1) return all[0];
  return {
    onOrderArrival: (id, now, outcome, market) => {
      for (const o of all) o.onOrderArrival?.(id, now, outcome, market);
    },
    onTrade: (seq, aggressor, price, qty, now) => {
      for (const o of all) o.onTrade?.(seq, aggressor, price, qty, now);
    },
    onFill: (fill) => {
      for (const o of all) o.onFill?.(fill);
    },
    onCanceled: (id, now, leaves) => {
      for (const o of all) o.onCanceled?.(id, now, leaves);
    },
    onView: (now, bid, ask) => {
      for (const o of all) o.onView?.(now, bid, ask);
    },
  };
}
