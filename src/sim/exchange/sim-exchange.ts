import type { ExchangeGateway, GatewayListener } from '../../core/exchange-gateway.ts';
import type {
  CancelRejectReason,
  CancelRequest,
  ExchangeRejectReason,
  ExecutionEvent,
  Instrument,
  PlaceRequest,
  QueryRequest,
  QueryResult,
  Side,
} from '../../core/types.ts';
import { DigestKind } from '../run/event-digest.ts';
import type { EventDigest } from '../run/event-digest.ts';
import type { ExchangeObserver } from './exchange-observer.ts';
import { FaultSchedule } from './faults.ts';
import type { OrderBook } from './order-book.ts';
import { bookView } from './market-view.ts';
import type { MarketView } from './market-view.ts';
import { MakerMatch } from './maker-match.ts';
import type { QueueModel } from './queue-model.ts';
import { crossingQty, moveUpBehind, sideCode } from './resting-orders.ts';
import type { RestingOrder } from './resting-orders.ts';
import type { RandomStream } from '../clock/rng.ts';
import type { DispatchClock } from '../clock/dispatch-clock.ts';
import { Settlement } from './settlement.ts';
import type { ExchangeAccount, SettlementConfig } from './settlement.ts';
import { SlidingWindowCounter } from './sliding-window.ts';
import { TakerMatch } from './taker-match.ts';
import { ToBot, VenueConnection } from './venue-connection.ts';
import type { Channels } from './venue-connection.ts';
import { VenueFeed } from './venue-feed.ts';
import type { VenueFeedConfig } from './venue-feed.ts';
import { CANCEL_REJECT_CODES, REJECT_CODES, VenueRules } from './venue-rules.ts';
import type { VenueRulesConfig } from './venue-rules.ts';
import type { MarketListener } from '../market/synthetic-market.ts';

export type { DeliveryChannel, Channels } from './venue-connection.ts';
export type { ExchangeAccount } from './settlement.ts';
export type { MarginConfig, RateLimitConfig } from './venue-rules.ts';

export interface SimExchangeConfig extends VenueRulesConfig, VenueFeedConfig, SettlementConfig {
  /** Send every market print to the bot on the feed channel (default false: nobody listens). */
  readonly publicTrades?: boolean;
}

export interface SimExchangeDeps {
  readonly clock: DispatchClock;
  readonly instrument: Instrument;
  readonly book: OrderBook;
  /** What matching reads (best prices, level quantities); the plain book when not given. */
  readonly view?: MarketView;
  /** What the bot's feed publishes as the top of book; the plain book when not given. */
  readonly feedView?: MarketView;
  readonly config: SimExchangeConfig;
  readonly queue: QueueModel;
  readonly channels: Channels;
  readonly digest: EventDigest;
  readonly faults?: FaultSchedule;
  /** Draws for probabilistic faults (reject storms, lost acks); only touched while such a fault is active. */
  readonly faultRng?: RandomStream;
  /** Counts every message the exchange handles, for latency that scales with load. */
  readonly messages?: SlidingWindowCounter;
  /** Sees what happens on the venue (the order log, venue mids for P&L, tests); must not change anything. */
  readonly observer?: ExchangeObserver;
}

export interface ExchangeStats {
  orders_received: number;
  cancels_received: number;
  queries_received: number;
  fills: number;
  fills_through: number;
  fills_queue: number;
  fills_cross: number;
  feed_updates: number;
  heartbeats: number;
  rate_limit_breaches: number;
  bans: number;
}

/**
 * The simulated venue. The bot's orders rest beside the market's L2 book with an estimate of the
 * quantity ahead of them (the queue model); they fill, partially or fully and always at their own price,
 * when a trade prints through their price, when trades at their price have consumed the queue ahead, or
 * when the book crosses them (maker-match.ts). An order that is not post-only and crosses on arrival first
 * takes the displayed levels up to its limit (taker fills, taker-match.ts), then rests or is canceled (IOC).
 * Requests pass the venue's rules in a fixed order (rate limit, overload, size, notional, price band,
 * margin, post-only: venue-rules.ts) and every refusal is an event with a reason. All traffic passes
 * through channels with their own latency, and the scenario's faults act on them (venue-connection.ts,
 * venue-feed.ts); fills are booked on the account in settlement.ts. This class coordinates them.
 * docs/exchange-model.md states every rule.
 */
