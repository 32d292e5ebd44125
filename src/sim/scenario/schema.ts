import { z } from 'zod';
import { expectationsSchema } from '../expectations.ts';
import { durationSchema, positiveDurationSchema } from './duration.ts';

const nonNegative = z.number().nonnegative();
const positive = z.number().positive();
const probability = z.number().min(0).max(1);

const latencySchema = z.discriminatedUnion('dist', [
  z.strictObject({ dist: z.literal('constant'), ms: nonNegative }),
  z.strictObject({ dist: z.literal('lognormal'), median_ms: nonNegative, sigma: nonNegative }),
]);

const phaseSchema = z.strictObject({
  name: z.string().min(1),
  duration: positiveDurationSchema,
  trade_rate_per_s: nonNegative,
  volatility_bps_per_sqrt_s: nonNegative,
  impact_bps: nonNegative.default(0),
  buy_share: probability.default(0.5),
});

const syntheticMarketSchema = z.strictObject({
  source: z.literal('synthetic'),
  initial_mid: positive,
  spread_ticks: z.number().int().min(1).default(1),
  levels: z.number().int().min(1).max(1000),
  depth_lots: positive,
  level_refresh_prob: probability.default(0.1),
  book_interval: positiveDurationSchema,
  trade_size_lots: z.strictObject({ median: positive, sigma: nonNegative }),
  phases: z
    .array(phaseSchema)
    .min(1)
    .superRefine((phases, ctx) => {
      const seen = new Set<string>();
      phases.forEach((p, i) => {
        if (seen.has(p.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate phase name "${p.name}"` });
        seen.add(p.name);
      });
    }),
});

const exchangeSchema = z.strictObject({
  latency: z.strictObject({ entry: latencySchema, response: latencySchema, feed: latencySchema }),
  fees: z.strictObject({ maker_bps: z.number(), taker_bps: z.number() }),
  min_size_lots: z.number().int().min(1).default(1),
  queue_model: z.literal('risk_averse').default('risk_averse'),
});

const strategySchema = z.strictObject({
  levels: z.number().int().min(1).max(50),
  spread_bps: positive,
  level_step_bps: nonNegative,
  size_usd: positive,
  skew_bps: nonNegative.default(0),
  refresh: positiveDurationSchema,
  requote_threshold_bps: nonNegative,
});

const riskSchema = z.strictObject({
  max_position_usd: positive,
  max_total_notional_usd: positive,
  freeze_cooldown: durationSchema,
});

const pnlSchema = z
  .strictObject({
    markout_horizons: z.array(positiveDurationSchema).min(1).prefault(['100ms', '1s', '10s']),
    adverse_horizon: positiveDurationSchema.prefault('1s'),
  })
  .superRefine((p, ctx) => {
    if (!p.markout_horizons.includes(p.adverse_horizon)) {
      ctx.addIssue({ code: 'custom', path: ['adverse_horizon'], message: 'must be one of markout_horizons' });
    }
  });

const runSchema = z.strictObject({
  /** Guard against a scenario that schedules without end: the run fails after this many events. */
  max_events: z.number().int().positive().default(50_000_000),
});

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  seed: z.number().int().nonnegative().default(1),
  instrument: z.strictObject({ symbol: z.string().min(1), tick_size: positive, lot_size: positive }),
  market: syntheticMarketSchema,
  exchange: exchangeSchema,
  strategy: strategySchema,
  risk: riskSchema,
  pnl: pnlSchema.prefault({}),
  run: runSchema.prefault({}),
  /** Bounds on the report checked after the run: a miss makes `mmsim sim` exit 1. */
  expect: expectationsSchema.optional(),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type LatencyConfig = z.output<typeof latencySchema>;
