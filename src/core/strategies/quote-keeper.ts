import type { Quotes } from '../quote-policy.ts';
import type { BuiltinContext, BuiltinStrategy } from '../strategy-host.ts';
import type { OrderUpdate } from '../strategy.ts';

/**
 * Keeps a strategy's resting quotes on their targets, one order per side and level: an order within
 * `toleranceTicks` of its level's target keeps its place in the queue, any other is canceled (the order
 * manager holds a cancel of an unacknowledged order until its ack), and each level left uncovered gets
 * a new order, bid before ask, level by level. A side with fewer targets than levels is quoted only
 * that far; nothing new is sent during a rate-limit back-off.
 */
export class QuoteKeeper {
  /** Quote level of each order placed through this keeper (absent: not one of its quotes, e.g. a recon orphan). */
  private readonly levels = new Map<string, number>();

  constructor(private readonly maxLevels: number) {}

  apply(ctx: BuiltinContext, quotes: Quotes, toleranceTicks: number): void {
    const inst = ctx.instrument;
    const covered = { buy: new Array<boolean>(this.maxLevels).fill(false), sell: new Array<boolean>(this.maxLevels).fill(false) };
    for (const order of ctx.openOrders()) {
      if (order.status === 'pending_cancel') continue;
      const level = this.levels.get(order.id);
      const wanted = level === undefined ? undefined : order.side === 'buy' ? quotes.bids[level] : quotes.asks[level];
      if (wanted !== undefined && Math.abs(wanted - Math.round(order.price / inst.tickSize)) <= toleranceTicks && !covered[order.side][level!]) {
        covered[order.side][level!] = true;
      } else {
        ctx.cancel(order.id);
      }
    }
    if (ctx.backingOff()) return;
    for (let level = 0; level < this.maxLevels; level++) {
      if (!covered.buy[level] && level < quotes.bids.length) this.send(ctx, 'buy', level, quotes.bids[level]!, quotes.bidLots[level]!);
      if (!covered.sell[level] && level < quotes.asks.length) this.send(ctx, 'sell', level, quotes.asks[level]!, quotes.askLots[level]!);
    }
  }

  /** Forgets an order that is gone (rejected, canceled, filled completely). */
  onUpdate(update: OrderUpdate): void {
    if (update.type === 'accepted' || (update.type === 'fill' && update.leavesQty > 0)) return;
    this.levels.delete(update.id);
  }

  private send(ctx: BuiltinContext, side: 'buy' | 'sell', level: number, ticks: number, lots: number): void {
    const inst = ctx.instrument;
    this.levels.set(ctx.place({ side, price: ticks * inst.tickSize, qty: lots * inst.lotSize }), level);
  }
}

/** Best bid and ask of a book view in ticks, or undefined when a side is empty. */
export function touchTicks(ctx: BuiltinContext): { bidTicks: number; askTicks: number } | undefined {
  const book = ctx.book();
  const bid = book?.bids[0];
  const ask = book?.asks[0];
  if (!bid || !ask) return undefined;
  const tick = ctx.instrument.tickSize;
  return { bidTicks: Math.round(bid.price / tick), askTicks: Math.round(ask.price / tick) };
}

/** How far the mid moved from `lastMid`, in bps (infinite before the first quote). */
export function movedBps(mid: number, lastMid: number): number {
  return lastMid === 0 ? Infinity : (Math.abs(mid - lastMid) / lastMid) * 10_000;
}

const REFRESH = 'refresh';

/**
 * The requote loop both built-in quoting strategies share: requote every `refreshUs`, when an order is
 * done filling, and when the bot may quote again (after a freeze or recon); updates go to the keeper.
 * The strategy adds its own `onBook`.
 */
export function requoteLoop(
  refreshUs: number,
  keeper: QuoteKeeper,
  requote: (ctx: BuiltinContext) => void,
): Pick<BuiltinStrategy, 'onStart' | 'onOrder' | 'onTimer' | 'onReady'> {
  return {
    onStart(ctx) {
      ctx.setTimer(REFRESH, refreshUs);
    },
    onOrder(ctx, update) {
      keeper.onUpdate(update);
      if (update.type === 'fill' && update.leavesQty === 0) requote(ctx);
    },
    onTimer(ctx, name) {
      if (name !== REFRESH) return;
      requote(ctx);
      ctx.setTimer(REFRESH, refreshUs);
    },
    onReady(ctx) {
      requote(ctx);
    },
  };
}
