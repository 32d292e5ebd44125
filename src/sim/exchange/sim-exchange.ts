import type { Clock, Micros } from '../../core/clock.ts';
import type { ExchangeGateway, GatewayListener } from '../../core/exchange-gateway.ts';
import type {
  BookTop,
  CancelRejectReason,
  CancelRequest,
  ExchangeRejectReason,
  ExecutionEvent,
  Instrument,
  DepthLevel,
  PlaceRequest,
  PublicTrade,
  QueryRequest,
  QueryResult,
  Side,
} from '../../core/types.ts';
import { DigestKind } from '../run/event-digest.ts';
import type { EventDigest } from '../run/event-digest.ts';
import type { ExchangeObserver, FillRecord } from './exchange-observer.ts';
import { FaultSchedule } from './faults.ts';
import type { OrderBook } from './order-book.ts';
import { bookView } from './market-view.ts';
import type { MarketView } from './market-view.ts';
import type { QueueModel } from './queue-model.ts';
import type { RandomStream } from '../clock/rng.ts';
import { SlidingWindowCounter } from './sliding-window.ts';
import type { MarketListener } from '../market/synthetic-market.ts';

export interface RateLimitConfig {
  /** At most this many requests in any sliding window of `windowUs`. */
  readonly maxRequests: number;
  readonly windowUs: Micros;
  /** Cancels count against the limit too (and are refused while it is exceeded). */
  readonly includeCancels: boolean;
  /** Ban the account after this many refused requests within `banWindowUs`; 0 never bans. */
  readonly banAfter: number;
  readonly banWindowUs: Micros;
  /** While banned every order and cancel is refused with `rate_limited`. */
  readonly banDurationUs: Micros;
}

export interface MarginConfig {
  /** Collateral in USD. */
  readonly balanceUsd: number;
  readonly leverage: number;
}

export interface SimExchangeConfig {
  /** Fee rates in bps of notional; a negative maker fee is a rebate. */
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
  readonly minSizeLots: number;
  readonly minNotionalUsd: number;
  /** Refuse orders priced further than this from the mid, in bps; undefined: no band. */
  readonly priceBandBps: number | undefined;
  readonly rateLimit: RateLimitConfig | undefined;
  readonly margin: MarginConfig | undefined;
  /** Session heartbeat (and book snapshot) interval; 0 sends none. */
  readonly heartbeatUs: Micros;
  /** Levels per side the bot's feed carries (default 1: the top only). */
  readonly feedDepthLevels?: number;
  /** Send every market print to the bot on the feed channel (default false: nobody listens). */
  readonly publicTrades?: boolean;
}

/** A network path with its own latency; `op` picks the per-operation distribution. */
export interface DeliveryChannel {
  deliveryTime(sentAt: Micros, op: string, factor?: number): Micros;
}

export interface Channels {
  /** Bot to exchange: orders, cancels, queries. */
  readonly entry: DeliveryChannel;
  /** Exchange to bot: acks, rejects, fills, cancel confirmations, query answers, heartbeats. */
  readonly response: DeliveryChannel;
  /** Exchange to bot: market data. */
  readonly feed: DeliveryChannel;
}

