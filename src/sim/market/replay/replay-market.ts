import type { Clock, Micros } from '../../../core/clock.ts';
import { InvariantError } from '../../../core/errors.ts';
import type { Instrument } from '../../../core/types.ts';
import type { OrderBook } from '../../exchange/order-book.ts';
import type { MarketListener } from '../synthetic-market.ts';
import { ReplayApplier } from './replay-apply.ts';
import type { RecordedFeedLatency } from './recorded-latency.ts';
import { ReplayDataError } from './replay-message.ts';
import type { ReplayMessage } from './replay-message.ts';
import type { ReplaySource } from './replay-source.ts';
import { emptyReplayStats } from './replay-stats.ts';
import type { ReplayStats } from './replay-stats.ts';
import type { TickerOverlay } from './ticker-overlay.ts';
import { DEFAULT_REORDER_WINDOW_US, TimeLine } from './time-line.ts';

export { OFF_GRID_FAR } from './price-grid.ts';
export { RecordedFeedLatency } from './recorded-latency.ts';
export type { ReplayStats } from './replay-stats.ts';

export interface ReplayMarketConfig {
  readonly instrument: Instrument;
  /** Stop after this much virtual time (from the first message); undefined replays the whole recording. */
  readonly durationUs: Micros | undefined;
  /** Set when the feed latency comes from the recording; undefined when a model draws it. */
  readonly recordedLatency: RecordedFeedLatency | undefined;
  /** Added to every recorded latency: the one-way delay the recorder's clock offset hides. */
  readonly recordedBaseUs: Micros;
  /**
   * Undefined: recorded sizes are in the instrument's base unit (BTC for BTCUSDT). A number: they are
   * contracts worth that much quote currency each (inverse contracts: Binance COIN-M BTCUSD 100 USD, Bybit
   * inverse 1 USD), converted to base units at each level's or trade's price.
   */
  readonly contractSize: number | undefined;
  /** Lines read out of order within this much exchange time are put in order (docs/replay.md, "Time"). */
  readonly reorderWindowUs?: Micros;
  /** The exchange's view: the book overlaid with a newer bookTicker; undefined: tickers only check the book. */
  readonly overlay?: TickerOverlay;
  /** Messages kept read ahead of the clock (default 2048); any value gives the same run. */
  readonly readAhead?: number;
}

const READ_AHEAD = 2048;

/**
 * Drives the simulated venue from a recording: each message runs on the virtual clock at its exchange
 * time (relative to the first message) on one time line merged from every stream (time-line.ts). Book
 * messages update the book the bot sees and the exchange matches against; a newer bookTicker overlays
 * the exchange's view (ticker-overlay.ts); recorded trades go to the exchange's queue model.
 *
 * The source is read ahead in batches; `horizon()` tells the runner how far the clock may run before the
 * next batch is needed, so the run is identical however the file happens to be chunked.
 */
export class ReplayMarket {
  readonly stats: ReplayStats = emptyReplayStats();
  private buf: ReplayMessage[] = [];
  private times: Micros[] = [];
  private at = 0;
  private exhausted = false;
  private t0: number | undefined;
  private lastTime: Micros = 0;
  private readonly line: TimeLine;
  private endTime: Micros | undefined;
  private readonly applier: ReplayApplier;

  constructor(
    private readonly clock: Clock,
    book: OrderBook,
    private readonly config: ReplayMarketConfig,
    private readonly source: ReplaySource,
    listener: MarketListener,
  ) {
    this.applier = new ReplayApplier(book, config, this.stats, listener);
    this.line = new TimeLine(config.reorderWindowUs ?? DEFAULT_REORDER_WINDOW_US);
    this.stats.out_of_order = this.line.stats.out_of_order;
  }

  /** Unix time (µs) of virtual time 0: the first message's exchange time. */
  get epochStartUs(): number | undefined {
    return this.t0;
  }

  /** True once the whole recording (or its `duration`) has been read. */
  get done(): boolean {
    return this.exhausted;
  }

  /** The run's end once the recording is read: the last message's time, or the duration. */
  get endUs(): Micros {
    if (this.endTime === undefined) throw new InvariantError('ReplayMarket.endUs read before the recording ended');
    return this.endTime;
  }

  get midTicks(): number | undefined {
    return this.applier.midTicks;
  }

  /** Reads until enough messages are buffered ahead of the clock (or the recording ends). */
  async fill(): Promise<void> {
    const ahead = this.config.readAhead ?? READ_AHEAD;
    // Enough ahead, and the last buffered message more than a µs after now, so that the clock can make
    // progress by running to just before it.
    while (!this.exhausted && (this.buf.length - this.at < ahead || this.lastTime - 1 <= this.clock.now())) {
      if (this.at > 0) {
        this.buf = this.buf.slice(this.at);
        this.times = this.times.slice(this.at);
        this.at = 0;
      }
      const batch = await this.source.next();
      if (batch === undefined) {
        this.drain(true);
        if (!this.exhausted) this.finish(this.lastTime);
        break;
      }
      for (const m of batch) {
        this.line.push(m);
        if (!this.drain(false)) {
          await this.source.close();
          break;
        }
      }
    }
    this.stats.time_reordered = this.line.stats.time_reordered;
  }

  /** Latest virtual time the clock may run to before `fill()` must be awaited again. */
  horizon(): Micros {
    if (this.exhausted) return this.endUs;
    // The last released message's successor is not released yet: stop just before the last one runs.
    return this.lastTime - 1;
  }

  /** Schedules the first message; call after the first `fill()`. */
  start(): void {
    this.scheduleNext();
  }

  /** Moves the messages whose place on the time line is final to the run's buffer; false once the duration is reached. */
  private drain(flush: boolean): boolean {
    for (let m = this.line.next(flush); m !== undefined; m = this.line.next(flush)) {
      if (!this.release(m, this.line.outTime)) return false;
    }
    return true;
  }

  private release(m: ReplayMessage, atUs: number): boolean {
    if (this.exhausted) return false;
    if (this.t0 === undefined) this.t0 = atUs;
    const own = atUs - this.t0;
    if (this.config.durationUs !== undefined && own > this.config.durationUs) {
      this.finish(this.config.durationUs);
      return false;
    }
    let t = own;
    if (t < this.lastTime) {
      this.stats.time_clamped.count++;
      this.stats.time_clamped.max_us = Math.max(this.stats.time_clamped.max_us, this.lastTime - t);
      t = this.lastTime;
    }
    this.lastTime = t;
    this.buf.push(m);
    this.times.push(t);
    return true;
  }

  private finish(endUs: Micros): void {
    this.exhausted = true;
    this.endTime = endUs;
  }

  private scheduleNext(): void {
    if (this.at >= this.buf.length) {
      if (!this.exhausted) throw new InvariantError('ReplayMarket ran past its buffer (the runner must respect horizon())');
      return;
    }
    this.clock.schedule(this.times[this.at]!, () => {
      const m = this.buf[this.at++]!;
      try {
        this.applier.apply(m);
      } catch (e) {
        // The message's line is in the error; its file is known to the source (several files are merged).
        throw e instanceof ReplayDataError && e.file === undefined ? e.inFile(this.source.fileOf(m)) : e;
      }
      this.scheduleNext();
    });
  }
}
