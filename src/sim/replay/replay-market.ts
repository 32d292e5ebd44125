import type { Clock, Micros } from '../../core/clock.ts';
import { InvariantError } from '../../core/errors.ts';
import type { Instrument } from '../../core/types.ts';
import type { LatencyModel } from '../latency-model.ts';
import type { OrderBook } from '../order-book.ts';
import type { MarketListener } from '../synthetic-market.ts';
import { ReplayDataError } from './replay-message.ts';
import type { Anomaly, Levels, ReplayMessage } from './replay-message.ts';
import type { ReplaySource } from './replay-source.ts';

/**
 * Feed latency taken from the recording: each book message reaches the bot after the delay the recorder
 * saw, less the recorder's clock offset. The replay sets it before each publication.
 */
export class RecordedFeedLatency implements LatencyModel {
  readonly isZero = false;
  current: Micros = 0;

  sample(): Micros {
    return this.current;
  }
}

export interface ReplayMarketConfig {
  readonly instrument: Instrument;
  /** Stop after this much virtual time (from the first message); undefined replays the whole recording. */
  readonly durationUs: Micros | undefined;
  /** Set when the feed latency comes from the recording; undefined when a model draws it. */
  readonly recordedLatency: RecordedFeedLatency | undefined;
  /** Added to every recorded latency: the one-way delay the recorder's clock offset hides. */
  readonly recordedBaseUs: Micros;
  /**
   * `base`: recorded sizes are in the instrument's base unit (BTC for BTCUSDT). `quote`: they are in the
   * quote currency (inverse contracts, e.g. Bybit BTCUSD sizes in USD), converted at each level's price.
   */
  readonly quantityUnit: 'base' | 'quote';
  /** Messages kept read ahead of the clock (default 2048); any value gives the same run. */
  readonly readAhead?: number;
}

export interface ReplayStats {
  book_updates: number;
  snapshots: number;
  trades: number;
  traded_lots: number;
  tickers: number;
  /** Diffs after which the rebuilt best bid and ask prices were compared with the latest ticker... */
  bbo_checks: number;
  /** ...and were equal to it. */
  bbo_matches: number;
  /** Book updates after which the rebuilt book was crossed (bid >= ask). */
  crossed_books: Anomaly | null;
  /** Messages whose exchange time was earlier than that of the previous message of the same stream. */
  out_of_order: Record<'book' | 'trade' | 'ticker', number>;
  /** Messages run later than their exchange time because an earlier line had a later one (streams interleave). */
  time_clamped: { count: number; max_us: number };
  /** The recorder's clock offset (local minus exchange time) as finally estimated, µs; null without local times. */
  recorder_offset_us: number | null;
}

const READ_AHEAD = 2048;

/**
 * Drives the simulated venue from a recording: each message runs on the virtual clock at its exchange
 * time (relative to the first message), in file order. Book messages update the book the bot sees and
 * the exchange matches against; recorded trades go to the exchange's queue model.
 *
 * The source is read ahead in batches; `horizon()` tells the runner how far the clock may run before the
 * next batch is needed, so the run is identical however the file happens to be chunked.
 */
export class ReplayMarket {
  readonly stats: ReplayStats = {
    book_updates: 0,
    snapshots: 0,
    trades: 0,
    traded_lots: 0,
    tickers: 0,
    bbo_checks: 0,
    bbo_matches: 0,
    crossed_books: null,
    out_of_order: { book: 0, trade: 0, ticker: 0 },
    time_clamped: { count: 0, max_us: 0 },
    recorder_offset_us: null,
  };
  private buf: ReplayMessage[] = [];
  private times: Micros[] = [];
  private at = 0;
  private exhausted = false;
  private t0: number | undefined;
  private lastTime: Micros = 0;
  private readonly lastExchange = { book: -Infinity, trade: -Infinity, ticker: -Infinity };
  private offsetUs = Infinity;
  private tickerBid: number | undefined;
  private tickerAsk: number | undefined;
  private endTime: Micros | undefined;
  private readonly invTick: number;
  private readonly invLot: number;

