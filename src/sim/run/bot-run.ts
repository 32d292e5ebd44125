import { Registry } from 'prom-client';
import { BotMetrics } from '../../core/bot-metrics.ts';
import { US_PER_S } from '../../core/clock.ts';
import type { Clock, Micros } from '../../core/clock.ts';
import { OrderManager } from '../../core/order-manager.ts';
import { buildReport } from '../../core/report.ts';
import { validateReport } from '../../core/report-validator.ts';
import { RiskMonitor } from '../../core/risk-monitor.ts';
import type { Instrument } from '../../core/types.ts';
import { EventDigest } from './event-digest.ts';
import { checkExpectations } from '../scenario/expectations.ts';
import { fillsCsv } from './fills-csv.ts';
import { OrderLog, ordersCsv } from './orders-csv.ts';
import type { FaultSchedule } from '../exchange/faults.ts';
import { Channel, createChannels } from '../exchange/latency-model.ts';
import type { MarketDriver } from '../market/market-driver.ts';
import type { RecordedFeedLatency } from '../market/replay/replay-market.ts';
import { TickerOverlay } from '../market/replay/ticker-overlay.ts';
import { OrderBook } from '../exchange/order-book.ts';
import { createQueueModel } from '../exchange/queue-model.ts';
import type { Streams } from '../clock/rng.ts';
import type { LoadedScenario } from '../scenario/load-scenario.ts';
import { createStrategy } from '../scenario/strategy-loader.ts';
import { SimExchange } from '../exchange/sim-exchange.ts';
import type { DispatchClock } from '../clock/dispatch-clock.ts';
import { combineObservers } from '../exchange/exchange-observer.ts';
import { SlidingWindowCounter } from '../exchange/sliding-window.ts';
import { MarketStats } from '../market/market-stats.ts';
import type { MarketListener } from '../market/synthetic-market.ts';
import { bookView } from '../exchange/market-view.ts';
import { ObligationMonitor } from './obligations.ts';
import type { ObligationsReport } from './obligations.ts';
import { RunSeries } from './run-series.ts';
import { reportHtml } from './report-html.ts';
import { observedGateway, teeObserver } from './observed-gateway.ts';
import { marketObserver, obligationGauges, sessionConfig, sessionReport, venueMids } from './run-wiring.ts';
import type { RunOptions, RunResult } from './runner.ts';

/** What differs between a simulated run and a shadow session: the clock, the market and how it is set up. */
export interface BotRunSetup {
  /** Virtual (sim) or wall (shadow) time; `eventsProcessed` goes into the report. */
  readonly clock: DispatchClock & { readonly eventsProcessed: number };
  readonly seed: number;
  readonly streams: Streams;
  /** Set when the feed latency comes from the recording (a replay with `feed_latency: recorded`). */
  readonly recordedLatency: RecordedFeedLatency | undefined;
  /** The exchange matches against the book overlaid with a newer bookTicker (replay, live). */
  readonly tickerOverlay: boolean;
  /** The bot's feed sees that overlay too. */
  readonly tickerToBot: boolean;
  /** The scenario's faults (a shadow session adds its feed outages to them). */
  readonly faults: FaultSchedule;
  /** The market side, given the book, the exchange to tell and the overlay. */
  readonly market: (deps: MarketDeps) => MarketDriver;
  /** Stated in the report's `execution.mode` (a simulated run states nothing). */
  readonly mode?: 'shadow';
  /** Start of the run on the clock, read once the market is prepared (default 0; a shadow session: when its first book came). */
  readonly startUs?: () => Micros;
  /** Extra report sections, read after the run (a shadow session's connection facts). */
  readonly extra?: () => Record<string, unknown>;
}

export interface MarketDeps {
  readonly clock: Clock;
  readonly book: OrderBook;
  readonly instrument: Instrument;
  readonly listener: MarketListener;
  readonly overlay: TickerOverlay | undefined;
}

/**
 * The one wiring of the simulated exchange and the real bot (order manager, risk, strategy, metrics,
 * P&L) to a clock and a market driver, and of the outputs after the run: `runScenario` and the shadow
 * runner (src/live) both run through it, so a shadow session trades exactly as a simulation does.
 */
export async function runBot(scenario: LoadedScenario, options: RunOptions, setup: BotRunSetup): Promise<RunResult> {
  const { clock, seed, streams, recordedLatency, faults } = setup;
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
  const channels = recordedLatency ? { ...modelled, feed: new Channel({ book: recordedLatency }, 'fifo') } : modelled;
  const book = new OrderBook();
  const orderLog = new OrderLog();
  const overlay = setup.tickerOverlay ? new TickerOverlay(book) : undefined;
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
    feedView: setup.tickerToBot ? overlay : undefined,
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
  const market = setup.market({ clock, book, instrument: inst, listener: exchange, overlay });
  await market.prepare();
  const startUs = setup.startUs?.() ?? 0;
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
      ...(setup.mode ? { mode: setup.mode } : {}),
      seed,
      networkEnabled: !(channels.entry.isZero && channels.response.isZero && channels.feed.isZero),
      startUs,
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
      ...setup.extra?.(),
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
