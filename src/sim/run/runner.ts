import { Registry } from 'prom-client';
import { BotMetrics } from '../../core/bot-metrics.ts';
import { US_PER_S } from '../../core/clock.ts';
import { OrderManager } from '../../core/order-manager.ts';
import { buildReport } from '../../core/report.ts';
import type { FillPnl } from '../../core/pnl-tracker.ts';
import type { Report } from '../../core/report.ts';
import { validateReport } from '../../core/report-validator.ts';
import { RiskMonitor } from '../../core/risk-monitor.ts';
import type { CancelRequest, ExecutionEvent, Instrument, MarketEvent, PlaceRequest, QueryRequest, QueryResult } from '../../core/types.ts';
import { EventDigest } from './event-digest.ts';
import { checkExpectations } from '../scenario/expectations.ts';
import { fillsCsv } from './fills-csv.ts';
import { OrderLog, ordersCsv } from './orders-csv.ts';
import type { ExpectationResult } from '../scenario/expectations.ts';
import { FaultSchedule } from '../exchange/faults.ts';
import { Channel, createChannels } from '../exchange/latency-model.ts';
import { syntheticDriver } from '../market/market-driver.ts';
import { OrderBook } from '../exchange/order-book.ts';
import { createQueueModel } from '../exchange/queue-model.ts';
import { createStreams } from '../clock/rng.ts';
import type { LoadedScenario } from '../scenario/load-scenario.ts';
import { createStrategy } from '../scenario/strategy-loader.ts';
import { SimExchange } from '../exchange/sim-exchange.ts';
import { combineObservers } from '../exchange/exchange-observer.ts';
import type { ExchangeObserver } from '../exchange/exchange-observer.ts';
import type { MarketTap } from '../market/tape.ts';
import { SlidingWindowCounter } from '../exchange/sliding-window.ts';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { MarketStats } from '../market/market-stats.ts';
import { bookView } from '../exchange/market-view.ts';
import { ObligationMonitor } from './obligations.ts';
import type { ObligationsReport } from './obligations.ts';
import { RunSeries } from './run-series.ts';
import { reportHtml } from './report-html.ts';
import { observedGateway, teeObserver } from './observed-gateway.ts';
import { marketObserver, obligationGauges, sessionConfig, sessionReport, venueMids } from './run-wiring.ts';

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
  /**
   * Sees every message between the bot and the venue, as the bot sends and receives it (tests and tools:
   * it must not change anything). Requests are seen when sent, events after the bot has handled them.
   */
  readonly observer?: RunObserver;
  /** Sees the venue's side: market trades, fills with their cause, the matching view (tests and tools). */
  readonly exchangeObserver?: ExchangeObserver;
  /** Sees the market as the exchange does: every print and the market view after each change (`mmsim tape`). */
  readonly marketTap?: MarketTap;
}

export interface RunObserver {
  onRequest?(request: PlaceRequest | CancelRequest | QueryRequest, now: number): void;
  onExecution?(event: ExecutionEvent, now: number): void;
  onMarketData?(event: MarketEvent, now: number): void;
  onQueryResult?(result: QueryResult, now: number): void;
}

export { PACE_SLICE_EVENTS } from '../market/market-driver.ts';

export interface RunResult {
  readonly report: Report;
  /** `report.json` exactly as written: the bytes that must not change for the same scenario and seed. */
  readonly reportJson: string;
  /** Prometheus text exposition of the run's registry. */
  readonly metricsText: string;
  /** The scenario's `expect:` bounds, checked against the report (empty without an expect block). */
  readonly expectations: readonly ExpectationResult[];
  /** `fills.csv`: every fill with its own P&L attribution (built on first access). */
  readonly fillsCsv: string;
  /** The same attribution as data, in fill order. */
  readonly fills: readonly FillPnl[];
  /** `orders.csv`: every order the bot sent or its risk check stopped, with what the exchange did with it (built on first access). */
  readonly ordersCsv: string;
  /** `report.html`: the report as one self-contained page of charts (built on first access). */
  readonly reportHtml: string;
}

