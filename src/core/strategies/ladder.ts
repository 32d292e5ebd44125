import type { Micros } from '../clock.ts';
import { computeQuotes } from '../quote-policy.ts';
import type { QuoteParams } from '../quote-policy.ts';
import type { BuiltinContext, BuiltinStrategy } from '../strategy-host.ts';

export interface LadderParams extends QuoteParams {
  readonly refreshUs: Micros;
  /**
   * Requote as soon as the mid moves this far from the mid of the last quote, in bps; a resting order
   * within this distance of its target price is kept (and keeps its queue position).
   */
  readonly requoteThresholdBps: number;
  /** The position at which the skew is full (the risk limit's max_position_usd). */
  readonly maxPositionUsd: number;
}

const REFRESH = 'refresh';

/**
 * The original quoting (`kind: ladder`, the default): `levels` post-only orders a side around a
 * reservation price skewed against inventory (quote-policy.ts). It requotes on a refresh timer, when the
 * mid has moved `requote_threshold_bps` since the last quote, when an order has filled completely, and
 * when quoting is possible again; an order within the threshold of its target keeps its place in the
 * queue, any other is canceled and its level quoted afresh.
 */
export function ladder(p: LadderParams): BuiltinStrategy {
  /** Quote level of each order this strategy placed (absent: not one of its quotes, e.g. a recon orphan). */
  const levels = new Map<string, number>();
  let lastQuotedMid = 0;

  const requote = (ctx: BuiltinContext): void => {
    const book = ctx.book();
    if (!ctx.canQuote() || !book) return;
    const bid = book.bids[0];
    const ask = book.asks[0];
    if (!bid || !ask) return;
    const inst = ctx.instrument;
    const bidTicks = Math.round(bid.price / inst.tickSize);
    const askTicks = Math.round(ask.price / inst.tickSize);
    const position = ctx.position();
    const quotes = computeQuotes(inst, p, {
      bidTicks,
      askTicks,
      positionUsd: Math.sign(position.qty) * position.notionalUsd,
      maxPositionUsd: p.maxPositionUsd,
    });
    lastQuotedMid = (bidTicks + askTicks) / 2;
    const tolerance = (lastQuotedMid * p.requoteThresholdBps) / 10_000;
    const covered = { buy: new Array<boolean>(p.levels).fill(false), sell: new Array<boolean>(p.levels).fill(false) };
    for (const order of ctx.openOrders()) {
      if (order.status === 'pending_cancel') continue;
      const level = levels.get(order.id);
      const wanted = level === undefined ? undefined : order.side === 'buy' ? quotes.bids[level] : quotes.asks[level];
      // An order close enough to where it should be keeps its place in the queue.
      if (wanted !== undefined && Math.abs(wanted - Math.round(order.price / inst.tickSize)) <= tolerance && !covered[order.side][level!]) {
        covered[order.side][level!] = true;
      } else {
        ctx.cancel(order.id);
      }
    }
    if (ctx.backingOff()) return;
    const send = (side: 'buy' | 'sell', level: number, ticks: number, lots: number): void => {
      levels.set(ctx.place({ side, price: ticks * inst.tickSize, qty: lots * inst.lotSize }), level);
    };
    for (let level = 0; level < p.levels; level++) {
      if (!covered.buy[level]) send('buy', level, quotes.bids[level]!, quotes.bidLots[level]!);
      if (!covered.sell[level]) send('sell', level, quotes.asks[level]!, quotes.askLots[level]!);
    }
  };

  return {
    onStart(ctx) {
      ctx.setTimer(REFRESH, p.refreshUs);
    },
    onBook(ctx, book) {
      const bid = book.bids[0];
      const ask = book.asks[0];
      if (!bid || !ask) return;
      const tick = ctx.instrument.tickSize;
      const mid = (Math.round(bid.price / tick) + Math.round(ask.price / tick)) / 2;
      const movedBps = lastQuotedMid === 0 ? Infinity : (Math.abs(mid - lastQuotedMid) / lastQuotedMid) * 10_000;
      if (movedBps >= p.requoteThresholdBps) requote(ctx);
    },
    onOrder(ctx, update) {
      if (update.type === 'fill' && update.leavesQty > 0) return;
      if (update.type === 'accepted') return;
      levels.delete(update.id);
      if (update.type === 'fill') requote(ctx);
    },
    onTimer(ctx, name) {
      if (name !== REFRESH) return;
      requote(ctx);
      ctx.setTimer(REFRESH, p.refreshUs);
    },
    onReady(ctx) {
      requote(ctx);
    },
  };
}
