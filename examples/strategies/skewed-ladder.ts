// skewed-ladder.ts: a ladder of post-only quotes on each side whose centre leans against inventory.
// Long, it lowers both sides (sells more eagerly, buys less); short, it raises them. It requotes on a
// timer and whenever the mid has moved, keeping each order whose price is still right.
//
//   strategy:
//     module: ../examples/strategies/skewed-ladder.ts
//     params: {levels: 3, spread_bps: 4, step_bps: 2, size_usd: 300, skew_bps: 3, max_position_usd: 5000, refresh_ms: 1000}
import type { OrderView, Strategy, StrategyContext } from 'mmsim';

interface Params {
  levels?: number;
  /** Distance between the inner bid and ask, in bps of the centre. */
  spread_bps?: number;
  /** Extra distance of each further level, in bps. */
  step_bps?: number;
  size_usd?: number;
  /** How far the centre moves at a full position (|position| = max_position_usd), in bps. */
  skew_bps?: number;
  max_position_usd?: number;
  refresh_ms?: number;
}

export default function skewedLadder(params: Params): Strategy {
  const p = {
    levels: params.levels ?? 3,
    spreadBps: params.spread_bps ?? 4,
    stepBps: params.step_bps ?? 2,
    sizeUsd: params.size_usd ?? 300,
    skewBps: params.skew_bps ?? 3,
    maxPositionUsd: params.max_position_usd ?? 5000,
    refreshUs: (params.refresh_ms ?? 1000) * 1000,
  };
  if (p.levels < 1 || !Number.isInteger(p.levels)) throw new Error(`levels must be a whole number >= 1, was ${params.levels}`);
  let lastMid = 0;

  const requote = (ctx: StrategyContext): void => {
    const book = ctx.book();
    const bid = book?.bids[0]?.price;
    const ask = book?.asks[0]?.price;
    if (bid === undefined || ask === undefined) return;
    const { tickSize, lotSize } = ctx.instrument;
    const mid = (bid + ask) / 2;
    lastMid = mid;
    const pos = ctx.position();
    const inventory = Math.max(-1, Math.min(1, (Math.sign(pos.qty) * pos.notionalUsd) / p.maxPositionUsd));
    const centre = mid * (1 - (p.skewBps * inventory) / 10_000);
    // Wanted prices in ticks (integers compare exactly), never crossing the touch we see.
    const want = { buy: [] as number[], sell: [] as number[] };
    for (let level = 0; level < p.levels; level++) {
      const offset = (p.spreadBps / 2 + level * p.stepBps) / 10_000;
      want.buy.push(Math.min(Math.floor((centre * (1 - offset)) / tickSize), Math.round(ask / tickSize) - 1 - level));
      want.sell.push(Math.max(Math.ceil((centre * (1 + offset)) / tickSize), Math.round(bid / tickSize) + 1 + level));
    }
    // Keep the orders already at a wanted price, cancel the rest, place what is missing.
    const live = ctx.openOrders().filter((o: OrderView) => o.status !== 'pending_cancel');
    for (const side of ['buy', 'sell'] as const) {
      const missing = new Set(want[side]);
      for (const o of live.filter((x) => x.side === side)) {
        const ticks = Math.round(o.price / tickSize);
        if (missing.has(ticks)) missing.delete(ticks);
        else ctx.cancel(o.id);
      }
      for (const ticks of missing) {
        const lots = Math.max(1, Math.round(p.sizeUsd / (ticks * tickSize * lotSize)));
        ctx.place({ side, price: ticks * tickSize, qty: lots * lotSize });
      }
    }
  };

  return {
    onStart(ctx) {
      ctx.setTimer('refresh', p.refreshUs);
    },
    onBook(ctx, book) {
      const bid = book.bids[0]?.price;
      const ask = book.asks[0]?.price;
      if (bid === undefined || ask === undefined) return;
      if (lastMid === 0 || Math.abs((bid + ask) / 2 - lastMid) / lastMid >= 0.5 / 10_000) requote(ctx);
    },
    onOrder(ctx, update) {
      if (update.type === 'fill' && update.leavesQty === 0) requote(ctx); // inventory changed: lean again
    },
    onTimer(ctx, name) {
      if (name !== 'refresh') return;
      requote(ctx);
      ctx.setTimer('refresh', p.refreshUs);
    },
  };
}
