import type { Micros } from '../clock.ts';
import { lotsForUsd } from '../quote-policy.ts';
import type { Quotes } from '../quote-policy.ts';
import type { BuiltinContext, BuiltinStrategy } from '../strategy-host.ts';
import { QuoteKeeper, movedBps, requoteLoop, touchTicks } from './quote-keeper.ts';

export interface AvellanedaStoikovParams {
  /** Risk aversion gamma, per bps. */
  readonly gamma: number;
  /** Order-arrival intensity decay k, per bps (arrivals at distance d from the mid ~ A exp(-k d)). */
  readonly k: number;
  /** T - t, held constant: a rolling horizon. */
  readonly horizonUs: Micros;
  readonly sizeUsd: number;
  /** Beyond this |position| the side that would grow it is not quoted (undefined: no such limit). */
  readonly maxPositionUsd?: number | undefined;
  readonly volatilityHalflifeUs: Micros;
  readonly initialVolatilityBpsPerSqrtS: number;
  readonly refreshUs: Micros;
  readonly requoteThresholdBps: number;
}


/**
 * Running estimate of the mid's variance in bps² per second from the bot's own feed: an exponentially
 * weighted mean of r²/dt over book updates (r the log return in bps, dt in seconds), each weighted by
 * the time it covers (half-life `halflifeUs`).
 */
export class VolatilityEstimate {
  private variance: number;
  private lastMid = 0;
  private lastAt = 0;

  constructor(
    initialBpsPerSqrtS: number,
    private readonly halflifeUs: Micros,
  ) {
    this.variance = initialBpsPerSqrtS * initialBpsPerSqrtS;
  }

  observe(mid: number, at: Micros): void {
    if (!(mid > 0)) return;
    if (this.lastMid > 0) {
      // A second book at the same instant: the next return is measured from the first.
      if (at <= this.lastAt) return;
      const r = 10_000 * Math.log(mid / this.lastMid);
      const alpha = 1 - 2 ** (-(at - this.lastAt) / this.halflifeUs);
      this.variance += alpha * ((r * r) / ((at - this.lastAt) / 1e6) - this.variance);
    }
    this.lastMid = mid;
    this.lastAt = at;
  }

  /** sigma², bps² per second. */
  get varianceBps2PerS(): number {
    return this.variance;
  }
}

/**
 * Avellaneda and Stoikov (2008), with prices in bps of the mid s and inventory q in units of `sizeUsd`
 * (positive long): reservation price r = s - q·γ·σ²·τ and total spread δ = γ·σ²·τ + (2/γ)·ln(1 + γ/k),
 * quoting a bid at r - δ/2 and an ask at r + δ/2 (never crossing the book the bot sees). τ = T - t is a
 * constant horizon (the rolling-horizon form), σ the running estimate above. docs/strategies.md has the
 * derivation and the units.
 */
export function avellanedaStoikov(p: AvellanedaStoikovParams): BuiltinStrategy {
  const keeper = new QuoteKeeper(1);
  const vol = new VolatilityEstimate(p.initialVolatilityBpsPerSqrtS, p.volatilityHalflifeUs);
  let lastQuotedMid = 0;
  const tauS = p.horizonUs / 1e6;

  const requote = (ctx: BuiltinContext): void => {
    const touch = touchTicks(ctx);
    if (!ctx.canQuote() || !touch) return;
    const inst = ctx.instrument;
    const { bidTicks, askTicks } = touch;
    const mid = (bidTicks + askTicks) / 2;
    const position = ctx.position();
    const signedUsd = Math.sign(position.qty) * position.notionalUsd;
    const q = signedUsd / p.sizeUsd;
    const risk = p.gamma * vol.varianceBps2PerS * tauS;
    const reservationBps = -q * risk;
    const spreadBps = risk + (2 / p.gamma) * Math.log(1 + p.gamma / p.k);
    const bid = Math.min(Math.floor(mid * (1 + (reservationBps - spreadBps / 2) / 10_000)), askTicks - 1);
    const ask = Math.max(Math.ceil(mid * (1 + (reservationBps + spreadBps / 2) / 10_000)), bidTicks + 1);
    const limit = p.maxPositionUsd;
    const quotes: Quotes = { bids: [], asks: [], bidLots: [], askLots: [] };
    if (bid > 0 && (limit === undefined || signedUsd < limit)) {
      quotes.bids.push(bid);
      quotes.bidLots.push(lotsForUsd(inst, p.sizeUsd, bid));
    }
    if (limit === undefined || signedUsd > -limit) {
      quotes.asks.push(ask);
      quotes.askLots.push(lotsForUsd(inst, p.sizeUsd, ask));
    }
    lastQuotedMid = mid;
    keeper.apply(ctx, quotes, (mid * p.requoteThresholdBps) / 10_000);
  };

  return {
    ...requoteLoop(p.refreshUs, keeper, requote),
    onBook(ctx, book) {
      const touch = touchTicks(ctx);
      if (!touch) return;
      const mid = (touch.bidTicks + touch.askTicks) / 2;
      vol.observe(mid, book.time);
      if (movedBps(mid, lastQuotedMid) >= p.requoteThresholdBps) requote(ctx);
    },
  };
}
