import type { Micros } from '../core/clock.ts';
import { InputError } from '../core/errors.ts';
import type { FaultSchedule } from '../sim/exchange/faults.ts';
import type { MarketDriver } from '../sim/market/market-driver.ts';
import { ReplayApplier } from '../sim/market/replay/replay-apply.ts';
import type { ReplayFormat } from '../sim/market/replay/replay-formats.ts';
import type { LineDecoder, ReplayMessage } from '../sim/market/replay/replay-message.ts';
import { ReplayDataError } from '../sim/market/replay/replay-message.ts';
import { createDecoder } from '../sim/market/replay/replay-source.ts';
import { emptyReplayStats } from '../sim/market/replay/replay-stats.ts';
import type { MarketDeps } from '../sim/run/bot-run.ts';
import type { LiveMarketSpec } from '../sim/scenario/schema.ts';
import { binanceFeed } from './binance-feed.ts';
import { bybitFeed } from './bybit-feed.ts';
import type { FeedListener, LiveFeed } from './live-feed.ts';
import type { LineRecorder } from './line-recorder.ts';
import { DEFAULT_URLS } from './venue-urls.ts';

/** The replay format a venue's lines are in: a recorded session replays with it. */
export const RECORD_FORMAT: Record<LiveMarketSpec['venue'], ReplayFormat> = {
  binance_usdm: 'binance_usdm',
  binance_spot: 'binance_spot',
  bybit_linear: 'bybit_v5',
};

export interface LiveMarketOptions {
  readonly wsUrl?: string | undefined;
  readonly restUrl?: string | undefined;
  /** Every received line goes here too (`--record`). */
  readonly recorder?: LineRecorder | undefined;
  /** The session's faults: a connection loss opens an outage there until the feed is back. */
  readonly faults: FaultSchedule;
  /** End of the session on the clock (µs from its start); undefined: only `stop` ends it. */
  readonly endUs: Micros | undefined;
  /** Resolves when the session must end (SIGINT, SIGTERM). */
  readonly stop: Promise<void>;
  /** Unix time (µs) of the clock's 0. */
  readonly originUs: Micros;
  /** Called when the session ends, before the outputs are assembled (stops the clock). */
  readonly halt?: () => void;
  /** Told of connection events (stderr in the CLI). */
  readonly log?: (text: string) => void;
}

/**
 * The market of a shadow session: a live feed whose every message is turned into a line of the venue's
 * recording format and decoded by the replay's own decoder (the same book sync), then applied to the
 * exchange's book by the replay's own applier, at once, at the clock's now: the exchange matches against
 * the live book as it arrives. A lost connection is an outage of the bot's session (a disconnect on the
 * fault schedule) until the feed is back; a gap or a lost connection resyncs from a new snapshot.
 */
export class LiveMarket implements MarketDriver {
  private readonly decoder: LineDecoder;
  private readonly applier: ReplayApplier;
  private readonly feed: LiveFeed;
  readonly stats = emptyReplayStats();
  private lineNo = 0;
  private readonly out: ReplayMessage[] = [];
  private firstBook: (() => void) | undefined;
  private hasBook = false;
  private gapsSeen = 0;
  private dataErrors = 0;
  private outages: { at_s: number; duration_s: number | null; reason: string }[] = [];
  private endedUs: Micros | undefined;
  private stopped = false;
  private ended: Promise<void> = Promise.resolve();
  /** A message the scenario cannot take (a price off its tick grid): the session ends with it as the error. */
  private fatal: Error | undefined;
  private fail: () => void = () => {};
  private readonly failed = new Promise<void>((resolve) => (this.fail = resolve));

  constructor(
    private readonly deps: MarketDeps,
    private readonly spec: LiveMarketSpec,
    private readonly options: LiveMarketOptions,
  ) {
    this.decoder = createDecoder(RECORD_FORMAT[spec.venue], spec.symbol);
    this.applier = new ReplayApplier(deps.book, { instrument: deps.instrument, recordedLatency: undefined, recordedBaseUs: 0, contractSize: undefined, overlay: deps.overlay }, this.stats, deps.listener);
    const defaults = DEFAULT_URLS[spec.venue];
    const ws = options.wsUrl ?? spec.ws_url ?? defaults.ws;
    const listener: FeedListener = { line: (t) => this.onLine(t), down: (r) => this.onDown(r), up: () => this.onUp() };
    this.feed =
      spec.venue === 'bybit_linear' ? bybitFeed(spec, ws, listener) : binanceFeed(spec, ws, options.restUrl ?? spec.rest_url ?? defaults.rest!, listener);
  }

