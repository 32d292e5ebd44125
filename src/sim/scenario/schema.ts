import { z } from 'zod';
import { expectationsSchema } from './expectations.ts';
import { durationSchema, positiveDurationSchema } from './duration.ts';
import { latencyConfigSchema } from './latency-schema.ts';
import { defaultContractSize, defaultQuantityUnit } from '../market/replay/contract-size.ts';
import { FORMATS_WITH_LOCAL_TIME, REPLAY_FORMATS } from '../market/replay/replay-formats.ts';
import { PLAIN_NAME, PLAIN_NAME_RULE } from '../run/atomic-write.ts';
import { LIMITS as L, inRange, intInRange } from './ranges.ts';
import { checkScenarioScale } from './scenario-checks.ts';
import { baselines, spectralRadius } from '../market/hawkes.ts';

const probability = z.number().min(0).max(1);
const fee = inRange(-L.feeBps, L.feeBps, 'bps; no venue charges or pays 1 %');
const bps = (positive = false) => inRange(0, L.bps, 'bps, that is 100 %', { minExclusive: positive });
const usd = (min?: number) => inRange(min ?? 0, L.usd, 'USD', { minExclusive: min === undefined });
const unit = inRange(L.unitMin, L.unitMax, 'a price or quantity step');

/** A key of the old periodic-rebuild market: refused with what replaced it. */
const removed = (replacement: string) =>
  z
    .unknown()
    .superRefine((_, ctx) => ctx.addIssue({ code: 'custom', message: `was removed with the periodic book rebuild: ${replacement} (docs/market-model.md)` }))
    .optional();

const phaseSchema = z.strictObject({
  name: z.string().min(1),
  duration: positiveDurationSchema,
  /** Multiplies every arrival intensity (Hawkes baselines and cancellations). */
  intensity: inRange(0, L.intensity, 'times the calibrated activity').default(1),
  buy_share: probability.default(0.5),
  trade_rate_per_s: removed('set market.market_orders.rate_per_s and scale it per phase with intensity'),
  volatility_bps_per_sqrt_s: removed('volatility now comes from the order flow depleting and improving the touch; scale it with intensity'),
  impact_bps: removed('market orders move the price by sweeping the book'),
});

const rate = (why: string) => inRange(0, L.eventRatePerS, why, { minExclusive: true });
const branchingRatio = inRange(0, 1, 'a branching ratio: below 1 for a stationary process', { minExclusive: false }).default(0);