export class SimExchange implements ExchangeGateway, MarketListener {
  readonly stats: ExchangeStats = {
    orders_received: 0,
    cancels_received: 0,
    queries_received: 0,
    fills: 0,
    fills_through: 0,
    fills_queue: 0,
    fills_cross: 0,
    feed_updates: 0,
    heartbeats: 0,
    rate_limit_breaches: 0,
    bans: 0,
  };
  readonly account: ExchangeAccount;
  private readonly resting: RestingOrder[] = [];
  private nextNum = 1;
  private heartbeatStarted = false;
  private readonly clock: DispatchClock;
  private readonly instrument: Instrument;
  private readonly view: MarketView;
  private readonly config: SimExchangeConfig;
  private readonly queue: QueueModel;
  private readonly digest: EventDigest;
  private readonly faults: FaultSchedule;
  private readonly messages: SlidingWindowCounter;
  private readonly observer: ExchangeObserver | undefined;
  private readonly rules: VenueRules;
  private readonly link: VenueConnection;
  private readonly feed: VenueFeed;
  private readonly maker: MakerMatch;
  private readonly taker: TakerMatch;
  private readonly settlement: Settlement;
  // The requests' arrival handlers, made once: the connection schedules (handler, request) records.
  private readonly arrivePlace: (request: PlaceRequest) => void;
  private readonly arriveCancel: (request: CancelRequest) => void;
  private readonly arriveQuery: (request: QueryRequest) => void;
  private tradeSeq = 0;
  private bookSeq = 0;

  constructor(deps: SimExchangeDeps) {
    this.clock = deps.clock;
    this.instrument = deps.instrument;
    this.view = deps.view ?? bookView(deps.book);
    const feedView = deps.feedView ?? bookView(deps.book);
    this.config = deps.config;
    this.queue = deps.queue;
    this.digest = deps.digest;
    this.faults = deps.faults ?? new FaultSchedule([]);
    const faultRng = deps.faultRng;
    this.messages = deps.messages ?? new SlidingWindowCounter(1_000_000);
    this.observer = deps.observer;
    const { clock, instrument, view, config, digest, faults, stats } = this;
    this.rules = new VenueRules({ config, instrument, view, faults, faultRng, stats });
    this.link = new VenueConnection({ clock, channels: deps.channels, digest, faults, faultRng });
    this.arrivePlace = this.link.arrival((r: PlaceRequest) => this.onPlaceArrival(r));
    this.arriveCancel = this.link.arrival((r: CancelRequest) => this.onCancelArrival(r));
    this.arriveQuery = this.link.arrival((r: QueryRequest) => this.onQueryArrival(r));
    this.feed = new VenueFeed({ clock, instrument, view: feedView, config, digest, faults, link: this.link, stats });
    this.maker = new MakerMatch(this.resting, view, this.queue, (o, qty, how, cause) => this.fill(o, qty, how, cause));
    this.taker = new TakerMatch(view);
    this.settlement = new Settlement({ clock, instrument, config, digest, observer: this.observer, respond: (e) => this.respond(e), stats });
    this.account = this.settlement.account;
  }

  connect(listener: GatewayListener): void {
    this.link.listener = listener;
    this.feed.reset();
    this.onBookChange();
    if (!this.heartbeatStarted && this.config.heartbeatUs > 0) {
      this.heartbeatStarted = true;
      this.feed.scheduleHeartbeat();
    }
  }

  placeOrder(request: PlaceRequest): void {
    this.link.fromBot('place', this.arrivePlace, request);
  }

  cancelOrder(request: CancelRequest): void {
    this.link.fromBot('cancel', this.arriveCancel, request);
  }

