import type { Micros } from '../../core/clock.ts';
import type { Instrument } from '../../core/types.ts';
import type { OrderBook } from '../exchange/order-book.ts';
import type { Streams } from '../clock/rng.ts';
import type { SyntheticMarketSpec } from '../scenario/schema.ts';
import { OrderFlowMarket } from './order-flow.ts';
import type { MarketListener, MarketPhase, SyntheticMarketConfig } from './synthetic-market.ts';
import { LoopLimitError } from '../clock/virtual-clock.ts';
import type { VirtualClock } from '../clock/virtual-clock.ts';

/** Callbacks run between two awaits of the run's `pace` hook: a few ms of work, so the pause costs nothing. */
export const PACE_SLICE_EVENTS = 4096;

/**
 * The market side of a run: what moves the book and prints trades. `prepare` reads what must be known
 * before the bot starts, `run` drives the clock to the end, `report` describes what the market did.
 */
export interface MarketDriver {
  prepare(): Promise<void>;
  start(): void;
  /** Runs the clock to the end of the market; returns the run's end time. */
  run(maxEvents: number, pace: (() => Promise<void>) | undefined): Promise<Micros>;
  report(): Record<string, unknown>;
  /** After `prepare`: a replay's exchange epoch time (µs) of virtual time 0. */
  epochStartUs?(): Micros | undefined;
}

export function phasesOf(m: SyntheticMarketSpec): MarketPhase[] {
  let t = 0;
  return m.phases.map((p) => {
    const phase = { name: p.name, startUs: t, endUs: t + p.duration, intensity: p.intensity, buyShare: p.buy_share };
    t = phase.endUs;
    return phase;
  });
}

/** The scenario's `market:` section as the generator's configuration, prices in ticks. */
export function syntheticConfig(m: SyntheticMarketSpec, tickSize: number): SyntheticMarketConfig {
  const mo = m.market_orders;
  const lo = m.limit_orders;
  const h = m.hawkes;
  return {
    initialMidTicks: m.initial_mid / tickSize,
    spreadTicks: m.spread_ticks,
    levels: m.levels,
    depthLots: m.depth_lots,
    marketRatePerS: mo.rate_per_s,
    limitRatePerS: lo.rate_per_s,
    branching: [h.market_market, h.market_limit, h.limit_market, h.limit_limit],
    decayPerS: h.decay_per_s,
    marketSize: {
      median: mo.size_lots.median,
      sigma: mo.size_lots.sigma,
      tailShare: mo.size_lots.tail_share,
      tailMin: mo.size_lots.tail_min,
      tailExponent: mo.size_lots.tail_exponent,
    },
    signFollow: mo.sign.follow,
    signFlipProb: mo.sign.flip_prob,
    limitSizeLots: lo.size_lots,
    touchShare: lo.touch_share,
    depthDecayTicks: lo.depth_decay_ticks,
    improveProb: lo.improve_prob,
    insideRatePerS: lo.inside_rate_per_s,
    insideRatePerTickS: lo.inside_rate_per_tick_s,
    requoteRatePerS: m.requote.rate_per_s,
    requoteFollow: m.requote.follow,
    requoteSizeLots: m.requote.size_lots,
    requoteMoveShare: m.requote.move_share,
    cancelRatePerS: m.cancel_rate_per_s,
    touchCancelRatePerS: m.touch_cancel_rate_per_s ?? m.cancel_rate_per_s,
    phases: phasesOf(m),
  };
}

export interface DriverDeps {
  readonly clock: VirtualClock;
  readonly book: OrderBook;
  readonly instrument: Instrument;
  readonly listener: MarketListener;
}

export function syntheticDriver(m: SyntheticMarketSpec, deps: DriverDeps, streams: Streams): MarketDriver {
  const config = syntheticConfig(m, deps.instrument.tickSize);
  const endUs = config.phases[config.phases.length - 1]!.endUs;
  const inst = deps.instrument;
  const market = new OrderFlowMarket(
    deps.clock,
    deps.book,
    config,
    { arrivals: streams.market_arrivals, sizes: streams.market_sizes, signs: streams.market_signs, levels: streams.market_levels },
    deps.listener,
  );
  return {
    prepare: async () => {},
    start: () => market.start(),
    run: async (maxEvents, pace) => {
      await runSliced(deps.clock, maxEvents, pace, () => endUs);
      return endUs;
    },
    report: () => ({ ...market.stats, final_mid: market.midTicks * inst.tickSize }),
  };
}

/**
 * Runs the clock to `horizon()` in slices of PACE_SLICE_EVENTS callbacks, awaiting `pace` between
 * slices. With `more`, reaching the horizon awaits more input and goes on until `more` says the input is
 * done. The loop limit (`run.max_events`) applies to the whole run, with the same error as one runUntil.
 */
export async function runSliced(
  clock: VirtualClock,
  maxEvents: number,
  pace: (() => Promise<void>) | undefined,
  horizon: () => Micros,
  more?: () => Promise<boolean>,
): Promise<void> {
  let inputDone = more ? await more() : true;
  for (;;) {
    const budget = Math.min(PACE_SLICE_EVENTS, maxEvents - clock.eventsProcessed);
    if (clock.runUntilAtMost(horizon(), budget)) {
      if (inputDone) return;
      inputDone = await more!();
      continue;
    }
    if (clock.eventsProcessed >= maxEvents) throw new LoopLimitError('runUntil', maxEvents, clock.now());
    if (pace) await pace();
  }
}
