import { Registry } from 'prom-client';
import { BotMetrics } from '../core/bot-metrics.ts';
import { ExecutionLoop } from '../core/execution-loop.ts';
import { buildReport } from '../core/report.ts';
import type { Report } from '../core/report.ts';
import { validateReport } from '../core/report-validator.ts';
import { RiskMonitor } from '../core/risk-monitor.ts';
import type { Instrument } from '../core/types.ts';
import { EventDigest } from './event-digest.ts';
import { checkExpectations } from './expectations.ts';
import { fillsCsv } from './fills-csv.ts';
import type { ExpectationResult } from './expectations.ts';
import { OrderedChannel, createLatencyModel } from './latency-model.ts';
import { OrderBook } from './order-book.ts';
import { riskAverseQueue } from './queue-model.ts';
import { createStreams } from './rng.ts';
import type { Scenario } from './scenario/schema.ts';
import { SimExchange } from './sim-exchange.ts';
import { SyntheticMarket } from './synthetic-market.ts';
import type { MarketPhase } from './synthetic-market.ts';
import { LoopLimitError, VirtualClock } from './virtual-clock.ts';

export interface RunOptions {
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** A registry to register the bot's metrics in (e.g. one served live); a fresh one by default. */
  readonly registry?: Registry;
  /**
   * Awaited between slices of the run (every PACE_SLICE_EVENTS callbacks), e.g. to yield to the event
   * loop so that a metrics endpoint can answer while the run goes on. The slicing and the hook never
   * change a result: the same callbacks run in the same order, with or without it. The simulator itself
   * never reads a real timer: the caller decides what pacing means.
   */
  readonly pace?: () => Promise<void>;
}

/** Callbacks run between two awaits of `RunOptions.pace`: a few ms of work, so the pause costs nothing. */
export const PACE_SLICE_EVENTS = 4096;

export interface RunResult {
  readonly report: Report;
  /** `report.json` exactly as written: the bytes that must not change for the same scenario and seed. */
  readonly reportJson: string;
  /** Prometheus text exposition of the run's registry. */
  readonly metricsText: string;
  /** The scenario's `expect:` bounds, checked against the report (empty without an expect block). */
  readonly expectations: readonly ExpectationResult[];
  /** `fills.csv`: every fill with its own P&L attribution. */
  readonly fillsCsv: string;
}

function phasesOf(s: Scenario): MarketPhase[] {
  let t = 0;
  return s.market.phases.map((p) => {
    const phase = {
      name: p.name,
      startUs: t,
      endUs: t + p.duration,
      tradeRatePerS: p.trade_rate_per_s,
      volatilityBpsPerSqrtS: p.volatility_bps_per_sqrt_s,
      impactBps: p.impact_bps,
      buyShare: p.buy_share,
    };
    t = phase.endUs;
    return phase;
  });
}

