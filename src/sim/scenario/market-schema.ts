import { z } from 'zod';
import { durationSchema, positiveDurationSchema } from './duration.ts';
import { defaultContractSize, defaultQuantityUnit } from '../market/replay/contract-size.ts';
import { FORMATS_WITH_LOCAL_TIME, REPLAY_FORMATS } from '../market/replay/replay-formats.ts';
import { LIMITS as L, inRange, intInRange } from './ranges.ts';
import { probability } from './schema-fields.ts';
import { baselines, spectralRadius } from '../market/hawkes.ts';

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

export const syntheticMarketSchema = z
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
    /**
     * While the spread is wider than one tick, a level re-formed one tick from a touch at `rate_per_s`
     * (Poisson, times the phase's intensity): by the side that did not move with `follow`, else by the
     * side whose touch was depleted, at the price it left. Its size: `move_share` of the lots within
     * `levels` ticks of that side's touch (taken there), plus an exponential part with mean `size_lots`.
     */
    requote: z
      .strictObject({
        rate_per_s: inRange(0, L.eventRatePerS, 'per second').default(0),
        follow: probability.default(1),
        size_lots: inRange(0, L.lots, 'lots', { minExclusive: true }).default(1),
        /** The share of each level within `levels` ticks of the requoting side's touch that moves to the new level. */
        move_share: probability.default(0),
      })
      .prefault({}),
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
export const replayMarketSchema = z
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

/** The venues a shadow session reads live (docs/shadow.md). */
export const LIVE_VENUES = ['binance_usdm', 'binance_spot', 'bybit_linear'] as const;
export type LiveVenue = (typeof LIVE_VENUES)[number];

const url = (protocols: readonly string[]) =>
  z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL (${protocols.map((p) => `${p}//`).join(' or ')}...)` },
  );

/**
 * A live public market-data feed (`mmsim shadow` only; docs/shadow.md): the bot trades against the simulated
 * exchange, which matches against this venue's book and trades as they arrive, on the wall clock.
 */
export const liveMarketSchema = z
  .strictObject({
    source: z.literal('live'),
    venue: z.enum(LIVE_VENUES),
    /** As the venue spells it (`BTCUSDT`). */
    symbol: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be a venue symbol such as BTCUSDT'),
    /** Websocket base URL; without a path the venue's documented path is added (docs/shadow.md). Default: the venue's public one. */
    ws_url: url(['ws:', 'wss:']).optional(),
    /** REST base URL for Binance depth snapshots (Bybit sends its snapshot on the websocket). */
    rest_url: url(['http:', 'https:']).optional(),
    /**
     * Binance diff-depth update speed: USD-M `100ms` (default), `250ms` (`@depth`) or `500ms`; spot `100ms`
     * (default) or `1000ms` (`@depth`). Bybit ignores it (orderbook.50 pushes every 20 ms).
     */
    depth_speed: z.enum(['100ms', '250ms', '500ms', '1000ms']).default('100ms'),
    /**
     * `live` (default): the bot gets each market message as it arrives, the real network delay being the
     * feed latency; `model`: exchange.latency.feed is drawn on top of it (e.g. to test a slower bot).
     */
    feed_latency: z.enum(['live', 'model']).default('live'),
    /** First wait before a reconnect; doubled after each failed attempt up to `max_backoff`. */
    backoff: positiveDurationSchema.prefault('500ms'),
    max_backoff: positiveDurationSchema.prefault('30s'),
    /** End the session after this long (`--duration` overrides); without either, it runs until SIGINT or SIGTERM. */
    duration: positiveDurationSchema.optional(),
  })
  .superRefine((m, ctx) => {
    const speeds = m.venue === 'binance_spot' ? ['100ms', '1000ms'] : m.venue === 'binance_usdm' ? ['100ms', '250ms', '500ms'] : ['100ms'];
    if (!speeds.includes(m.depth_speed)) {
      ctx.addIssue({ code: 'custom', path: ['depth_speed'], message: `${m.venue} publishes depth diffs at ${speeds.join(' or ')}` });
    }
    if (m.rest_url !== undefined && m.venue === 'bybit_linear') {
      ctx.addIssue({ code: 'custom', path: ['rest_url'], message: 'bybit_linear takes its snapshot from the websocket: no rest_url' });
    }
    if (m.max_backoff < m.backoff) ctx.addIssue({ code: 'custom', path: ['max_backoff'], message: 'must be at least backoff' });
  });
