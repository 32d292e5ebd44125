import { z } from 'zod';
import { durationSchema, positiveDurationSchema } from './duration.ts';
import { inRange } from './ranges.ts';
import { bps, usd } from './schema-fields.ts';

/** The bot's connection watchdog and recon settings. */
export const sessionSchema = z.strictObject({
  disconnect_timeout: positiveDurationSchema.prefault('3s'),
  max_book_age: positiveDurationSchema.prefault('2s'),
  /** Periodic recon; "0s" reconciles only after faults. */
  recon_interval: durationSchema.prefault('10s'),
  recon_timeout: positiveDurationSchema.prefault('2s'),
  watchdog_interval: positiveDurationSchema.prefault('100ms'),
  /** Pause after a rate_limited answer, doubling on repeats; "0s" never backs off. */
  rate_limit_backoff: durationSchema.prefault('1s'),
});

/** What the bot's market-data feed carries besides the bot's own order updates. */
const strategyFeedSchema = z.strictObject({
  /** Price levels per side in each book the bot receives (1: the top of book only). */
  depth_levels: z.number().int().min(1).max(50).default(1),
});

/** `kind: ladder` (the default, kind may be left out): the original quoting, fields as they always were. */
export const ladderSchema = z.strictObject({
  kind: z.literal('ladder').optional(),
  levels: z.number().int().min(1).max(50),
  spread_bps: bps(true),
  level_step_bps: bps(),
  size_usd: usd(),
  skew_bps: bps().default(0),
  refresh: positiveDurationSchema,
  requote_threshold_bps: bps(),
  session: sessionSchema.prefault({}),
  feed: strategyFeedSchema.prefault({}),
});

/** Avellaneda-Stoikov quoting (docs/strategies.md): reservation price and spread from risk aversion, arrival intensity and the mid's volatility. */
export const avellanedaStoikovSchema = z.strictObject({
  kind: z.literal('avellaneda_stoikov'),
  /** Risk aversion gamma, per bps. */
  gamma: inRange(0, 100, 'per bps', { minExclusive: true }),
  /** Order-arrival intensity decay k, per bps: fills fall e-fold for every 1/k bps farther from the mid. */
  k: inRange(0, 100, 'per bps', { minExclusive: true }),
  /** T - t, held constant (a rolling horizon). */
  horizon: positiveDurationSchema.prefault('10s'),
  size_usd: usd(),
  /** Above this |position| the side that would grow it is not quoted; default: no such limit (the risk monitor still applies). */
  max_position_usd: usd().optional(),
  /** The volatility estimate's half-life (an exponentially weighted mean of squared mid returns per second). */
  volatility_halflife: positiveDurationSchema.prefault('30s'),
  /** The estimate's starting value, until the feed has said more. */
  initial_volatility_bps_per_sqrt_s: inRange(0, 1_000, 'bps per square-root second, about 1000x a calm BTC market').default(1),
  refresh: positiveDurationSchema,
  requote_threshold_bps: bps(),
  session: sessionSchema.prefault({}),
  feed: strategyFeedSchema.prefault({}),
});

/** A user's strategy module (.ts or .js, relative to the scenario file), its default export a factory called with `params`. */
export const moduleStrategySchema = z.strictObject({
  module: z
    .string()
    .min(1)
    .max(4096)
    .refine((p) => /\.(ts|mts|js|mjs)$/.test(p), { message: 'a strategy module is a .ts or .js file (also .mts, .mjs)' }),
  params: z.record(z.string(), z.unknown()).default({}),
  session: sessionSchema.prefault({}),
  feed: strategyFeedSchema.prefault({}),
});

export const strategySchema = z.union([moduleStrategySchema, z.discriminatedUnion('kind', [ladderSchema, avellanedaStoikovSchema])]);
