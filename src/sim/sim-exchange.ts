import type { Clock, Micros } from '../core/clock.ts';
import type { ExchangeGateway, GatewayListener } from '../core/exchange-gateway.ts';
import type { BookTop, CancelRequest, ExecutionEvent, Instrument, PlaceRequest, Side } from '../core/types.ts';
import { DigestKind } from './event-digest.ts';
import type { EventDigest } from './event-digest.ts';
import type { OrderedChannel } from './latency-model.ts';
import type { OrderBook } from './order-book.ts';
import type { QueueModel } from './queue-model.ts';
import type { MarketListener } from './synthetic-market.ts';

export interface SimExchangeConfig {
  /** Fee rates in bps of notional; a negative maker fee is a rebate. */
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
  readonly minSizeLots: number;
}

export interface Channels {
  /** Bot to exchange: orders and cancels. */
  readonly entry: OrderedChannel;
  /** Exchange to bot: acks, rejects, fills, cancel confirmations. */
  readonly response: OrderedChannel;
  /** Exchange to bot: market data. */
  readonly feed: OrderedChannel;
}

interface RestingOrder {
  readonly clientId: string;
  readonly num: number;
  readonly side: Side;
  readonly priceTicks: number;
  leaves: number;
  /** Lots in the market's book ahead of this order at its price. */
  ahead: number;
  /** The level's quantity when last seen, to tell cancellations (a fall without a trade) apart. */
  levelQty: number;
}

type OrderFate = 'resting' | 'filled' | 'canceled' | 'rejected';

export interface ExchangeStats {
  orders_received: number;
  cancels_received: number;
  fills: number;
  fills_through: number;
  fills_queue: number;
  fills_cross: number;
  feed_updates: number;
}

const sideCode = (s: Side): number => (s === 'buy' ? 1 : -1);

/**
 * The simulated venue. The bot's orders rest beside the market's L2 book with the quantity ahead of
 * them at arrival; they fill when a trade prints through their price, when trades at their price have
 * consumed the queue ahead, or when the book crosses them. Post-only orders that would cross on
 * arrival (after entry latency, against the book as it is then) are rejected. All traffic passes
 * through ordered channels with their own latency.
 */