/**
 * Wires a scenario to a virtual clock, a synthetic market, the simulated exchange and the real bot,
 * runs it to the end of the last phase and assembles the report.
 */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<RunResult> {
  const seed = options.seed ?? scenario.seed;
  const streams = createStreams(String(seed));
  const clock = new VirtualClock({ start: 0, loopLimit: scenario.run.max_events });
  const registry = options.registry ?? new Registry();
  const digest = new EventDigest();
  const inst: Instrument = {
    symbol: scenario.instrument.symbol,
    tickSize: scenario.instrument.tick_size,
    lotSize: scenario.instrument.lot_size,
  };
  const phases = phasesOf(scenario);
  const endUs = phases[phases.length - 1]!.endUs;

  const lat = scenario.exchange.latency;
  const entry = createLatencyModel(lat.entry, streams.latency);
  const response = createLatencyModel(lat.response, streams.latency);
  const feed = createLatencyModel(lat.feed, streams.latency);
  const book = new OrderBook();
  const exchange = new SimExchange(
    clock,
    inst,
    book,
    {
      makerFeeBps: scenario.exchange.fees.maker_bps,
      takerFeeBps: scenario.exchange.fees.taker_bps,
      minSizeLots: scenario.exchange.min_size_lots,
    },
    riskAverseQueue,
    { entry: new OrderedChannel(entry), response: new OrderedChannel(response), feed: new OrderedChannel(feed) },
    digest,
  );
  const m = scenario.market;
  const market = new SyntheticMarket(
    clock,
    book,
    {
      initialMidTicks: m.initial_mid / inst.tickSize,
      spreadTicks: m.spread_ticks,
      levels: m.levels,
      depthLots: m.depth_lots,
      levelRefreshProb: m.level_refresh_prob,
      bookIntervalUs: m.book_interval,
      tradeSizeMedianLots: m.trade_size_lots.median,
      tradeSizeSigma: m.trade_size_lots.sigma,
      phases,
    },
    streams.market,
    streams.trades,
    exchange,
  );

  const risk = new RiskMonitor(
    clock,
    {
      maxPositionUsd: scenario.risk.max_position_usd,
      maxTotalNotionalUsd: scenario.risk.max_total_notional_usd,
      freezeCooldownUs: scenario.risk.freeze_cooldown,
    },
    [inst],
  );
  const metrics = new BotMetrics(registry);
  const st = scenario.strategy;
  const loop = new ExecutionLoop(
    clock,
    exchange,
    risk,
    metrics,
    inst,
    {
      levels: st.levels,
      spreadBps: st.spread_bps,
      levelStepBps: st.level_step_bps,
      sizeUsd: st.size_usd,
      skewBps: st.skew_bps,
      refreshUs: st.refresh,
      requoteThresholdBps: st.requote_threshold_bps,
      maxPositionUsd: scenario.risk.max_position_usd,
    },
    { horizonsUs: scenario.pnl.markout_horizons, adverseHorizonUs: scenario.pnl.adverse_horizon },
  );

  market.start();
  loop.start();
  await runClock(clock, endUs, scenario.run.max_events, options.pace);

  const report = buildReport({
    execution: {
      scenario: scenario.name,
      seed,
      networkEnabled: !(entry.isZero && response.isZero && feed.isZero),
      startUs: 0,
      endUs,
      events: clock.eventsProcessed,
      digest: digest.digest(),
    },
    stats: loop.stats,
    risk,
    pnl: loop.pnl.finish(),
    instruments: [inst],
    openOrders: loop.openOrders,
    extra: {
      market: { ...market.stats, final_mid: market.midTicks * inst.tickSize },
      exchange: { ...exchange.stats, resting_at_end: exchange.restingOrders },
    },
  });
  report.warnings = validateReport(report);
  const expectations = scenario.expect ? checkExpectations(report, scenario.expect) : [];
  if (expectations.length > 0) report.expectations = expectations;
  const csv = fillsCsv(
    loop.pnl.fills(),
    scenario.pnl.markout_horizons.map((h) => h / 1000),
    scenario.pnl.adverse_horizon / 1000,
  );
  return { report, reportJson: `${JSON.stringify(report, null, 2)}\n`, metricsText: await registry.metrics(), expectations, fillsCsv: csv };
}

/**
 * clock.runUntil(endUs) in slices of PACE_SLICE_EVENTS callbacks, awaiting `pace` between slices. The
 * loop limit (`run.max_events`) applies to the whole run, as one runUntil call would apply it, with the
 * same error.
 */
async function runClock(clock: VirtualClock, endUs: number, maxEvents: number, pace: (() => Promise<void>) | undefined): Promise<void> {
  for (;;) {
    const budget = Math.min(PACE_SLICE_EVENTS, maxEvents - clock.eventsProcessed);
    if (clock.runUntilAtMost(endUs, budget)) return;
    if (clock.eventsProcessed >= maxEvents) throw new LoopLimitError('runUntil', maxEvents, clock.now());
    if (pace) await pace();
  }
}