const syntheticMarketSchema = z
  .strictObject({
    source: z.literal('synthetic'),
    initial_mid: inRange(0, 1e15, 'a price', { minExclusive: true }),
    /** The initial spread, and the spread the refill rule leaves when a side empties. */
    spread_ticks: intInRange(1, L.spreadTicks, 'ticks').default(1),
    /** Ticks a side, from its touch, that limit orders and cancellations act on. */
    levels: z.number().int().min(1).max(1000),
    /** Initial quantity of each level, and of a refill. */
    depth_lots: inRange(0, L.lots, 'lots', { minExclusive: true }),
    market_orders: z.strictObject({
      /** Stationary mean rate at intensity 1 (immigrants and triggered arrivals together). */
      rate_per_s: rate('market orders per second; no venue prints more'),
      size_lots: z.strictObject({
        median: inRange(0, L.lots, 'lots', { minExclusive: true }),
        sigma: inRange(0, L.sizeSigma, 'a lognormal sigma of 3 already spans five orders of magnitude'),
        tail_share: probability.default(0),
        tail_min: inRange(0, L.lots, 'lots', { minExclusive: true }).default(1),
        tail_exponent: inRange(L.tailExponentMin, 100, 'a Pareto exponent; at 1 or below the mean size is infinite', { minExclusive: true }).default(2),
      }),
      /** Sign regime: flips with flip_prob per market order; an order follows it with follow, else buy_share decides. */
      sign: z.strictObject({ follow: probability.default(0), flip_prob: probability.default(0.5) }).prefault({}),
    }),
    limit_orders: z.strictObject({
      rate_per_s: rate('limit orders per second'),
      size_lots: inRange(0, L.lots, 'lots', { minExclusive: true }),
      /** Probability that a limit order not improving the touch joins it (else it goes behind). */
      touch_share: probability.default(0.5),
      depth_decay_ticks: inRange(0, L.spreadTicks, 'ticks', { minExclusive: true }),
      improve_prob: probability.default(0.5),
      /** Limit orders inside a spread wider than a tick: a rate per second, plus one per tick of spread beyond one. */
      inside_rate_per_s: inRange(0, L.eventRatePerS, 'per second').default(0),
      inside_rate_per_tick_s: inRange(0, L.eventRatePerS, 'per second per tick').default(0),
    }),
    /** Share of the resting lots within `levels` ticks cancelled per second. */
    cancel_rate_per_s: inRange(0, L.eventRatePerS, 'per second'),
    /** The same for the lots at the touch; cancel_rate_per_s when not given. */
    touch_cancel_rate_per_s: inRange(0, L.eventRatePerS, 'per second').optional(),
    hawkes: z
      .strictObject({
        decay_per_s: inRange(0, L.eventRatePerS, 'per second', { minExclusive: true }),
        /** Expected arrivals of the first kind one arrival of the second kind triggers. */
        market_market: branchingRatio,
        market_limit: branchingRatio,
        limit_market: branchingRatio,
        limit_limit: branchingRatio,
      })
      .prefault({ decay_per_s: 1 }),
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
    book_interval: removed('the book now changes event by event (market.limit_orders, market.cancel_rate_per_s)'),
    level_refresh_prob: removed('levels change by limit orders and cancellations (market.limit_orders, market.cancel_rate_per_s)'),
    trade_size_lots: removed('use market.market_orders.size_lots (a lognormal body with a Pareto tail)'),
  })
  .superRefine((m, ctx) => {
    const h = m.hawkes;
    const g = [h.market_market, h.market_limit, h.limit_market, h.limit_limit] as const;
    const rho = spectralRadius(g);
    if (rho >= 1) {
      ctx.addIssue({ code: 'custom', path: ['hawkes'], message: `the branching matrix's spectral radius is ${rho.toPrecision(3)}: it must be below 1 for a stationary market (lower the branching ratios)` });
      return;
    }
    const [muM, muL] = baselines([m.market_orders.rate_per_s, m.limit_orders.rate_per_s], g);
    if (!(muM > 0)) {
      ctx.addIssue({ code: 'custom', path: ['market_orders', 'rate_per_s'], message: `is below what the limit orders trigger alone (limit_orders.rate_per_s x hawkes.market_limit): raise it or lower hawkes.market_limit` });
    }
    if (!(muL > 0)) {
      ctx.addIssue({ code: 'custom', path: ['limit_orders', 'rate_per_s'], message: `is below what the market orders trigger alone (market_orders.rate_per_s x hawkes.limit_market): raise it or lower hawkes.limit_market` });
    }
  });

/** A recorded market (see docs/replay.md): the recording's book is the book the bot sees. */
const replayMarketSchema = z
  .strictObject({
    source: z.literal('replay'),
    format: z.enum(REPLAY_FORMATS),
    /** Relative to the scenario file. Several files (Tardis: a book file and a trades file) are merged by receive time. */
    path: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).transform((p) => (typeof p === 'string' ? [p] : p)),
    symbol: z.string().min(1),
    /** `recorded`: the recording's receive time minus exchange time (offset removed); `model`: exchange.latency.feed. */
    feed_latency: z.enum(['recorded', 'model']).default('recorded'),
    /** Added to each recorded latency: the one-way delay that removing the recorder's clock offset hides. */
    recorded_base: durationSchema.prefault('0ms'),
    /**
     * `base`: sizes in the base asset. `contracts`: inverse contracts of `contract_size` quote units each
     * (venue defaults: Binance COIN-M 100 USD for BTCUSD, 10 USD otherwise; Bybit inverse 1 USD), converted
     * at each price. `quote`: sizes in the quote currency (contracts of 1). Default: `contracts` for
     * binance_coinm (its sizes are always contracts), `base` otherwise.
     */
    quantity_unit: z.enum(['base', 'quote', 'contracts']).optional(),
    /** Quote currency per contract with `quantity_unit: contracts`; defaults by venue (see contract-size.ts). */
    contract_size: inRange(0, L.usd, 'quote currency per contract', { minExclusive: true }).optional(),
    /** Lines read out of order by less than this much exchange time are put in order (docs/replay.md, "Time"). */
    reorder_window: durationSchema
      .refine((us) => us <= 60_000_000, { message: 'at most 60s: the replay holds every line of one window in memory' })
      .prefault('250ms'),
    /** The bot's feed sees the bookTicker overlay too (a bot subscribed to bookTicker); false: depth only. */
    ticker_to_bot: z.boolean().default(true),
    /** Replay only this much of the recording, from its first message. */
    duration: positiveDurationSchema.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.path.length > 1 && m.format !== 'tardis') {
      ctx.addIssue({ code: 'custom', path: ['path'], message: `several files are for tardis (a book file and a trades file); ${m.format} takes one` });
    }
    const unit = m.quantity_unit ?? defaultQuantityUnit(m.format);
    if (m.format === 'binance_coinm' && unit === 'base') {
      ctx.addIssue({ code: 'custom', path: ['quantity_unit'], message: 'binance_coinm sizes are contracts (100 USD for BTCUSD, 10 USD for the others): use quantity_unit: contracts' });
    }
    if (m.contract_size !== undefined && unit !== 'contracts') {
      ctx.addIssue({ code: 'custom', path: ['contract_size'], message: `contract_size is for quantity_unit: contracts (here ${unit})` });
    }
    if (unit === 'contracts' && m.contract_size === undefined && defaultContractSize(m.format, m.symbol) === undefined) {
      ctx.addIssue({ code: 'custom', path: ['contract_size'], message: `${m.format} has no default contract size: give contract_size (quote currency per contract)` });
    }
    if (m.feed_latency === 'recorded' && !FORMATS_WITH_LOCAL_TIME.includes(m.format)) {
      ctx.addIssue({
        code: 'custom',
        path: ['feed_latency'],
        message: `${m.format} recordings have no receive times: use feed_latency: model (and exchange.latency.feed)`,
      });
    }
  });