export class SimExchange implements ExchangeGateway, MarketListener {
  readonly stats: ExchangeStats = {
    orders_received: 0,
    cancels_received: 0,
    fills: 0,
    fills_through: 0,
    fills_queue: 0,
    fills_cross: 0,
    feed_updates: 0,
  };
  private listener: GatewayListener | undefined;
  private readonly resting: RestingOrder[] = [];
  private readonly fates = new Map<string, OrderFate>();
  private nextNum = 1;
  private lastTop: BookTop | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly instrument: Instrument,
    private readonly book: OrderBook,
    private readonly config: SimExchangeConfig,
    private readonly queue: QueueModel,
    private readonly channels: Channels,
    private readonly digest: EventDigest,
  ) {}

  connect(listener: GatewayListener): void {
    this.listener = listener;
    this.lastTop = undefined;
    this.onBookChange();
  }

  placeOrder(request: PlaceRequest): void {
    const at = this.channels.entry.deliveryTime(this.clock.now());
    this.clock.schedule(at, () => this.onPlaceArrival(request));
  }

  cancelOrder(request: CancelRequest): void {
    const at = this.channels.entry.deliveryTime(this.clock.now());
    this.clock.schedule(at, () => this.onCancelArrival(request));
  }

  get restingOrders(): number {
    return this.resting.length;
  }

  onTrade(aggressor: Side, priceTicks: number, qtyLots: number): void {
    this.digest.add(DigestKind.trade, this.clock.now(), sideCode(aggressor), priceTicks, qtyLots);
    const passive: Side = aggressor === 'buy' ? 'sell' : 'buy';
    const levelQty = this.book.side(passive).qtyAt(priceTicks);
    for (let i = 0; i < this.resting.length; i++) {
      const o = this.resting[i]!;
      if (o.side !== passive) continue;
      // A buy aggressor printing above a resting sell went through it (symmetrically for a sell).
      const through = passive === 'sell' ? o.priceTicks < priceTicks : o.priceTicks > priceTicks;
      if (through) {
        this.fill(o, o.leaves, 'through');
      } else if (o.priceTicks === priceTicks) {
        const fillable = qtyLots - o.ahead;
        o.ahead = Math.max(0, o.ahead - qtyLots);
        o.levelQty = levelQty;
        if (fillable > 0) this.fill(o, Math.min(o.leaves, fillable), 'queue');
      }
    }
    this.removeDone();
  }

  onBookChange(): void {
    const bestBid = this.book.bestBid();
    const bestAsk = this.book.bestAsk();
    for (let i = 0; i < this.resting.length; i++) {
      const o = this.resting[i]!;
      const crossed = o.side === 'buy' ? bestAsk !== undefined && bestAsk <= o.priceTicks : bestBid !== undefined && bestBid >= o.priceTicks;
      if (crossed) {
        this.fill(o, o.leaves, 'cross');
        continue;
      }
      const qty = this.book.side(o.side).qtyAt(o.priceTicks);
      if (qty < o.levelQty) o.ahead = this.queue.onLevelDecrease(o.ahead, o.levelQty, qty);
      o.levelQty = qty;
    }
    this.removeDone();
    this.publishTop();
  }

  private onPlaceArrival(req: PlaceRequest): void {
    const now = this.clock.now();
    const num = this.nextNum++;
    this.stats.orders_received++;
    this.digest.add(DigestKind.placeArrival, now, num, sideCode(req.side), req.priceTicks, req.qtyLots);
    if (req.qtyLots < this.config.minSizeLots) return this.reject(req, num, 'min_size');
    const bestBid = this.book.bestBid();
    const bestAsk = this.book.bestAsk();
    const wouldCross = req.side === 'buy' ? bestAsk !== undefined && req.priceTicks >= bestAsk : bestBid !== undefined && req.priceTicks <= bestBid;
    if (req.postOnly && wouldCross) return this.reject(req, num, 'post_only_would_cross');
    const levelQty = this.book.side(req.side).qtyAt(req.priceTicks);
    // Own orders already resting at this price are ahead too (time priority among our own orders).
    let ownAhead = 0;
    for (const o of this.resting) if (o.side === req.side && o.priceTicks === req.priceTicks) ownAhead += o.leaves;
    this.resting.push({
      clientId: req.clientId,
      num,
      side: req.side,
      priceTicks: req.priceTicks,
      leaves: req.qtyLots,
      ahead: this.queue.onArrival(levelQty) + ownAhead,
      levelQty,
    });
    this.fates.set(req.clientId, 'resting');
    this.digest.add(DigestKind.accepted, now, num);
    this.respond({ type: 'accepted', clientId: req.clientId, exchangeTime: now });
  }

  private reject(req: PlaceRequest, num: number, reason: 'min_size' | 'post_only_would_cross'): void {
    const now = this.clock.now();
    this.fates.set(req.clientId, 'rejected');
    this.digest.add(DigestKind.rejected, now, num, reason === 'min_size' ? 1 : 2);
    this.respond({ type: 'rejected', clientId: req.clientId, reason, exchangeTime: now });
  }

  private onCancelArrival(req: CancelRequest): void {
    const now = this.clock.now();
    this.stats.cancels_received++;
    const i = this.resting.findIndex((o) => o.clientId === req.clientId);
    if (i >= 0) {
      const o = this.resting[i]!;
      this.resting.splice(i, 1);
      this.fates.set(req.clientId, 'canceled');
      this.digest.add(DigestKind.canceled, now, o.num, o.leaves);
      this.respond({ type: 'canceled', clientId: req.clientId, leavesLots: o.leaves, exchangeTime: now });
      return;
    }
    const fate = this.fates.get(req.clientId);
    const reason = fate === 'filled' ? 'too_late_to_cancel' : 'unknown_order';
    this.digest.add(DigestKind.cancelRejected, now, reason === 'too_late_to_cancel' ? 1 : 2);
    this.respond({ type: 'cancel_rejected', clientId: req.clientId, reason, exchangeTime: now });
  }

  private fill(o: RestingOrder, qty: number, how: 'through' | 'queue' | 'cross'): void {
    if (qty <= 0) return;
    const now = this.clock.now();
    o.leaves -= qty;
    this.stats.fills++;
    this.stats[`fills_${how}`]++;
    const notional = qty * this.instrument.lotSize * o.priceTicks * this.instrument.tickSize;
    const feeUsd = (notional * this.config.makerFeeBps) / 10_000;
    if (o.leaves === 0) this.fates.set(o.clientId, 'filled');
    this.digest.add(DigestKind.fill, now, o.num, o.priceTicks, qty, o.leaves);
    this.respond({
      type: 'fill',
      clientId: o.clientId,
      symbol: this.instrument.symbol,
      side: o.side,
      priceTicks: o.priceTicks,
      qtyLots: qty,
      leavesLots: o.leaves,
      liquidity: 'maker',
      feeUsd,
      exchangeTime: now,
    });
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
    const listener = this.listener;
    if (!listener) return;
    const at = this.channels.response.deliveryTime(this.clock.now());
    this.clock.schedule(at, () => listener.onExecution(event));
  }

  private publishTop(): void {
    const listener = this.listener;
    const bid = this.book.bids;
    const ask = this.book.asks;
    const bidTicks = bid.best();
    const askTicks = ask.best();
    if (!listener || bidTicks === undefined || askTicks === undefined) return;
    const last = this.lastTop;
    if (last && last.bidTicks === bidTicks && last.askTicks === askTicks && last.bidLots === bid.bestQty() && last.askLots === ask.bestQty()) return;
    const now: Micros = this.clock.now();
    const top: BookTop = {
      type: 'book',
      symbol: this.instrument.symbol,
      bidTicks,
      bidLots: bid.bestQty(),
      askTicks,
      askLots: ask.bestQty(),
      exchangeTime: now,
    };
    this.lastTop = top;
    this.stats.feed_updates++;
    this.digest.add(DigestKind.feed, now, bidTicks, top.bidLots, askTicks, top.askLots);
    const at = this.channels.feed.deliveryTime(now);
    this.clock.schedule(at, () => listener.onMarketData(top));
  }
}