/**
 * Wires a scenario to a virtual clock, a synthetic market, the simulated exchange and the real bot,
 * runs it to the end of the last phase and assembles the report.
 */
export async function runScenario(scenario: LoadedScenario, options: RunOptions = {}): Promise<RunResult> {
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
  // One counter of the exchange's messages feeds both load-scaled latency and the exchange's stats.
  const messages = new SlidingWindowCounter(US_PER_S);
  const modelled = createChannels(
    scenario.resolvedLatency,
    { entry: streams.latency_entry, response: streams.latency_response, feed: streams.latency_feed },
    (now) => messages.count(now),
  );
  const m = scenario.market;
  const replay = m.source === 'replay' ? await import('../market/replay-driver.ts') : undefined;
  // A replay may take its feed latency from the recording instead of the model.
  const recordedLatency = replay && m.source === 'replay' && m.feed_latency === 'recorded' ? new replay.RecordedFeedLatency() : undefined;
  const channels = recordedLatency ? { ...modelled, feed: new Channel({ book: recordedLatency }, 'fifo') } : modelled;
  const faults = new FaultSchedule(scenario.faults);
  const book = new OrderBook();
  const orderLog = new OrderLog();
  // A replay's exchange matches against the book overlaid with a newer bookTicker (docs/replay.md).
  const overlay = replay ? new replay.TickerOverlay(book) : undefined;
  const venue = venueMids(Math.max(...scenario.pnl.markout_horizons));
  const stats = new MarketStats(inst.lotSize);
  const ex = scenario.exchange;
  const rl = ex.rate_limit;
  const series = new RunSeries();
  const ob = scenario.obligations;
  const obligations =
    ob &&
    new ObligationMonitor(
      clock,
      { snapshotIntervalUs: ob.snapshot_interval, depthWithinBps: ob.depth_within_bps, minDepthUsd: ob.min_depth_usd, maxSpreadBps: ob.max_spread_bps, minPassRatio: ob.min_pass_ratio },
      inst,
    );
  const created = await createStrategy(scenario);
  const exchange = new SimExchange({
    clock,
    instrument: inst,
    book,
    view: overlay,
    feedView: m.source === 'replay' && m.ticker_to_bot ? overlay : undefined,
    config: {
      makerFeeBps: ex.fees.maker_bps,
      takerFeeBps: ex.fees.taker_bps,
      minSizeLots: ex.min_size_lots,
      minNotionalUsd: ex.min_notional_usd,
      priceBandBps: ex.price_band_bps,
      rateLimit: rl && {
        maxRequests: rl.max_requests,
        windowUs: rl.window,
        includeCancels: rl.include_cancels,
        banAfter: rl.ban_after,
        banWindowUs: rl.ban_window,
        banDurationUs: rl.ban_duration,
      },
      margin: ex.margin && { balanceUsd: ex.margin.balance_usd, leverage: ex.margin.leverage },
      heartbeatUs: ex.heartbeat,
      feedDepthLevels: scenario.strategy.feed.depth_levels,
      // Prints cost a feed message each: sent only to a strategy that reads them.
      publicTrades: typeof created.strategy.onTrade === 'function',
    },
    queue: createQueueModel(ex.queue_model),
    channels,
    digest,
    faults,
    faultRng: streams.faults,
    messages,
    observer: combineObservers(
      orderLog.exchangeObserver,
      venue.observer,
      marketObserver(overlay ?? bookView(book), stats, options.marketTap),
      series.observer,
      obligations?.observer,
      options.exchangeObserver,
    ),
  });
  const deps = { clock, book, instrument: inst, listener: exchange };
  const market =
    m.source === 'synthetic'
      ? syntheticDriver(m, deps, streams)
      : replay!.replayDriver(m, scenario.replayPaths ?? m.path, deps, recordedLatency, overlay);
  await market.prepare();
  options.marketTap?.begin(market.epochStartUs?.());

  const risk = new RiskMonitor(
    clock,
    {
      maxPositionUsd: scenario.risk.max_position_usd,
      maxTotalNotionalUsd: scenario.risk.max_total_notional_usd,
      freezeCooldownUs: scenario.risk.freeze_cooldown,
      sampleIntervalUs: scenario.risk.sample_interval,
      maxLossUsd: scenario.risk.max_loss_usd,
    },
    [inst],
  );
  series.watchRisk(risk, clock);
  const metrics = new BotMetrics(registry);
  const loop = new OrderManager(
    clock,
    observedGateway(exchange, clock, teeObserver(orderLog, options.observer)),
    risk,
    metrics,
    inst,
    { ...created, random: () => streams.strategy.uniform(), session: sessionConfig(scenario.strategy.session) },
    { horizonsUs: scenario.pnl.markout_horizons, adverseHorizonUs: scenario.pnl.adverse_horizon },
    { observer: orderLog.loopObserver, venueMidAt: venue.midAt },
  );

  market.start();
  loop.start();
  obligations?.start(() => exchange.restingSnapshot());
  const endUs = await market.run(scenario.run.max_events, options.pace);
  loop.finish();
  options.marketTap?.end(endUs);

  const marketReport = market.report();
  // A replay's virtual time 0 is this exchange epoch time (µs): the CSVs also carry epoch times then.
  const epochStartUs = typeof marketReport.start_unix_us === 'number' ? marketReport.start_unix_us : undefined;
  const report = buildReport({
    execution: {
      scenario: scenario.name,
      seed,
      networkEnabled: !(channels.entry.isZero && channels.response.isZero && channels.feed.isZero),
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
      market: { ...marketReport, stats: stats.finish(endUs) },
      exchange: {
        queue_model: exchange.queueModelName,
        ...exchange.stats,
        resting_at_end: exchange.restingOrders,
        account: {
          position_lots: exchange.account.positionLots,
          cash_usd: exchange.account.cashUsd,
          fees_usd: exchange.account.feesUsd,
          filled_lots: exchange.account.filledLots,
        },
      },
      session: sessionReport(loop.session),
      faults: faults.summary(),
      ...(obligations ? { obligations: obligations.report() } : {}),
    },
  });
  if (obligations) obligationGauges(registry, report.obligations as ObligationsReport);
  report.warnings = validateReport(report);
  const expectations = scenario.expect ? checkExpectations(report, scenario.expect) : [];
  if (expectations.length > 0) report.expectations = expectations;
  const fills = loop.pnl.fills();
  let csv: string | undefined;
  let orders: string | undefined;
  let html: string | undefined;
  return {
    report,
    reportJson: `${JSON.stringify(report, null, 2)}\n`,
    metricsText: await registry.metrics(),
    expectations,
    // Built when asked for: a soak iteration or a benchmark never writes it.
    get fillsCsv() {
      csv ??= fillsCsv(fills, scenario.pnl.markout_horizons.map((h) => h / 1000), scenario.pnl.adverse_horizon / 1000, epochStartUs);
      return csv;
    },
    fills,
    get ordersCsv() {
      orders ??= ordersCsv(orderLog.records(), inst, epochStartUs);
      return orders;
    },
    get reportHtml() {
      const lat = loop.stats.latency;
      html ??= reportHtml({
        report,
        fills,
        orders: orderLog.records(),
        instrument: inst,
        mid: series.mid.points(),
        riskRatio: series.riskRatio.points(),
        latencyUs: { place: lat.place.samples(), cancel: lat.cancel.samples(), fill: lat.fill.samples() },
        horizonsMs: scenario.pnl.markout_horizons.map((h) => h / 1000),
        adverseHorizonMs: scenario.pnl.adverse_horizon / 1000,
        obligations: obligations && { report: report.obligations as ObligationsReport, timeline: obligations.timeline() },
      });
      return html;
    },
  };
}