export interface SimExchangeDeps {
  readonly clock: Clock;
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

interface RestingOrder {
  readonly clientId: string;
  readonly num: number;
  readonly side: Side;
  readonly priceTicks: number;
  readonly qtyLots: number;
  leaves: number;
  /** Estimated lots ahead of this order at its price (may be fractional under probabilistic models). */
  ahead: number;
  /** The level's market quantity when last seen. */
  levelQty: number;
  /** Lots traded at this price since the level was last seen (already taken off `ahead`). */
  traded: number;
  /**
   * The opposite side's displayed lots at prices at or through this order, at the last book change that
   * found it crossed (0 while it is not): a later change fills only what it adds to that.
   */
  crossSeen: number;
}

/** The order an aggressor meets our orders in: buys before sells, then best price first, then time priority. */
function byPricePriority(a: RestingOrder, b: RestingOrder): number {
  if (a.side !== b.side) return a.side === 'buy' ? -1 : 1;
  return (a.side === 'sell' ? a.priceTicks - b.priceTicks : b.priceTicks - a.priceTicks) || a.num - b.num;
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

/** The exchange's own ledger for the account: what the bot's books must agree with. */
export interface ExchangeAccount {
  positionLots: number;
  /** Cash from fills: sells add notional, buys subtract it, fees are subtracted (a rebate adds). */
  cashUsd: number;
  feesUsd: number;
  filledLots: number;
}

const sideCode = (s: Side): number => (s === 'buy' ? 1 : -1);
const REJECT_CODES: Record<ExchangeRejectReason, number> = {
  min_size: 1,
  post_only_would_cross: 2,
  rate_limited: 3,
  price_band: 4,
  insufficient_margin: 5,
  exchange_overloaded: 6,
  min_notional: 7,
};
const CANCEL_REJECT_CODES: Record<CancelRejectReason, number> = {
  too_late_to_cancel: 1,
  unknown_order: 2,
  rate_limited: 3,
  exchange_overloaded: 4,
};

/**
 * The simulated venue. The bot's orders rest beside the market's L2 book with an estimate of the
 * quantity ahead of them (the queue model); they fill, partially or fully and always at their own price,
 * when a trade prints through their price, when trades at their price have consumed the queue ahead, or
 * when the book crosses them. An order that is not post-only and crosses on arrival first takes the
 * displayed levels up to its limit (taker fills), then rests or is canceled (IOC). Requests pass the venue's rules in a fixed order (rate limit, overload,
 * size, notional, price band, margin, post-only) and every refusal is an event with a reason. All
 * traffic passes through channels with their own latency, and the scenario's faults act on them.
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
  readonly account: ExchangeAccount = { positionLots: 0, cashUsd: 0, feesUsd: 0, filledLots: 0 };
  private listener: GatewayListener | undefined;
  private readonly resting: RestingOrder[] = [];
  /**
   * Orders filled in full: a cancel that finds no resting order is too late for these and unknown for
   * any other (canceled, rejected, never sent). Only these are remembered, so memory grows with fills,
   * not with every order sent.
   */
  private readonly filledIds = new Set<string>();
  private nextNum = 1;
  private lastTop: BookTop | undefined;
  private heartbeatStarted = false;
  private readonly clock: Clock;
  private readonly instrument: Instrument;
  private readonly book: OrderBook;
  private readonly view: MarketView;
  private readonly feedView: MarketView;
  private readonly config: SimExchangeConfig;
  private readonly queue: QueueModel;
  private readonly channels: Channels;
  private readonly digest: EventDigest;
  private readonly faults: FaultSchedule;
  private readonly faultRng: RandomStream | undefined;
  private readonly messages: SlidingWindowCounter;
  private readonly observer: ExchangeObserver | undefined;
  private readonly requests: SlidingWindowCounter | undefined;
  private breaches: SlidingWindowCounter | undefined;
  private bannedUntil: Micros = -1;
  private tradeSeq = 0;
  private bookSeq = 0;
  /** Reused for the orders one event reaches, so that matching allocates nothing per event. */
  private readonly reached: RestingOrder[] = [];
  /** Displayed lots our taker orders took, per price, with the level's quantity then. */
  private readonly takenBids = new Map<number, { shown: number; used: number }>();
  private readonly takenAsks = new Map<number, { shown: number; used: number }>();

  constructor(deps: SimExchangeDeps) {
    this.clock = deps.clock;
    this.instrument = deps.instrument;
    this.book = deps.book;
    this.view = deps.view ?? bookView(deps.book);
    this.feedView = deps.feedView ?? bookView(deps.book);
    this.config = deps.config;
    this.queue = deps.queue;
    this.channels = deps.channels;
    this.digest = deps.digest;
    this.faults = deps.faults ?? new FaultSchedule([]);
    this.faultRng = deps.faultRng;
    this.messages = deps.messages ?? new SlidingWindowCounter(1_000_000);
    this.observer = deps.observer;
    const rl = deps.config.rateLimit;
    if (rl) {
      this.requests = new SlidingWindowCounter(rl.windowUs);
      if (rl.banAfter > 0) this.breaches = new SlidingWindowCounter(rl.banWindowUs);
    }
  }

  connect(listener: GatewayListener): void {
    this.listener = listener;
    this.lastTop = undefined;
    this.onBookChange();
    if (!this.heartbeatStarted && this.config.heartbeatUs > 0) {
      this.heartbeatStarted = true;
      this.scheduleHeartbeat();
    }
  }

  placeOrder(request: PlaceRequest): void {
    this.fromBot('place', () => this.onPlaceArrival(request));
  }

  cancelOrder(request: CancelRequest): void {
    this.fromBot('cancel', () => this.onCancelArrival(request));
  }

  query(request: QueryRequest): void {
    this.fromBot('query', () => this.onQueryArrival(request));
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

  /**
   * A print of `qtyLots` at `priceTicks`. The aggressor would have met our orders at better prices first
   * (best price first, then time priority), then the queue at the print's price: each fill takes whole
   * lots from what the print has left, so the print never fills more of ours than it traded. The queue
   * ahead at the print's price still shrinks by the whole print: the market's queue traded it.
   */
  onTrade(aggressor: Side, priceTicks: number, qtyLots: number): void {
    const now = this.clock.now();
    this.messages.add(now);
    this.digest.add(DigestKind.trade, now, sideCode(aggressor), priceTicks, qtyLots);
    const cause = ++this.tradeSeq;
    this.observer?.onTrade?.(cause, aggressor, priceTicks, qtyLots, now);
    if (this.config.publicTrades) this.publishTrade(aggressor, priceTicks, qtyLots, now);
    const passive: Side = aggressor === 'buy' ? 'sell' : 'buy';
    const through = this.reached;
    for (const o of this.resting) {
      // A buy aggressor printing above a resting sell went through it (symmetrically for a sell).
      if (o.side === passive && (passive === 'sell' ? o.priceTicks < priceTicks : o.priceTicks > priceTicks)) through.push(o);
    }
    if (through.length > 1) through.sort(byPricePriority);
    let budget = qtyLots;
    for (const o of through) {
      const q = Math.min(o.leaves, Math.floor(budget));
      if (q <= 0) break;
      budget -= q;
      this.fill(o, q, 'through', cause);
    }
    through.length = 0;
    // What reached the price itself: the queue ahead takes it first, then our orders there in time priority.
    const atPrice = budget;
    for (const o of this.resting) {
      if (o.side !== passive || o.priceTicks !== priceTicks) continue;
      const reached = Math.floor(atPrice - o.ahead);
      o.ahead = Math.max(0, o.ahead - qtyLots);
      o.traded += qtyLots;
      const q = Math.min(o.leaves, reached, Math.floor(budget));
      if (q > 0) {
        budget -= q;
        this.fill(o, q, 'queue', cause);
      }
    }
    this.removeDone();
  }

  onBookChange(): void {
    const now = this.clock.now();
    this.messages.add(now);
    const cause = ++this.bookSeq;
    if (this.takenBids.size + this.takenAsks.size > 0) this.forgetTaken();
    const bestBid = this.view.bestBid();
    const bestAsk = this.view.bestAsk();
    const crossed = this.reached;
    for (const o of this.resting) {
      const isCrossed = o.side === 'buy' ? bestAsk !== undefined && bestAsk <= o.priceTicks : bestBid !== undefined && bestBid >= o.priceTicks;
      if (isCrossed) crossed.push(o);
      else o.crossSeen = 0;
    }
    if (crossed.length > 0) this.crossFills(crossed, bestBid, bestAsk, cause);
    crossed.length = 0;
    for (let i = 0; i < this.resting.length; i++) {
      const o = this.resting[i]!;
      if (o.leaves === 0) continue;
      const qty = this.view.qtyAt(o.side, o.priceTicks);
      if (qty !== o.levelQty || o.traded > 0) {
        // The model sees the market's queue only; our own earlier orders at this price stay ahead.
        const own = this.ownAhead(o);
        o.ahead = own + this.queue.onLevelChange(Math.max(0, o.ahead - own), o.levelQty, qty, o.traded);
        o.levelQty = qty;
        o.traded = 0;
      }
    }
    this.removeDone();
    this.publishTop(false);
    this.observer?.onView?.(now, bestBid, bestAsk);
  }

  /**
   * The market view has moved to or through these orders. The opposite side's displayed lots at prices
   * at or through an order are what came in against it; an order takes what this change added to them
   * (`crossSeen`), less what our orders met first took in this change (better prices, then time priority).
   * Whatever does not fill rests on at its price.
   */
  private crossFills(crossed: RestingOrder[], bestBid: number | undefined, bestAsk: number | undefined, cause: number): void {
    if (crossed.length > 1) crossed.sort(byPricePriority);
    let takenByBuys = 0;
    let takenBySells = 0;
    for (const o of crossed) {
      const buy = o.side === 'buy';
      const taken = buy ? takenByBuys : takenBySells;
      const crossing = this.crossingQty(o, buy ? bestAsk! : bestBid!, o.crossSeen + taken + o.leaves);
      const q = Math.min(o.leaves, Math.floor(crossing - o.crossSeen - taken));
      o.crossSeen = crossing;
      if (q <= 0) continue;
      if (buy) takenByBuys += q;
      else takenBySells += q;
      this.fill(o, q, 'cross', cause);
    }
  }

  /**
   * The opposite side's lots at prices from its best up to `o`'s price, summed until they reach `enough`
   * (beyond that the order fills in full whatever the rest holds).
   */
  private crossingQty(o: RestingOrder, oppositeBest: number, enough: number): number {
    const opposite: Side = o.side === 'buy' ? 'sell' : 'buy';
    const step = o.side === 'buy' ? 1 : -1;
    const ticks = Math.abs(o.priceTicks - oppositeBest);
    let sum = 0;
    for (let k = 0, p = oppositeBest; k <= ticks && sum < enough; k++, p += step) sum += this.view.qtyAt(opposite, p);
    return sum;
  }

  /** Lots of our own orders resting at `o`'s price that arrived before it (time priority). */
  private ownAhead(o: RestingOrder): number {
    let lots = 0;
    for (const r of this.resting) if (r.num < o.num && r.side === o.side && r.priceTicks === o.priceTicks && r.leaves > 0) lots += r.leaves;
    return lots;
  }

  private onPlaceArrival(req: PlaceRequest): void {
    const now = this.clock.now();
    const num = this.nextNum++;
    this.stats.orders_received++;
    this.messages.add(now);
    this.digest.add(DigestKind.placeArrival, now, num, sideCode(req.side), req.priceTicks, req.qtyLots);
    const reason = this.admit(now, true) ?? this.overloaded(now) ?? this.validate(req);
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
    if (takes) this.take(order);
    if (order.leaves === 0) return;
    if (ioc) {
      this.digest.add(DigestKind.canceled, now, num, order.leaves);
      this.observer?.onCanceled?.(req.clientId, now, order.leaves);
      this.respond({ type: 'canceled', clientId: req.clientId, leavesLots: order.leaves, exchangeTime: now });
      return;
    }
    // What rests after taking may still face displayed lots it could not take (its own takes among them):
    // only what a later change adds to them fills it.
    if (takes) order.crossSeen = this.crossingQty(order, req.side === 'buy' ? askTicks! : bidTicks!, Infinity);
    this.resting.push(order);
  }

  /**
   * A taker order on arrival: it takes the market view level by level from the best opposite price up to
   * its limit, never more than a level displays less what our own takers already took from it since the
   * market last changed that level, at each level's price and the taker fee.
   */
  private take(o: RestingOrder): void {
    const buy = o.side === 'buy';
    const opposite: Side = buy ? 'sell' : 'buy';
    const consumed = buy ? this.takenAsks : this.takenBids;
    for (let p = buy ? this.view.bestAsk() : this.view.bestBid(); p !== undefined && o.leaves > 0; p = this.view.worseLevel(opposite, p)) {
      if (buy ? p > o.priceTicks : p < o.priceTicks) break;
      const shown = this.view.qtyAt(opposite, p);
      const taken = consumed.get(p);
      const used = taken !== undefined && taken.shown === shown ? taken.used : 0;
      const q = Math.min(o.leaves, Math.floor(shown - used));
      if (q <= 0) continue;
      consumed.set(p, { shown, used: used + q });
      o.leaves -= q;
      this.settle(o, p, q, 'taker', 'take', this.bookSeq);
    }
  }

  /** The market changed: what our takers took from a level counts only until the level itself changes. */
  private forgetTaken(): void {
    for (const [consumed, side] of [
      [this.takenBids, 'buy'],
      [this.takenAsks, 'sell'],
    ] as const) {
      if (consumed.size === 0) continue;
      for (const [p, t] of consumed) if (this.view.qtyAt(side, p) !== t.shown) consumed.delete(p);
    }
  }

  /** The order-entry gateway's rate limit and ban; `undefined` when the request may pass. */
  private admit(now: Micros, isOrder: boolean): 'rate_limited' | undefined {
    const rl = this.config.rateLimit;
    if (!rl) return undefined;
    // A ban refuses cancels too, whether or not they count against the limit.
    if (now < this.bannedUntil) return 'rate_limited';
    if (!isOrder && !rl.includeCancels) return undefined;
    if (this.requests!.count(now) < rl.maxRequests) {
      this.requests!.add(now);
      return undefined;
    }
    this.stats.rate_limit_breaches++;
    if (this.breaches) {
      this.breaches.add(now);
      if (this.breaches.count(now) >= rl.banAfter) {
        this.bannedUntil = now + rl.banDurationUs;
        this.stats.bans++;
        // A ban wipes the slate: counting toward the next one starts when it ends.
        this.breaches = new SlidingWindowCounter(rl.banWindowUs);
      }
    }
    return 'rate_limited';
  }

  private overloaded(now: Micros): 'exchange_overloaded' | undefined {
    const storm = this.faults.active('reject_storm', now);
    if (!storm || !this.faultRng || !this.faultRng.bernoulli(storm.probability)) return undefined;
    this.faults.count('reject_storm', now, 'overloaded');
    return 'exchange_overloaded';
  }

  /** The matching engine's checks on a new order, against the book as it is on arrival. */
  private validate(req: PlaceRequest): ExchangeRejectReason | undefined {
    const cfg = this.config;
    if (req.qtyLots < cfg.minSizeLots) return 'min_size';
    const inst = this.instrument;
    if (req.qtyLots * inst.lotSize * req.priceTicks * inst.tickSize < cfg.minNotionalUsd) return 'min_notional';
    const bestBid = this.view.bestBid();
    const bestAsk = this.view.bestAsk();
    if (cfg.priceBandBps !== undefined && bestBid !== undefined && bestAsk !== undefined) {
      const mid = (bestBid + bestAsk) / 2;
      if ((Math.abs(req.priceTicks - mid) / mid) * 10_000 > cfg.priceBandBps) return 'price_band';
    }
    if (cfg.margin && !this.marginAllows(req)) return 'insufficient_margin';
    const wouldCross = req.side === 'buy' ? bestAsk !== undefined && req.priceTicks >= bestAsk : bestBid !== undefined && req.priceTicks <= bestBid;
    if (req.postOnly && wouldCross) return 'post_only_would_cross';
    return undefined;
  }

  /**
   * Initial margin on the worst case: the position if every resting order on one side (and the new
   * one) filled, valued at the order's price, over leverage, must fit in the balance.
   */
  private marginAllows(req: PlaceRequest): boolean {
    const { balanceUsd, leverage } = this.config.margin!;
    let buys = 0;
    let sells = 0;
    for (const o of this.resting) {
      if (o.side === 'buy') buys += o.leaves;
      else sells += o.leaves;
    }
    if (req.side === 'buy') buys += req.qtyLots;
    else sells += req.qtyLots;
    const pos = this.account.positionLots;
    const worstLots = Math.max(Math.abs(pos + buys), Math.abs(pos - sells));
    const inst = this.instrument;
    return (worstLots * inst.lotSize * req.priceTicks * inst.tickSize) / leverage <= balanceUsd;
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
    const refused = this.admit(now, false) ?? this.overloaded(now);
    if (refused) return this.cancelReject(req.clientId, refused);
    const i = this.resting.findIndex((o) => o.clientId === req.clientId);
    if (i < 0) return this.cancelReject(req.clientId, this.filledIds.has(req.clientId) ? 'too_late_to_cancel' : 'unknown_order');
    const o = this.resting[i]!;
    this.resting.splice(i, 1);
    // Own orders that joined the level after this one move up by what it held.
    this.moveUpBehind(o, o.leaves);
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
    this.toBot(this.channels.response, 'query', (l) => l.onQueryResult(result));
  }

  private fill(o: RestingOrder, qty: number, how: 'through' | 'queue' | 'cross', cause: number): void {
    o.leaves -= qty;
    // Our later orders at this price move up by what filled; a print at the price moved them already.
    if (how !== 'queue') this.moveUpBehind(o, qty);
    this.stats[`fills_${how}`]++;
    this.settle(o, o.priceTicks, qty, 'maker', how, cause);
  }

  /** Books a fill of `qty` at `priceTicks` (already taken off `o.leaves`) on the account and tells the bot. */
  private settle(o: RestingOrder, priceTicks: number, qty: number, liquidity: 'maker' | 'taker', how: FillRecord['how'], cause: number): void {
    const now = this.clock.now();
    this.stats.fills++;
    const inst = this.instrument;
    const notional = qty * inst.lotSize * priceTicks * inst.tickSize;
    const feeUsd = (notional * (liquidity === 'maker' ? this.config.makerFeeBps : this.config.takerFeeBps)) / 10_000;
    const acct = this.account;
    acct.positionLots += sideCode(o.side) * qty;
    acct.cashUsd += -sideCode(o.side) * notional - feeUsd;
    acct.feesUsd += feeUsd;
    acct.filledLots += qty;
    if (o.leaves === 0) this.filledIds.add(o.clientId);
    this.digest.add(DigestKind.fill, now, o.num, priceTicks, qty, o.leaves);
    this.observer?.onFill?.({ clientId: o.clientId, side: o.side, priceTicks, qtyLots: qty, leavesLots: o.leaves, how, cause, exchangeTime: now });
    this.respond({
      type: 'fill',
      clientId: o.clientId,
      symbol: inst.symbol,
      side: o.side,
      priceTicks,
      qtyLots: qty,
      leavesLots: o.leaves,
      liquidity,
      feeUsd,
      exchangeTime: now,
    });
  }

  /** Our orders that joined `o`'s level after it: `lots` of ours ahead of them are gone. */
  private moveUpBehind(o: RestingOrder, lots: number): void {
    for (const later of this.resting) {
      if (later.side === o.side && later.priceTicks === o.priceTicks && later.num > o.num) later.ahead = Math.max(0, later.ahead - lots);
    }
  }

  private removeDone(): void {
    let w = 0;
    for (let r = 0; r < this.resting.length; r++) {
      const o = this.resting[r]!;
      if (o.leaves > 0) this.resting[w++] = o;
    }
    this.resting.length = w;
  }

  private respond(event: ExecutionEvent): void {
    const now = this.clock.now();
    if ((event.type === 'accepted' || event.type === 'canceled') && this.ackLost(now)) return;
    this.toBot(this.channels.response, event.type === 'fill' ? 'fill' : 'ack', (l) => l.onExecution(event));
  }

  private ackLost(now: Micros): boolean {
    const loss = this.faults.active('ack_loss', now);
    if (!loss || !this.faultRng || !this.faultRng.bernoulli(loss.probability)) return false;
    this.faults.count('ack_loss', now, 'acks_dropped');
    this.digest.add(DigestKind.dropped, now, 1);
    return true;
  }

  private disconnected(t: Micros): boolean {
    return this.faults.activeIndex('disconnect', t) >= 0;
  }

  /** A request from the bot: lost if the connection is down when it is sent or when it would arrive. */
  private fromBot(op: string, handler: () => void): void {
    const now = this.clock.now();
    if (this.dropped(now, 'dropped_to_exchange')) return;
    const at = this.channels.entry.deliveryTime(now, op, this.faults.latencyFactor(now));
    this.clock.schedule(at, () => {
      if (!this.dropped(at, 'dropped_to_exchange')) handler();
    });
  }

  /** A message to the bot, on the same terms. */
  private toBot(channel: DeliveryChannel, op: string, deliver: (l: GatewayListener) => void): void {
    const listener = this.listener;
    if (!listener) return;
    const now = this.clock.now();
    if (this.dropped(now, 'dropped_to_bot')) return;
    const at = channel.deliveryTime(now, op, this.faults.latencyFactor(now));
    this.clock.schedule(at, () => {
      if (!this.dropped(at, 'dropped_to_bot')) deliver(listener);
    });
  }

  private dropped(t: Micros, effect: 'dropped_to_exchange' | 'dropped_to_bot'): boolean {
    if (!this.disconnected(t)) return false;
    this.faults.count('disconnect', t, effect);
    this.digest.add(DigestKind.dropped, t, effect === 'dropped_to_exchange' ? 2 : 3);
    return true;
  }

  private scheduleHeartbeat(): void {
    this.clock.schedule(this.clock.now() + this.config.heartbeatUs, () => {
      const now = this.clock.now();
      this.stats.heartbeats++;
      this.digest.add(DigestKind.heartbeat, now);
      this.toBot(this.channels.response, 'ack', (l) => l.onHeartbeat({ type: 'heartbeat', exchangeTime: now }));
      // A snapshot of the top, even unchanged: a quiet book and a frozen feed look different to the bot.
      this.publishTop(true);
      this.scheduleHeartbeat();
    });
  }

  private publishTrade(aggressor: Side, priceTicks: number, qtyLots: number, now: Micros): void {
    const listener = this.listener;
    if (!listener?.onPublicTrade) return;
    // A frozen feed carries nothing, trades included.
    if (this.faults.activeIndex('feed_freeze', now) >= 0) return;
    const trade: PublicTrade = { type: 'trade', symbol: this.instrument.symbol, side: aggressor, priceTicks, qtyLots, exchangeTime: now };
    // The book's distribution on the feed's FIFO path: a print never overtakes the book sent before it.
    this.toBot(this.channels.feed, 'book', (l) => l.onPublicTrade?.(trade));
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

  private publishTop(snapshot: boolean): void {
    const listener = this.listener;
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
    this.toBot(this.channels.feed, 'book', (l) => l.onMarketData(top));
  }
}

function sameLevels(a: readonly DepthLevel[] | undefined, b: readonly DepthLevel[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.priceTicks !== b[i]!.priceTicks || a[i]!.lots !== b[i]!.lots) return false;
  return true;
}