  constructor(
    private readonly clock: Clock,
    private readonly book: OrderBook,
    private readonly config: ReplayMarketConfig,
    private readonly source: ReplaySource,
    private readonly listener: MarketListener,
  ) {
    this.invTick = 1 / config.instrument.tickSize;
    this.invLot = 1 / config.instrument.lotSize;
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
    const bid = this.book.bestBid();
    const ask = this.book.bestAsk();
    return bid === undefined || ask === undefined ? undefined : (bid + ask) / 2;
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
        this.finish(this.lastTime);
        break;
      }
      for (const m of batch) {
        if (!this.push(m)) {
          await this.source.close();
          break;
        }
      }
    }
  }

  /** Latest virtual time the clock may run to before `fill()` must be awaited again. */
  horizon(): Micros {
    if (this.exhausted) return this.endUs;
    // The last buffered message's successor is not read yet: stop just before the last one runs.
    return this.lastTime - 1;
  }

  /** Schedules the first message; call after the first `fill()`. */
  start(): void {
    this.scheduleNext();
  }

  private push(m: ReplayMessage): boolean {
    if (this.t0 === undefined) this.t0 = m.exchangeUs;
    const own = m.exchangeUs - this.t0;
    if (this.config.durationUs !== undefined && own > this.config.durationUs) {
      this.finish(this.config.durationUs);
      return false;
    }
    const kind = m.kind;
    if (m.exchangeUs < this.lastExchange[kind]) this.stats.out_of_order[kind]++;
    else this.lastExchange[kind] = m.exchangeUs;
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
        this.apply(m);
      } catch (e) {
        // The message's line is in the error; its file is known to the source (several files are merged).
        throw e instanceof ReplayDataError && e.file === undefined ? e.inFile(this.source.fileOf(m)) : e;
      }
      this.scheduleNext();
    });
  }

  private apply(m: ReplayMessage): void {
    if (m.localUs !== undefined && this.config.recordedLatency) {
      const d = m.localUs - m.exchangeUs;
      if (d < this.offsetUs) {
        this.offsetUs = d;
        this.stats.recorder_offset_us = d;
      }
    }
    switch (m.kind) {
      case 'book':
        this.applyBook(m.snapshot, m.bids, m.asks, m.line);
        if (this.config.recordedLatency) {
          this.config.recordedLatency.current =
            (m.localUs === undefined ? 0 : m.localUs - m.exchangeUs - this.offsetUs) + this.config.recordedBaseUs;
        }
        this.listener.onBookChange();
        return;
      case 'trade': {
        const lots = this.lots(m.qty, m.price);
        this.stats.trades++;
        this.stats.traded_lots += lots;
        this.listener.onTrade(m.aggressor, this.ticks(m.price, m.line), lots);
        return;
      }
      case 'ticker':
        this.stats.tickers++;
        this.tickerBid = this.ticks(m.bidPrice, m.line);
        this.tickerAsk = this.ticks(m.askPrice, m.line);
        return;
    }
  }

  private applyBook(snapshot: boolean, bids: Levels, asks: Levels, line: number): void {
    const book = this.book;
    if (snapshot) {
      book.bids.clear();
      book.asks.clear();
      this.stats.snapshots++;
    }
    for (let i = 0; i < bids.length; i += 2) book.bids.set(this.ticks(bids[i]!, line), this.lots(bids[i + 1]!, bids[i]!));
    for (let i = 0; i < asks.length; i += 2) book.asks.set(this.ticks(asks[i]!, line), this.lots(asks[i + 1]!, asks[i]!));
    this.stats.book_updates++;
    if (book.crossed()) {
      const c = this.stats.crossed_books;
      if (c) c.count++;
      else this.stats.crossed_books = { count: 1, first_line: line };
    }
    if (!snapshot && this.tickerBid !== undefined) {
      this.stats.bbo_checks++;
      if (book.bestBid() === this.tickerBid && book.bestAsk() === this.tickerAsk) this.stats.bbo_matches++;
    }
  }

  /** A recorded price in ticks; off the instrument's tick grid means the scenario's tick_size is wrong. */
  private ticks(price: number, line: number): number {
    const t = price * this.invTick;
    const r = Math.round(t);
    if (Math.abs(t - r) > 1e-6) {
      throw new ReplayDataError(line, `price ${price} is not a multiple of instrument.tick_size ${this.config.instrument.tickSize}`);
    }
    return r;
  }

  /** A recorded quantity in lots; fractions of a lot are kept (market depth is not ours to round). */
  private lots(qty: number, price: number): number {
    const l = (this.config.quantityUnit === 'quote' ? qty / price : qty) * this.invLot;
    const r = Math.round(l);
    return Math.abs(l - r) < 1e-9 * Math.max(1, r) ? r : l;
  }
}
