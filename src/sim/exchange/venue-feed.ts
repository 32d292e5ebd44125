import type { Clock, Micros } from '../../core/clock.ts';
import type { BookTop, DepthLevel, Instrument, PublicTrade, Side } from '../../core/types.ts';
import { DigestKind } from '../run/event-digest.ts';
import type { EventDigest } from '../run/event-digest.ts';
import type { FaultSchedule } from './faults.ts';
import type { MarketView } from './market-view.ts';
import { ToBot } from './venue-connection.ts';
import type { VenueConnection } from './venue-connection.ts';

/** The feed settings of the venue's config. */
export interface VenueFeedConfig {
  /** Session heartbeat (and book snapshot) interval; 0 sends none. */
  readonly heartbeatUs: Micros;
  /** Levels per side the bot's feed carries (default 1: the top only). */
  readonly feedDepthLevels?: number;
}

/** The exchange's counters the feed keeps. */
export interface VenueFeedStats {
  feed_updates: number;
  heartbeats: number;
}

export interface VenueFeedDeps {
  readonly clock: Clock;
  readonly instrument: Instrument;
  /** What the feed publishes as the top of book. */
  readonly view: MarketView;
  readonly config: VenueFeedConfig;
  readonly digest: EventDigest;
  readonly faults: FaultSchedule;
  readonly link: VenueConnection;
  readonly stats: VenueFeedStats;
}

/**
 * What the venue sends the bot unprompted: the top of book (and depth) when it changes, market prints,
 * and session heartbeats each with a snapshot of the top. A frozen feed carries nothing.
 */
export class VenueFeed {
  private lastTop: BookTop | undefined;
  private readonly clock: Clock;
  private readonly instrument: Instrument;
  private readonly feedView: MarketView;
  private readonly config: VenueFeedConfig;
  private readonly digest: EventDigest;
  private readonly faults: FaultSchedule;
  private readonly link: VenueConnection;
  private readonly stats: VenueFeedStats;

  constructor(deps: VenueFeedDeps) {
    this.clock = deps.clock;
    this.instrument = deps.instrument;
    this.feedView = deps.view;
    this.config = deps.config;
    this.digest = deps.digest;
    this.faults = deps.faults;
    this.link = deps.link;
    this.stats = deps.stats;
  }

  /** A new session: the next top is sent whether or not it changed. */
  reset(): void {
    this.lastTop = undefined;
  }

  /** The next heartbeat, `heartbeatUs` from now; each one schedules the next. */
  scheduleHeartbeat(): void {
    this.clock.schedule(this.clock.now() + this.config.heartbeatUs, () => {
      const now = this.clock.now();
      this.stats.heartbeats++;
      this.digest.add(DigestKind.heartbeat, now);
      this.link.toBot(this.link.channels.response, 'ack', ToBot.heartbeat, { type: 'heartbeat', exchangeTime: now });
      // A snapshot of the top, even unchanged: a quiet book and a frozen feed look different to the bot.
      this.publishTop(true);
      this.scheduleHeartbeat();
    });
  }

  /** A market print to the bot on the feed channel. */
  publishTrade(aggressor: Side, priceTicks: number, qtyLots: number, now: Micros): void {
    const listener = this.link.listener;
    if (!listener?.onPublicTrade) return;
    // A frozen feed carries nothing, trades included.
    if (this.faults.activeIndex('feed_freeze', now) >= 0) return;
    const trade: PublicTrade = { type: 'trade', symbol: this.instrument.symbol, side: aggressor, priceTicks, qtyLots, exchangeTime: now };
    // The book's distribution on the feed's FIFO path: a print never overtakes the book sent before it.
    this.link.toBot(this.link.channels.feed, 'book', ToBot.publicTrade, trade);
  }

  /** The top `n` levels of `side` in the feed's view, best first. */
  private depth(side: Side, best: number, n: number): DepthLevel[] {
    const view = this.feedView;
    const levels: DepthLevel[] = [];
    for (let p: number | undefined = best; p !== undefined && levels.length < n; p = view.worseLevel(side, p)) {
      const lots = view.qtyAt(side, p);
      if (lots > 0) levels.push({ priceTicks: p, lots });
    }
    return levels;
  }

  /** The feed's top (and depth) if it changed since the last one sent, or always for a `snapshot`. */
  publishTop(snapshot: boolean): void {
    const listener = this.link.listener;
    const view = this.feedView;
    const bidTicks = view.bestBid();
    const askTicks = view.bestAsk();
    if (!listener || bidTicks === undefined || askTicks === undefined) return;
    const bidLots = view.qtyAt('buy', bidTicks);
    const askLots = view.qtyAt('sell', askTicks);
    const n = this.config.feedDepthLevels ?? 1;
    const bids = n > 1 ? this.depth('buy', bidTicks, n) : undefined;
    const asks = n > 1 ? this.depth('sell', askTicks, n) : undefined;
    const last = this.lastTop;
    const unchanged =
      last &&
      last.bidTicks === bidTicks &&
      last.askTicks === askTicks &&
      last.bidLots === bidLots &&
      last.askLots === askLots &&
      sameLevels(last.bids, bids) &&
      sameLevels(last.asks, asks);
    if (unchanged && !snapshot) return;
    const now: Micros = this.clock.now();
    if (this.faults.activeIndex('feed_freeze', now) >= 0) {
      this.faults.count('feed_freeze', now, 'feed_updates_suppressed');
      return;
    }
    const top: BookTop = {
      type: 'book',
      symbol: this.instrument.symbol,
      bidTicks,
      bidLots,
      askTicks,
      askLots,
      ...(bids && asks ? { bids, asks } : {}),
      exchangeTime: now,
    };
    this.lastTop = top;
    this.stats.feed_updates++;
    this.digest.add(DigestKind.feed, now, bidTicks, top.bidLots, askTicks, top.askLots);
    this.link.toBot(this.link.channels.feed, 'book', ToBot.marketData, top);
  }
}

function sameLevels(a: readonly DepthLevel[] | undefined, b: readonly DepthLevel[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.priceTicks !== b[i]!.priceTicks || a[i]!.lots !== b[i]!.lots) return false;
  return true;
}