  /** Connects and waits for the first synced book (or the end of the session). */
  async prepare(): Promise<void> {
    this.options.log?.(`shadow: connecting to ${this.feed.urls.ws}`);
    const synced = new Promise<void>((resolve) => (this.firstBook = resolve));
    const clock = this.deps.clock;
    const { endUs } = this.options;
    this.ended = new Promise<void>((resolve) => {
      if (endUs !== undefined) clock.schedule(Math.max(endUs, clock.now()), () => resolve());
    });
    this.feed.start();
    await Promise.race([synced, this.ended, this.options.stop, this.failed]);
  }

  start(): void {}

  async run(): Promise<Micros> {
    const clock = this.deps.clock;
    await Promise.race([this.ended, this.options.stop, this.failed]);
    this.stopped = true;
    this.feed.stop();
    this.options.halt?.();
    const now = clock.now();
    this.options.faults.closeOutage(now);
    const open = this.outages.at(-1);
    if (open && open.duration_s === null) open.duration_s = (now - open.at_s * 1e6) / 1e6;
    this.endedUs = now;
    if (this.fatal) throw this.fatal;
    return now;
  }

  private onLine(text: string): void {
    if (this.stopped) return;
    this.options.recorder?.write(text);
    const out = this.out;
    out.length = 0;
    try {
      this.decoder.decode(text, ++this.lineNo, out);
    } catch (e) {
      // A message of our book that cannot be read: counted; the chain check that follows resyncs the book.
      if (!(e instanceof ReplayDataError)) throw e;
      this.dataErrors++;
      this.options.log?.(`shadow: ${e.detail}`);
    }
    try {
      for (const m of out) this.applier.apply(m);
    } catch (e) {
      if (!(e instanceof ReplayDataError)) throw e;
      this.fatal = new InputError(`${this.spec.venue} ${this.spec.symbol}: ${e.detail} (message ${e.line} of the session): check the scenario's instrument`);
      this.stopped = true;
      this.fail();
      return;
    }
    if (!this.hasBook && out.some((m) => m.kind === 'book')) {
      this.hasBook = true;
      this.firstBook?.();
    }
    this.checkSync();
  }

  /** Asks for a snapshot when the decoder's book waits for one (Binance: from the start; Bybit: after a gap, its first comes on subscribe). */
  private checkSync(): void {
    if (!this.decoder.needsSnapshot?.()) return;
    const gaps = this.decoder.stats.anomalies.sequence_gap?.count ?? 0;
    if (this.spec.venue === 'bybit_linear' && gaps === this.gapsSeen) return;
    if (gaps !== this.gapsSeen) this.options.log?.(`shadow: sequence gap (${gaps} so far): resyncing from a new snapshot`);
    this.gapsSeen = gaps;
    this.feed.resync();
  }

  private onDown(reason: string): void {
    if (this.stopped) return;
    const now = this.deps.clock.now();
    this.options.faults.openOutage(now);
    this.outages.push({ at_s: now / 1e6, duration_s: null, reason });
    this.options.log?.(`shadow: feed lost: ${reason}; reconnecting`);
  }

  private onUp(): void {
    const now = this.deps.clock.now();
    this.options.faults.closeOutage(now);
    const open = this.outages.at(-1);
    if (open && open.duration_s === null) {
      open.duration_s = (now - open.at_s * 1e6) / 1e6;
      this.options.log?.('shadow: feed back');
    }
  }

  report(): Record<string, unknown> {
    const c = this.feed.counters;
    const a = this.decoder.stats.anomalies;
    const inst = this.deps.instrument;
    const bid = this.deps.book.bestBid();
    const ask = this.deps.book.bestAsk();
    const mid = this.applier.midTicks;
    return {
      source: 'live',
      venue: this.spec.venue,
      symbol: this.spec.symbol,
      ws_url: this.feed.urls.ws,
      rest_url: this.feed.urls.rest ?? null,
      record_format: RECORD_FORMAT[this.spec.venue],
      start_unix_us: this.options.originUs,
      end_unix_us: this.options.originUs + (this.endedUs ?? this.deps.clock.now()),
      connection: {
        ...c,
        reconnects: Math.max(0, c.connects - 1),
        gaps: a.sequence_gap?.count ?? 0,
        resyncs: a.resync?.count ?? 0,
        data_errors: this.dataErrors,
        outages: this.outages,
      },
      applied_diffs: this.stats.book_updates - this.stats.snapshots,
      decoder: this.decoder.stats,
      ...this.stats,
      final_best_bid: bid === undefined ? null : bid * inst.tickSize,
      final_best_ask: ask === undefined ? null : ask * inst.tickSize,
      final_mid: mid === undefined ? null : mid * inst.tickSize,
    };
  }

  /** The report's start: the clock counts from the session's start. */
  epochStartUs(): Micros {
    return this.options.originUs;
  }
}