  query(request: QueryRequest): void {
    this.link.fromBot('query', this.arriveQuery, request);
  }

  get queueModelName(): string {
    return this.queue.name;
  }

  /** The resting orders with their queue estimates, oldest first (tests and tools). */
  restingSnapshot(): { clientId: string; side: Side; priceTicks: number; leaves: number; ahead: number }[] {
    return this.resting.map((o) => ({ clientId: o.clientId, side: o.side, priceTicks: o.priceTicks, leaves: o.leaves, ahead: o.ahead }));
  }

  get restingOrders(): number {
    return this.resting.length;
  }

  /** A print of `qtyLots` at `priceTicks`: our orders it reached fill (MakerMatch.onTrade). */
  onTrade(aggressor: Side, priceTicks: number, qtyLots: number): void {
    const now = this.clock.now();
    this.messages.add(now);
    this.digest.add(DigestKind.trade, now, sideCode(aggressor), priceTicks, qtyLots);
    const cause = ++this.tradeSeq;
    this.observer?.onTrade?.(cause, aggressor, priceTicks, qtyLots, now);
    if (this.config.publicTrades) this.feed.publishTrade(aggressor, priceTicks, qtyLots, now);
    this.maker.onTrade(aggressor, priceTicks, qtyLots, cause);
  }

  onBookChange(): void {
    const now = this.clock.now();
    this.messages.add(now);
    const cause = ++this.bookSeq;
    this.taker.onBookChange();
    const bestBid = this.view.bestBid();
    const bestAsk = this.view.bestAsk();
    this.maker.onBookChange(bestBid, bestAsk, cause);
    this.feed.publishTop(false);
    this.observer?.onView?.(now, bestBid, bestAsk);
  }

  private onPlaceArrival(req: PlaceRequest): void {
    const now = this.clock.now();
    const num = this.nextNum++;
    this.stats.orders_received++;
    this.messages.add(now);
    this.digest.add(DigestKind.placeArrival, now, num, sideCode(req.side), req.priceTicks, req.qtyLots);
    const reason = this.rules.admit(now, true) ?? this.rules.overloaded(now) ?? this.rules.validate(req, this.resting, this.account.positionLots);
    if (reason) return this.reject(req, num, reason);
    const bidTicks = this.view.bestBid();
    const askTicks = this.view.bestAsk();
    const takes = !req.postOnly && (req.side === 'buy' ? askTicks !== undefined && req.priceTicks >= askTicks : bidTicks !== undefined && req.priceTicks <= bidTicks);
    const ioc = !req.postOnly && req.timeInForce === 'IOC';
    // Own orders already resting at this price are ahead too (time priority among our own orders).
    let ownAhead = 0;
    for (const o of this.resting) if (o.side === req.side && o.priceTicks === req.priceTicks) ownAhead += o.leaves;
    const levelQty = this.view.qtyAt(req.side, req.priceTicks);
    const ahead = this.queue.onArrival(levelQty) + ownAhead;
    const order: RestingOrder = {
      clientId: req.clientId,
      num,
      side: req.side,
      priceTicks: req.priceTicks,
      qtyLots: req.qtyLots,
      leaves: req.qtyLots,
      ahead,
      levelQty,
      traded: 0,
      crossSeen: 0,
    };
    this.digest.add(DigestKind.accepted, now, num);
    this.observer?.onOrderArrival?.(req.clientId, now, 'accepted', { bidTicks, askTicks, aheadLots: ioc ? undefined : ahead });
    this.respond({ type: 'accepted', clientId: req.clientId, exchangeTime: now });
    if (takes) this.taker.take(order, (o, p, q) => this.settlement.settle(o, p, q, 'taker', 'take', this.bookSeq));
    if (order.leaves === 0) return;
    if (ioc) {
      this.digest.add(DigestKind.canceled, now, num, order.leaves);
      this.observer?.onCanceled?.(req.clientId, now, order.leaves);
      this.respond({ type: 'canceled', clientId: req.clientId, leavesLots: order.leaves, exchangeTime: now });
      return;
    }
    // What rests after taking may still face displayed lots it could not take (its own takes among them):
    // only what a later change adds to them fills it.
    if (takes) order.crossSeen = crossingQty(this.view, order, req.side === 'buy' ? askTicks! : bidTicks!, Infinity);
    this.resting.push(order);
  }

