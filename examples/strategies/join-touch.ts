// join-touch.ts: the smallest useful market maker. It keeps one post-only order at the best bid and
// one at the best ask of the book its feed delivers, and moves them when the touch moves.
//
// Run it with a scenario whose strategy section names this file (the path is relative to the scenario):
//
//   strategy:
//     module: ../examples/strategies/join-touch.ts
//     params: {qty: 0.005}
//
// Everything it sees and does goes through the StrategyContext: prices and quantities are the venue's
// decimals (multiples of ctx.instrument.tickSize and lotSize), times are microseconds on the bot's clock.
import type { BookView, OrderUpdate, Side, Strategy, StrategyContext } from 'mmsim';

interface Params {
  /** Order size in the base asset; rounded down to whole lots (at least one). */
  qty?: number;
}

export default function joinTouch(params: Params): Strategy {
  // Our order on each side, if any: its id and its price.
  const resting: Record<Side, { id: string; price: number } | undefined> = { buy: undefined, sell: undefined };

  const quote = (ctx: StrategyContext, side: Side, price: number | undefined): void => {
    const current = resting[side];
    if (current && current.price === price) return; // already there: keep the place in the queue
    if (current) ctx.cancel(current.id); // the order manager sends it once, after the ack if need be
    resting[side] = undefined;
    if (price === undefined) return;
    const { lotSize } = ctx.instrument;
    const lots = Math.max(1, Math.floor((params.qty ?? lotSize) / lotSize + 1e-9));
    resting[side] = { id: ctx.place({ side, price, qty: lots * lotSize }), price };
  };

  return {
    onBook(ctx: StrategyContext, book: BookView) {
      quote(ctx, 'buy', book.bids[0]?.price);
      quote(ctx, 'sell', book.asks[0]?.price);
    },
    onOrder(_ctx: StrategyContext, update: OrderUpdate) {
      // A rejected, canceled or completely filled order no longer rests: the next book quotes that side again.
      const gone = update.type === 'rejected' || update.type === 'canceled' || (update.type === 'fill' && update.leavesQty === 0);
      if (!gone) return;
      for (const side of ['buy', 'sell'] as const) if (resting[side]?.id === update.id) resting[side] = undefined;
    },
  };
}
