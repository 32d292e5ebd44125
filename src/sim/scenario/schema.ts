import { z } from 'zod';
import { expectationsSchema } from './expectations.ts';
import { durationSchema, positiveDurationSchema } from './duration.ts';
import { exchangeSchema, faultSchema } from './exchange-schema.ts';
import { liveMarketSchema, replayMarketSchema, syntheticMarketSchema } from './market-schema.ts';
import { PLAIN_NAME, PLAIN_NAME_RULE } from '../run/atomic-write.ts';
import { LIMITS as L, inRange, intInRange } from './ranges.ts';
import { checkScenarioScale } from './scenario-checks.ts';
import { bps, probability, usd } from './schema-fields.ts';
import { strategySchema } from './strategy-schema.ts';
import type { avellanedaStoikovSchema, ladderSchema, moduleStrategySchema, sessionSchema } from './strategy-schema.ts';

const unit = inRange(L.unitMin, L.unitMax, 'a price or quantity step');

const riskSchema = z.strictObject({
  max_position_usd: usd(),
  max_total_notional_usd: usd(),
  freeze_cooldown: durationSchema,
  /** Virtual time between two interval samples of the risk ratio (fill samples are always taken). */
  sample_interval: positiveDurationSchema.prefault('1s'),
  /** Loss limit: the bot's P&L at its own marks below -max_loss_usd halts quoting for the rest of the run. */
  max_loss_usd: usd().optional(),
});

const pnlSchema = z
  .strictObject({
    markout_horizons: z.array(positiveDurationSchema).min(1).max(L.markoutHorizons).prefault(['100ms', '1s', '10s']),
    adverse_horizon: positiveDurationSchema.prefault('1s'),
  })
  .superRefine((p, ctx) => {
    p.markout_horizons.forEach((h, i) => {
      const first = p.markout_horizons.indexOf(h);
      if (first < i) ctx.addIssue({ code: 'custom', path: ['markout_horizons', i], message: `repeats markout_horizons[${first}] (${h / 1000} ms): each horizon once` });
    });
    if (!p.markout_horizons.includes(p.adverse_horizon)) {
      ctx.addIssue({ code: 'custom', path: ['adverse_horizon'], message: 'must be one of markout_horizons' });
    }
  });

/**
 * A maker programme's liquidity obligation, checked venue-side on the bot's resting orders (README,
 * "Maker-programme obligations"). Defaults: Bybit's spot BTCUSDT rule (40,000 USDT within 5 bps of mid,
 * a snapshot every 10 s, 75 % of snapshots qualified); no spread rule unless max_spread_bps is set.
 */
const obligationsSchema = z.strictObject({
  snapshot_interval: positiveDurationSchema
    .refine((us) => us >= 1_000, { message: 'at least 1ms: a snapshot per event would be the run itself' })
    .prefault('10s'),
  depth_within_bps: bps(true).default(5),
  min_depth_usd: usd().default(40_000),
  max_spread_bps: bps(true).optional(),
  min_pass_ratio: probability.default(0.75),
});

const runSchema = z.strictObject({
  /** Guard against a scenario that schedules without end: the run fails after this many events. */
  max_events: intInRange(1, L.maxEvents, 'events; a run that needs more is better split').default(50_000_000),
});

export const scenarioSchema = z
  .strictObject({
  name: z.string().regex(PLAIN_NAME, `must be ${PLAIN_NAME_RULE} (it names the output folder)`),
  description: z.string().optional(),
  seed: z.number().int().nonnegative().default(1),
  instrument: z.strictObject({ symbol: z.string().min(1), tick_size: unit, lot_size: unit }),
  market: z.discriminatedUnion('source', [syntheticMarketSchema, replayMarketSchema, liveMarketSchema]),
  exchange: exchangeSchema,
  strategy: strategySchema,
  risk: riskSchema,
  pnl: pnlSchema.prefault({}),
  run: runSchema.prefault({}),
  /** Maker-programme obligations measured every snapshot_interval; `report.json` has an `obligations` section only with them. */
  obligations: obligationsSchema.optional(),
  /** Timed faults: each acts on [at, at + duration), which must lie inside the run. */
  faults: z.array(faultSchema).default([]),
  /** Bounds on the report checked after the run: a miss makes `mmsim sim` exit 1. */
  expect: expectationsSchema.optional(),
  /**
   * The same scenario run several ways: each variant overrides fields by dotted path
   * (`exchange.queue_model: log`) and runs on its own; `mmsim sim` writes one report per variant.
   */
  variants: z
    .array(z.strictObject({ name: z.string().regex(PLAIN_NAME, `must be ${PLAIN_NAME_RULE} (it names a folder)`), set: z.record(z.string(), z.unknown()) }))
    .min(1)
    .superRefine((vs, ctx) => {
      const seen = new Set<string>();
      vs.forEach((v, i) => {
        if (seen.has(v.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate variant name "${v.name}"` });
        seen.add(v.name);
      });
    })
    .optional(),
})
  .superRefine((s, ctx) => {
    checkScenarioScale(s, ctx);
    // A replay's length is known only once its recording is read, unless it sets a duration.
    const endUs = s.market.source === 'synthetic' ? s.market.phases.reduce((t, p) => t + p.duration, 0) : (s.market.duration ?? Infinity);
    s.faults.forEach((f, i) => {
      if (f.at + f.duration > endUs) {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', i, f.at >= endUs ? 'at' : 'duration'],
          message: `fault ends at ${(f.at + f.duration) / 1e6}s, after the run ends (${endUs / 1e6}s)`,
        });
      }
      s.faults.forEach((g, j) => {
        if (j > i && g.kind === f.kind && g.at < f.at + f.duration && f.at < g.at + g.duration) {
          ctx.addIssue({ code: 'custom', path: ['faults', j, 'at'], message: `overlaps fault ${i} of the same kind (${f.kind})` });
        }
      });
    });
  });

export type Scenario = z.output<typeof scenarioSchema>;
export type SessionSpec = z.output<typeof sessionSchema>;
export type StrategySpec = z.output<typeof strategySchema>;
export type LadderSpec = z.output<typeof ladderSchema>;
export type AvellanedaStoikovSpec = z.output<typeof avellanedaStoikovSchema>;
export type ModuleStrategySpec = z.output<typeof moduleStrategySchema>;
export type SyntheticMarketSpec = z.output<typeof syntheticMarketSchema>;
export type ObligationsSpec = z.output<typeof obligationsSchema>;
export type ReplayMarketSpec = z.output<typeof replayMarketSchema>;

export type LiveMarketSpec = z.output<typeof liveMarketSchema>;
