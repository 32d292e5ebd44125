import type { Registry } from 'prom-client';
import type { Micros } from '../core/clock.ts';
import { InputError } from '../core/errors.ts';
import { createStreams } from '../sim/clock/rng.ts';
import { FaultSchedule } from '../sim/exchange/faults.ts';
import { RecordedFeedLatency } from '../sim/market/replay/recorded-latency.ts';
import { runBot } from '../sim/run/bot-run.ts';
import type { RunObserver, RunResult } from '../sim/run/runner.ts';
import type { LoadedScenario } from '../sim/scenario/load-scenario.ts';
import { LineRecorder } from './line-recorder.ts';
import { LiveMarket, RECORD_FORMAT } from './live-market.ts';
import { DEFAULT_URLS, snapshotUrl, websocketUrl } from './venue-urls.ts';
import { realTime, WallClock } from './wall-clock.ts';
import type { TimeSource } from './wall-clock.ts';

export interface ShadowOptions {
  /** Overrides the scenario's `market.duration`; neither: the session runs until `stop`. */
  readonly durationUs?: Micros | undefined;
  readonly wsUrl?: string | undefined;
  readonly restUrl?: string | undefined;
  /** Write every received line here (gzip when it ends in `.gz`), replayable with `mmsim sim`. */
  readonly record?: string | undefined;
  readonly registry?: Registry;
  /** Resolves when the session must end (SIGINT, SIGTERM): the outputs are assembled as at the end of its duration. */
  readonly stop?: Promise<void>;
  readonly observer?: RunObserver;
  readonly log?: (text: string) => void;
  /** @internal Tests: where the clock reads real time. */
  readonly time?: TimeSource;
}

/**
 * A shadow session: the scenario's bot and simulated exchange, wired by the same runBot as `mmsim sim`,
 * on the wall clock and a live market (docs/shadow.md). Orders never leave the machine. Market messages
 * are applied to the exchange's book as they arrive; the bot's feed is that live feed as received (the
 * real network delay already happened: no modelled feed latency is added); order entry and responses
 * take the scenario's latency model, rules and faults. The report says `execution.mode: shadow` and is
 * not byte-reproducible: replay the `--record` file with `mmsim sim` for that.
 */
export async function runShadow(scenario: LoadedScenario, options: ShadowOptions = {}): Promise<RunResult> {
  const m = scenario.market;
  if (m.source !== 'live') {
    throw new InputError(`${scenario.name}: mmsim shadow needs market.source: live (this scenario's market is ${m.source}: run it with mmsim sim)`);
  }
  // A bad URL is bad input before anything is opened or written.
  const defaults = DEFAULT_URLS[m.venue];
  websocketUrl(m.venue, options.wsUrl ?? m.ws_url ?? defaults.ws, []);
  if (defaults.rest !== undefined) snapshotUrl(m.venue, options.restUrl ?? m.rest_url ?? defaults.rest, m.symbol);
  const time = options.time ?? realTime;
  const originUs = Math.floor(time.nowUs());
  const clock = new WallClock(time, originUs);
  const recorder = options.record === undefined ? undefined : new LineRecorder(options.record);
  await recorder?.ready();
  const faults = new FaultSchedule(scenario.faults);
  const stop = options.stop ?? new Promise<void>(() => {});
  const startedAt = new Date(originUs / 1000).toISOString();
  try {
    return await runBot(scenario, { registry: options.registry, observer: options.observer }, {
      clock,
      seed: scenario.seed,
      streams: createStreams(String(scenario.seed)),
      // The feed's delay is the network's own: the bot gets each message as it arrives (unless the model adds to it).
      recordedLatency: m.feed_latency === 'live' ? new RecordedFeedLatency() : undefined,
      tickerOverlay: true,
      tickerToBot: true,
      faults,
      mode: 'shadow',
      startUs: () => clock.now(),
      market: (deps) => {
        return new LiveMarket(deps, m, {
          wsUrl: options.wsUrl,
          restUrl: options.restUrl,
          recorder,
          faults,
          endUs: options.durationUs ?? m.duration,
          stop,
          originUs,
          log: options.log,
          halt: () => clock.stop(),
        });
      },
      extra: () => ({
        shadow: {
          note: 'a shadow session on the wall clock and a live feed: not byte-reproducible; replay its --record file with mmsim sim for that',
          venue: m.venue,
          symbol: m.symbol,
          started_at: startedAt,
          ended_at: new Date(time.nowUs() / 1000).toISOString(),
          record: options.record === undefined ? null : { path: options.record, format: RECORD_FORMAT[m.venue], lines: recorder!.lines },
        },
      }),
    });
  } finally {
    clock.stop();
    await recorder?.close();
  }
}
