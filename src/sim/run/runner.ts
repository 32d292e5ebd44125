import type { Registry } from 'prom-client';
import { InputError } from '../../core/errors.ts';
import type { FillPnl } from '../../core/pnl-tracker.ts';
import type { Report } from '../../core/report.ts';
import type { CancelRequest, ExecutionEvent, MarketEvent, PlaceRequest, QueryRequest, QueryResult } from '../../core/types.ts';
import type { ExpectationResult } from '../scenario/expectations.ts';
import { FaultSchedule } from '../exchange/faults.ts';
import { syntheticDriver } from '../market/market-driver.ts';
import { createStreams } from '../clock/rng.ts';
import type { LoadedScenario } from '../scenario/load-scenario.ts';
import type { ExchangeObserver } from '../exchange/exchange-observer.ts';
import type { MarketTap } from '../market/tape.ts';
import { VirtualClock } from '../clock/virtual-clock.ts';
import { runBot } from './bot-run.ts';

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
 * Wires a scenario to a virtual clock, a synthetic or recorded market, the simulated exchange and the
 * real bot (bot-run.ts), runs it to the end of the last phase and assembles the report.
 */
export async function runScenario(scenario: LoadedScenario, options: RunOptions = {}): Promise<RunResult> {
  const seed = options.seed ?? scenario.seed;
  const streams = createStreams(String(seed));
  const clock = new VirtualClock({ start: 0, loopLimit: scenario.run.max_events });
  const m = scenario.market;
  if (m.source === 'live') {
    throw new InputError(`${scenario.name}: market.source is live: a live market runs on the wall clock with \`mmsim shadow <scenario>\`, not \`mmsim sim\``);
  }
  // The replay's modules (decoders, archive readers) load only for a replay.
  const replay = m.source === 'replay' ? await import('../market/replay-driver.ts') : undefined;
  // A replay may take its feed latency from the recording instead of the model.
  const recordedLatency = replay && m.source === 'replay' && m.feed_latency === 'recorded' ? new replay.RecordedFeedLatency() : undefined;
  return runBot(scenario, options, {
    clock,
    seed,
    streams,
    recordedLatency,
    // A replay's exchange matches against the book overlaid with a newer bookTicker (docs/replay.md).
    tickerOverlay: m.source === 'replay',
    tickerToBot: m.source === 'replay' && m.ticker_to_bot,
    faults: new FaultSchedule(scenario.faults),
    market: (deps) =>
      m.source === 'synthetic'
        ? syntheticDriver(m, { ...deps, clock }, streams)
        : replay!.replayDriver(m, scenario.replayPaths ?? m.path, { ...deps, clock }, recordedLatency, deps.overlay),
  });
}
