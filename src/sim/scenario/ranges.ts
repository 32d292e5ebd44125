import { z } from 'zod';

/**
 * Sane ranges for the scenario's numbers (docs/limits.md lists them). A value outside its range is a
 * schema error naming the field and the reason, never an overflow or a NaN later in the run: each bound
 * is far beyond any real venue or bot, and tight enough that the run's arithmetic stays exact (virtual
 * times are safe integers of microseconds, prices and sizes finite).
 */

const fmt = (x: number): string => (Math.abs(x) >= 1e6 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential() : String(x));

/** A finite number in [min, max]; `why` says what the upper bound stands for. */
export function inRange(min: number, max: number, why: string, options: { minExclusive?: boolean } = {}) {
  const low = options.minExclusive
    ? z.number().gt(min, { message: `must be greater than ${fmt(min)}` })
    : z.number().min(min, { message: `must be at least ${fmt(min)}` });
  return low.max(max, { message: `must be at most ${fmt(max)} (${why})` });
}

/** A whole number in [min, max]. */
export function intInRange(min: number, max: number, why: string) {
  return z
    .number()
    .int()
    .min(min, { message: `must be at least ${fmt(min)}` })
    .max(max, { message: `must be at most ${fmt(max)} (${why})` });
}

/** The bounds, by what they bound; shared by the schema, the cross-field checks and docs/limits.md. */
export const LIMITS = {
  /** One-way latency of one message, ms: beyond a minute the link is down (use a disconnect fault). */
  latencyMs: 60_000,
  /** Lognormal sigma: 3 puts the 99.99th percentile 70,000x above the median. */
  lognormalSigma: 3,
  /** median_ms x e^(6 sigma), the one-in-a-billion draw of a lognormal latency, ms (one hour). */
  lognormalTailMs: 3_600_000,
  /** rate_scaling.reference_rate_per_s, lowest: latency is multiplied by 1 + rate / reference, so a tiny one overflows. */
  referenceRateMin: 0.001,
  referenceRateMax: 1e9,
  /** latency_spike.factor: beyond 1000x the link is down (use a disconnect fault). */
  spikeFactor: 1_000,
  /** Arrivals per second of one kind in the synthetic order flow (busier than any venue's busiest book). */
  eventRatePerS: 100_000,
  /** A phase's intensity multiplier. */
  intensity: 1_000,
  /** Lowest Pareto tail exponent of market-order sizes: below 1 the mean is infinite. */
  tailExponentMin: 1,
  /** Fees, bps of the notional, either sign (no venue charges or pays 1 %). */
  feeBps: 100,
  /** Spreads, steps, skews, thresholds and price bands, bps (100 %). */
  bps: 10_000,
  /** Tick and lot sizes, both ways. */
  unitMin: 1e-12,
  unitMax: 1e9,
  /** The initial mid in ticks: at most 1e12 keeps every price an exact integer of ticks. */
  midTicksMax: 1e12,
  /** Quantities in lots (book depth, trade sizes, minimum order size). */
  lots: 1e12,
  /** Money amounts in USD (sizes, limits, balances). */
  usd: 1e15,
  leverage: 1_000,
  /** Lognormal sigma of trade sizes. */
  sizeSigma: 3,
  /** Book levels of the synthetic market's ladder from the best price (at most). */
  spreadTicks: 100_000,
  /** Power queue model exponent. */
  queuePower: 100,
  /** Requests in a rate-limit window, and refusals before a ban. */
  requests: 1e9,
  /** run.max_events: about an hour and a half of the fastest run; the default is 50 million. */
  maxEvents: 1e10,
  /** A synthetic run's length (all phases): 30 days of virtual time. */
  runLengthUs: 30 * 24 * 3_600 * 1e6,
  /** Markout horizons per run (one CSV column and report entry each). */
  markoutHorizons: 32,
} as const;