  private reject(req: PlaceRequest, num: number, reason: ExchangeRejectReason): void {
    const now = this.clock.now();
    this.digest.add(DigestKind.rejected, now, num, REJECT_CODES[reason]);
    this.observer?.onOrderArrival?.(req.clientId, now, reason, { bidTicks: this.view.bestBid(), askTicks: this.view.bestAsk(), aheadLots: undefined });
    this.respond({ type: 'rejected', clientId: req.clientId, reason, exchangeTime: now });
  }

  private onCancelArrival(req: CancelRequest): void {
    const now = this.clock.now();
    this.stats.cancels_received++;
    this.messages.add(now);
    const refused = this.rules.admit(now, false) ?? this.rules.overloaded(now);
    if (refused) return this.cancelReject(req.clientId, refused);
    const i = this.resting.findIndex((o) => o.clientId === req.clientId);
    if (i < 0) return this.cancelReject(req.clientId, this.settlement.filledInFull(req.clientId) ? 'too_late_to_cancel' : 'unknown_order');
    const o = this.resting[i]!;
    this.resting.splice(i, 1);
    // Own orders that joined the level after this one move up by what it held.
    moveUpBehind(this.resting, o, o.leaves);
    this.digest.add(DigestKind.canceled, now, o.num, o.leaves);
    this.observer?.onCanceled?.(req.clientId, now, o.leaves);
    this.respond({ type: 'canceled', clientId: req.clientId, leavesLots: o.leaves, exchangeTime: now });
  }

  private cancelReject(clientId: string, reason: CancelRejectReason): void {
    const now = this.clock.now();
    this.digest.add(DigestKind.cancelRejected, now, CANCEL_REJECT_CODES[reason]);
    this.respond({ type: 'cancel_rejected', clientId, reason, exchangeTime: now });
  }

  private onQueryArrival(req: QueryRequest): void {
    const now = this.clock.now();
    this.stats.queries_received++;
    this.messages.add(now);
    const asList = this.faults.activeIndex('list_responses', now) >= 0;
    if (asList) this.faults.count('list_responses', now, 'list_answers');
    const inst = this.instrument;
    const entries: [string, unknown][] =
      req.kind === 'open_orders'
        ? this.resting.map((o) => [
            o.clientId,
            { client_id: o.clientId, symbol: inst.symbol, side: o.side, price_ticks: o.priceTicks, qty_lots: o.qtyLots, leaves_lots: o.leaves },
          ])
        : [[inst.symbol, { symbol: inst.symbol, position_lots: this.account.positionLots }]];
    const data = asList ? entries.map(([, v]) => v) : Object.fromEntries(entries);
    this.digest.add(DigestKind.query, now, req.requestId, req.kind === 'open_orders' ? 1 : 2, entries.length, asList ? 1 : 0);
    const result: QueryResult = { type: 'query_result', kind: req.kind, requestId: req.requestId, data, exchangeTime: now };
    this.link.toBot(this.link.channels.response, 'query', ToBot.queryResult, result);
  }

  private fill(o: RestingOrder, qty: number, how: 'through' | 'queue' | 'cross', cause: number): void {
    o.leaves -= qty;
    // Our later orders at this price move up by what filled; a print at the price moved them already.
    if (how !== 'queue') moveUpBehind(this.resting, o, qty);
    this.stats[`fills_${how}`]++;
    this.settlement.settle(o, o.priceTicks, qty, 'maker', how, cause);
  }

  /** Every execution report the venue sends passes here (tests/property/run-trace.ts spies on it). */
  private respond(event: ExecutionEvent): void {
    this.link.respond(event);
  }
}
