import type { Micros } from '../clock.ts';
import { computeQuotes } from '../quote-policy.ts';
import type { QuoteParams } from '../quote-policy.ts';
import type { BuiltinContext, BuiltinStrategy } from '../strategy-host.ts';
import { QuoteKeeper, movedBps, requoteLoop, touchTicks } from './quote-keeper.ts';

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


/**
 * The original quoting (`kind: ladder`, the default): `levels` post-only orders a side around a
 * reservation price skewed against inventory (quote-policy.ts). It requotes on a refresh timer, when the
 * mid has moved `requote_threshold_bps` since the last quote, when an order has filled completely, and
 * when quoting is possible again; an order within the threshold of its target keeps its place in the
 * queue, any other is canceled and its level quoted afresh.
 */
export function ladder(p: LadderParams): BuiltinStrategy {
  const keeper = new QuoteKeeper(p.levels);
  let lastQuotedMid = 0;

  const requote = (ctx: BuiltinContext): void => {
    const touch = touchTicks(ctx);
    if (!ctx.canQuote() || !touch) return;
    const position = ctx.position();
    const quotes = computeQuotes(ctx.instrument, p, {
      ...touch,
      positionUsd: Math.sign(position.qty) * position.notionalUsd,
      maxPositionUsd: p.maxPositionUsd,
    });
    lastQuotedMid = (touch.bidTicks + touch.askTicks) / 2;
    keeper.apply(ctx, quotes, (lastQuotedMid * p.requoteThresholdBps) / 10_000);
  };

  return {
    ...requoteLoop(p.refreshUs, keeper, requote),
    onBook(ctx) {
      const touch = touchTicks(ctx);
      if (touch && movedBps((touch.bidTicks + touch.askTicks) / 2, lastQuotedMid) >= p.requoteThresholdBps) requote(ctx);
    },
  };
}