/** `risk_averse`, `log`, or `{ model: power, n }` (the string forms are shorthand for `{ model: ... }`). */
const queueModelSchema = z.union([
  z
    .enum(['risk_averse', 'log', 'power'])
    .refine((m) => m !== 'power', { message: 'power needs its exponent: {model: power, n: 3}' })
    .transform((model) => ({ model: model as 'risk_averse' | 'log' })),
  z.discriminatedUnion('model', [
    z.strictObject({ model: z.literal('risk_averse') }),
    z.strictObject({ model: z.literal('log') }),
    z.strictObject({ model: z.literal('power'), n: inRange(0, L.queuePower, 'an exponent', { minExclusive: true }) }),
  ]),
]);

const rateLimitSchema = z.strictObject({
  max_requests: intInRange(1, L.requests, 'requests per window'),
  window: positiveDurationSchema,
  include_cancels: z.boolean().default(false),
  /** Refused requests within `ban_window` that trigger a ban; 0 never bans. */
  ban_after: intInRange(0, L.requests, 'refusals').default(0),
  ban_window: positiveDurationSchema.prefault('10s'),
  ban_duration: positiveDurationSchema.prefault('30s'),
});

const exchangeSchema = z.strictObject({
  latency: latencyConfigSchema,
  fees: z.strictObject({ maker_bps: fee, taker_bps: fee }),
  min_size_lots: intInRange(1, L.lots, 'lots').default(1),
  min_notional_usd: usd(0).default(0),
  price_band_bps: bps(true).optional(),
  rate_limit: rateLimitSchema.optional(),
  margin: z
    .strictObject({ balance_usd: usd(), leverage: inRange(0, L.leverage, 'no venue lends more', { minExclusive: true }) })
    .optional(),
  queue_model: queueModelSchema.prefault('risk_averse'),
  /** Session heartbeat and book snapshot interval; 0 sends none. */
  heartbeat: durationSchema.prefault('1s'),
});

const window = { at: durationSchema, duration: positiveDurationSchema };
const faultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('disconnect'), ...window }),
  z.strictObject({ kind: z.literal('latency_spike'), ...window, factor: inRange(1, L.spikeFactor, 'beyond that the link is down: use a disconnect fault') }),
  z.strictObject({ kind: z.literal('reject_storm'), ...window, probability }),
  z.strictObject({ kind: z.literal('feed_freeze'), ...window }),
  z.strictObject({ kind: z.literal('ack_loss'), ...window, probability }),
  z.strictObject({ kind: z.literal('list_responses'), ...window }),
]);

/** The bot's connection watchdog and recon settings. */
const sessionSchema = z.strictObject({
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
const ladderSchema = z.strictObject({
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
const avellanedaStoikovSchema = z.strictObject({
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
const moduleStrategySchema = z.strictObject({
  module: z
    .string()
    .min(1)
    .max(4096)
    .refine((p) => /\.(ts|mts|js|mjs)$/.test(p), { message: 'a strategy module is a .ts or .js file (also .mts, .mjs)' }),
  params: z.record(z.string(), z.unknown()).default({}),
  session: sessionSchema.prefault({}),
  feed: strategyFeedSchema.prefault({}),
});

const strategySchema = z.union([moduleStrategySchema, z.discriminatedUnion('kind', [ladderSchema, avellanedaStoikovSchema])]);

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
  market: z.discriminatedUnion('source', [syntheticMarketSchema, replayMarketSchema]),
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
