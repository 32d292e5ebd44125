import type { Clock, Micros } from './clock.ts';
import type { ExchangeGateway, GatewayListener } from './exchange-gateway.ts';
import type { BotMetrics, LatencyOp } from './bot-metrics.ts';
import { OrderStats } from './order-stats.ts';
import { PnlTracker } from './pnl-tracker.ts';
import type { MidAt, PnlConfig } from './pnl-tracker.ts';
import { MidHistory } from './mid-history.ts';
import { ensureMapping } from './ensure-mapping.ts';
import { countByKind, reconcile } from './recon.ts';
import type { BotOrderView, ReconPlan } from './recon.ts';
import type { RiskMonitor, WorkingLots } from './risk-monitor.ts';
import { SessionStats } from './session-stats.ts';
import { midTicks } from './types.ts';
import type { BookTop, DepthLevel, ExecutionEvent, Heartbeat, Instrument, MarketEvent, PublicTrade, QueryKind, QueryResult, RiskRejectReason, Side, TimeInForce } from './types.ts';
import { StrategyHost } from './strategy-host.ts';
import type { BuiltinStrategy, ManagedOrders } from './strategy-host.ts';
import type { BookLevel, BookView, OrderView } from './strategy.ts';

/** The strategy the order manager runs, and its session rules. */
export interface ManagerConfig {
  readonly strategy: BuiltinStrategy;
  /** Names the strategy in its errors: a module's file, or the built-in's kind. */
  readonly label: string;
  /** The strategy's `random()`: the seeded stream `strategy`. */
  readonly random: () => number;
  /** Connection watchdog and recon; without it the bot trusts the venue blindly (unit tests). */
  readonly session?: SessionConfig | undefined;
}

export interface SessionConfig {
  /** No message at all from the venue (heartbeats included) for this long: the connection is lost. */
  readonly disconnectTimeoutUs: Micros;
  /** No market data for this long: the book is stale, quotes are pulled and none are sent. */
  readonly maxBookAgeUs: Micros;
  /** Reconcile orders and positions with the venue this often (0: only after faults). */
  readonly reconIntervalUs: Micros;
  /** Give up on a recon round whose answers have not come back after this long. */
  readonly reconTimeoutUs: Micros;
  /** How often the watchdog looks at the timers above. */
  readonly watchdogUs: Micros;
  /**
   * After a `rate_limited` answer the bot places no new orders and retries no refused cancel for this
   * long, doubling on each further one (up to 32x) until an order gets through: hammering a rate limit
   * is how accounts get banned. Cancels of stale quotes still go out.
   */
  readonly rateLimitBackoffUs: Micros;
}

/** Sees the bot's decisions that no message to the venue carries (tools: it must not change anything). */
export interface LoopObserver {
  /** The pre-trade risk check stopped an order the bot wanted to send: it never left the bot. */
  onRiskBlock?(order: { side: Side; priceTicks: number; qtyLots: number; reason: RiskRejectReason }, now: Micros): void;
}

/** Optional wiring from whoever runs the loop: neither changes what the bot does. */
export interface LoopHooks {
  readonly observer?: LoopObserver;
  /** The venue's mids for P&L (a simulator's market view); without it, the mids this bot received. */
  readonly venueMidAt?: MidAt;
}

type OrderStatus = 'pending_new' | 'open' | 'pending_cancel';

interface LiveOrder {
  readonly clientId: string;
  readonly side: Side;
  readonly priceTicks: number;
  readonly qtyLots: number;
  /** The best opposite price in the bot's book when the order was sent: what a taker fill slips against. */
  readonly decisionTicks: number;
  filledLots: number;
  status: OrderStatus;
  readonly sentAt: Micros;
  /** Send sequence numbers: which requests went out before a recon query (and so reached the venue first). */
  readonly sentSeq: number;
  cancelSentAt: Micros;
  cancelSeq: number;
  /** The quote went stale while the order was in flight: cancel it as soon as it is acknowledged. */
  cancelOnAck: boolean;
  /** A cancel was refused while the order lives on (rate limit, overload): the watchdog sends it again. */
  retryCancel: boolean;
  /** Receive sequence number of the last event about this order (0: none yet). */
  heardSeq: number;
}

/** One round of recon: both queries out, answers collected as they come. */
interface ReconRound {
  readonly requestId: number;
  readonly sentAt: Micros;
  readonly seq: number;
  /** Quoting waits for this round (it follows a fault). */
  blocking: boolean;
  /** Receive sequence number of the open-orders answer: events for an order heard after it are newer. */
  openOrdersSeq?: number;
  openOrders?: { data: unknown };
  positions?: { data: unknown };
  /**
   * The bot's position when the positions answer arrived: the fills heard after it were sent after it
   * (ordered response path), so they are news on top of the answer, not a divergence.
   */
  positionsBotLots?: number;
}

/**
 * The bot's order manager for one symbol, under a strategy that decides the quotes: it keeps each
 * order's life cycle with at most one action in flight per order (no cancel before the ack, no second
 * cancel: a cancel asked for early goes out on the ack), checks risk before anything is sent, watches
 * the connection and the book, reconciles with the venue, backs off after rate limits and books P&L and
 * metrics. It sees time only through `Clock` and the venue only through `ExchangeGateway`, so it runs
 * unchanged against the simulator or live.
 */
export class OrderManager implements GatewayListener {
  readonly stats = new OrderStats();
  readonly session = new SessionStats();
  readonly pnl: PnlTracker;
  private readonly orders = new Map<string, LiveOrder>();
  private readonly observer: LoopObserver | undefined;
  /** Orders that filled completely while our cancel was in flight: the cancel's answer is still due. */
  private readonly awaitingCancelReply = new Map<string, LiveOrder>();
  private book: BookTop | undefined;
  private bookView: BookView | undefined;
  private readonly mids: MidHistory;
  private readonly host: StrategyHost;
  private readonly session_: SessionConfig | undefined;
  private nextId = 1;
  private nextBlockedId = 1;
  private running = false;
  private sendSeq = 0;
  private recvSeq = 0;
  private connected = true;
  private stale = false;
  private lastHeardAt: Micros = 0;
  private bookReceivedAt: Micros = 0;
  private recon: ReconRound | undefined;
  private nextRequestId = 1;
  private lastReconAt: Micros = 0;
  /** Rate-limit back-off: nothing new is sent before this time. */
  private quietUntil: Micros = 0;
  private backoffStep = 0;

  constructor(
    private readonly clock: Clock,
    private readonly gateway: ExchangeGateway,
    private readonly risk: RiskMonitor,
    private readonly metrics: BotMetrics,
    private readonly instrument: Instrument,
    config: ManagerConfig,
    pnlConfig: PnlConfig,
    hooks: LoopHooks = {},
  ) {
    const longest = Math.max(...pnlConfig.horizonsUs);
    // Keep enough history to look back past the longest horizon plus any plausible network delay.
    this.mids = new MidHistory(longest + 60_000_000);
    const ownMidAt: MidAt = (_symbol, t, inclusive) => {
      const mid = this.mids.at(t, inclusive);
      return Number.isNaN(mid) ? this.mid() : mid;
    };
    this.observer = hooks.observer;
    this.session_ = config.session;
    this.host = new StrategyHost(config.strategy, config.label, clock, this.managed(), config.random);
    this.pnl = new PnlTracker(clock, pnlConfig, new Map([[instrument.symbol, instrument]]), hooks.venueMidAt ?? ownMidAt);
    risk.trackWorking(instrument.symbol, () => this.workingLots());
    risk.onSample((sample) => metrics.observeRiskSample(sample));
    risk.onLossHalt(() => metrics.countLossHalt());
    risk.onFreezeChange((frozen) => {
      metrics.setFrozen(frozen);
      if (frozen) this.cancelAll();
      else this.host.ready();
    });
  }

  start(): void {
    this.running = true;
    this.risk.start();
    this.lastHeardAt = this.clock.now();
    this.lastReconAt = this.clock.now();
    this.gateway.connect(this);
    this.host.start();
    if (this.session_) this.scheduleWatchdog(this.session_);
  }

  get openOrders(): number {
    return this.orders.size;
  }

  onMarketData(event: MarketEvent): void {
    this.heard();
    if (event.symbol !== this.instrument.symbol) return;
    this.book = event;
    this.bookView = undefined;
    this.bookReceivedAt = this.clock.now();
    if (this.stale) {
      this.stale = false;
      // A feed outage is a fault: check the books before quoting again.
      this.startRecon(false);
    }
    const mid = midTicks(event);
    this.mids.push(event.exchangeTime, mid);
    this.risk.setMark(event.symbol, mid);
    this.metrics.setPositionNotional(event.symbol, this.risk.positionNotionalUsd(event.symbol));
    this.host.book(this.currentBook()!);
  }

  /** Public trades go to the strategy as they come; they say nothing about the bot's own orders. */
  onPublicTrade(trade: PublicTrade): void {
    this.heard();
    if (trade.symbol !== this.instrument.symbol || !this.running) return;
    const { tickSize, lotSize } = this.instrument;
    this.host.trade({ price: trade.priceTicks * tickSize, qty: trade.qtyLots * lotSize, side: trade.side, time: trade.exchangeTime });
  }

  /** Whether the strategy reads public trades: a venue that can leave them out need not send them. */
  get wantsTrades(): boolean {
    return this.host.wantsTrades;
  }

  onHeartbeat(_heartbeat: Heartbeat): void {
    this.heard();
  }

  onQueryResult(result: QueryResult): void {
    this.heard();
    const round = this.recon;
    // An answer to a round already given up (or to nothing): a late message, counted and ignored.
    if (!round || result.requestId !== round.requestId) {
      this.stats.countUnexpected();
      return;
    }
    if (result.kind === 'open_orders') {
      round.openOrders = { data: result.data };
      round.openOrdersSeq = ++this.recvSeq;
    }
    else {
      round.positions = { data: result.data };
      round.positionsBotLots = this.risk.positionLots(this.instrument.symbol);
    }
    if (round.openOrders && round.positions) this.finishRecon(round, round.openOrders.data, round.positions.data);
  }

  onExecution(event: ExecutionEvent): void {
    this.heard();
    const live = this.orders.get(event.clientId);
    const order = live ?? this.awaitingCancelReply.get(event.clientId);
    if (order) order.heardSeq = ++this.recvSeq;
    if (!order) {
      // Not ours, or already closed: a live bot logs it and carries on; the report shows the count.
      this.stats.countUnexpected();
      return;
    }
    switch (event.type) {
      case 'accepted':
        // A late ack for an order recon or a fill already showed to be live: counted then.
        if (order.status !== 'pending_new') break;
        this.backoffStep = 0;
        this.markPlaced(order);
        this.recordLatency('place', this.clock.now() - order.sentAt);
        if (order.cancelOnAck || !this.running) this.sendCancel(order);
        this.host.update({ type: 'accepted', id: order.clientId, side: order.side, time: event.exchangeTime });
        break;
      case 'rejected':
        if (event.reason === 'rate_limited') this.backOff();
        this.orders.delete(order.clientId);
        this.stats.countReject(event.reason);
        this.metrics.countOrder('rejected');
        this.metrics.countReject(event.reason);
        this.recordLatency('place', this.clock.now() - order.sentAt);
        this.host.update({ type: 'rejected', id: order.clientId, side: order.side, reason: event.reason, time: event.exchangeTime });
        break;
      case 'fill':
        this.onFill(order, event);
        break;
      case 'canceled':
        this.forget(order);
        this.stats.countCanceled();
        this.metrics.countOrder('canceled');
        // An IOC remainder is canceled by the venue itself: no cancel of ours to time.
        if (order.cancelSentAt >= 0) this.recordLatency('cancel', this.clock.now() - order.cancelSentAt);
        if (live) this.host.update({ type: 'canceled', id: order.clientId, side: order.side, time: event.exchangeTime });
        break;
      case 'cancel_rejected':
        this.stats.countCancelReject(event.reason);
        this.metrics.countCancelReject(event.reason);
        this.recordLatency('cancel', this.clock.now() - order.cancelSentAt);
        if (event.reason === 'rate_limited') this.backOff();
        if (event.reason === 'rate_limited' || event.reason === 'exchange_overloaded') {
          // Refused, not done: the order still rests. Send the cancel again later, never in a tight loop.
          if (this.orders.has(order.clientId)) {
            order.status = 'open';
            order.retryCancel = true;
          }
        } else {
          // The order is gone on the venue: filled (its fills arrived first on the ordered stream) or unknown.
          this.forget(order);
          if (live) this.host.update({ type: 'canceled', id: order.clientId, side: order.side, time: event.exchangeTime });
        }
        break;
    }
  }

  /** Stop quoting and cancel everything resting (shutdown of a live bot). */
  stop(): void {
    this.finish();
    this.cancelAll();
  }

  /** The end of a run: the strategy's `onStop`, then nothing more is sent or handled. */
  finish(): void {
    if (!this.running) return;
    this.running = false;
    this.host.stop();
  }

  private onFill(order: LiveOrder, fill: Extract<ExecutionEvent, { type: 'fill' }>): void {
    const wasNew = order.status === 'pending_new';
    if (wasNew) {
      // A fill proves the order was accepted: its ack was lost (or is late). No place latency to record.
      this.markPlaced(order);
    }
    if (order.filledLots === 0) {
      this.stats.countFilled();
      this.metrics.countOrder('filled');
    }
    order.filledLots += fill.qtyLots;
    this.stats.countFill(fill.qtyLots);
    this.metrics.countFill(fill.liquidity);
    this.recordLatency('fill', this.clock.now() - fill.exchangeTime);
    // Retire a completed order before the risk monitor reacts: a freeze must not cancel what just filled.
    const done = fill.leavesLots === 0;
    if (done) {
      this.orders.delete(order.clientId);
      if (order.status === 'pending_cancel') this.awaitingCancelReply.set(order.clientId, order);
    }
    this.risk.onFill(fill);
    this.metrics.setPositionNotional(fill.symbol, this.risk.positionNotionalUsd(fill.symbol));
    this.pnl.onFill({ ...fill, decisionTicks: order.decisionTicks });
    const lot = this.instrument.lotSize;
    if (wasNew) this.host.update({ type: 'accepted', id: order.clientId, side: order.side, time: fill.exchangeTime });
    this.host.update({
      type: 'fill',
      id: order.clientId,
      side: order.side,
      price: fill.priceTicks * this.instrument.tickSize,
      qty: fill.qtyLots * lot,
      filledQty: order.filledLots * lot,
      leavesQty: fill.leavesLots * lot,
      liquidity: fill.liquidity,
      feeUsd: fill.feeUsd,
      time: fill.exchangeTime,
    });
  }

  /**
   * What the live orders could still add to the position, per side: the leaves of every order that may
   * still fill (pending_new, open, pending_cancel; a cancel in flight can lose the race to a fill).
   */
  private workingLots(): WorkingLots {
    let buy = 0;
    let sell = 0;
    for (const o of this.orders.values()) {
      const leaves = o.qtyLots - o.filledLots;
      if (o.side === 'buy') buy += leaves;
      else sell += leaves;
    }
    return { buy, sell };
  }

  private forget(order: LiveOrder): void {
    this.orders.delete(order.clientId);
    this.awaitingCancelReply.delete(order.clientId);
  }

  private mid(): number {
    return this.book ? midTicks(this.book) : 0;
  }

  private markPlaced(order: LiveOrder): void {
    order.status = 'open';
    this.stats.countPlaced();
    this.metrics.countOrder('placed');
  }

  /** Quoting needs a live connection, a fresh book, no freeze, and no recon pending after a fault. */
  private canQuote(): boolean {
    return this.running && this.book !== undefined && !this.risk.isFrozen() && this.connected && !this.stale && !this.recon?.blocking;
  }

  private backOff(): void {
    const base = this.session_?.rateLimitBackoffUs ?? 0;
    if (base <= 0) return;
    const now = this.clock.now();
    // Answers to requests sent before the back-off began extend it once, not once each.
    if (now < this.quietUntil) return;
    this.quietUntil = now + base * 2 ** Math.min(this.backoffStep, 5);
    this.backoffStep++;
  }

  private quiet(): boolean {
    return this.clock.now() < this.quietUntil;
  }

  /**
   * A new order from the strategy, unless the bot must not send one now: not running (nothing happens),
   * no usable session or book (`risk_not_ready`), inside a rate-limit back-off (`risk_backoff`), or the
   * risk check blocks it. A block never leaves the bot: it is counted and comes back as a `rejected` update.
   */
  private place(side: Side, priceTicks: number, qtyLots: number, postOnly: boolean, timeInForce: TimeInForce): string {
    const symbol = this.instrument.symbol;
    if (!this.running) return `${symbol}-x${this.nextBlockedId++}`;
    const block = this.sessionBlock() ?? this.risk.check(symbol, side, qtyLots);
    if (block) {
      const now = this.clock.now();
      this.observer?.onRiskBlock?.({ side, priceTicks, qtyLots, reason: block }, now);
      this.stats.countReject(block);
      this.metrics.countOrder('rejected');
      this.metrics.countReject(block);
      // Its own id space: the ids of sent orders do not depend on how many were blocked.
      const id = `${symbol}-x${this.nextBlockedId++}`;
      this.host.update({ type: 'rejected', id, side, reason: block, time: now });
      return id;
    }
    const clientId = `${symbol}-${this.nextId++}`;
    const order: LiveOrder = {
      clientId,
      side,
      priceTicks,
      qtyLots,
      decisionTicks: side === 'buy' ? this.book!.askTicks : this.book!.bidTicks,
      filledLots: 0,
      status: 'pending_new',
      sentAt: this.clock.now(),
      sentSeq: ++this.sendSeq,
      cancelSentAt: -1,
      cancelSeq: 0,
      cancelOnAck: false,
      retryCancel: false,
      heardSeq: 0,
    };
    this.orders.set(clientId, order);
    this.stats.countSent();
    this.metrics.countOrder('sent');
    // GTC is the venue's default: a request says so only when it asks for something else.
    this.gateway.placeOrder({ type: 'place', clientId, symbol, side, priceTicks, qtyLots, postOnly, ...(timeInForce === 'GTC' ? {} : { timeInForce }) });
    return clientId;
  }

  private sessionBlock(): RiskRejectReason | undefined {
    if (!this.connected || this.stale || !this.book || this.recon?.blocking) return 'risk_not_ready';
    if (this.quiet()) return 'risk_backoff';
    return undefined;
  }

  /** The strategy's cancel: at most one action in flight, so an unacknowledged order is canceled on its ack. */
  private cancel(id: string): void {
    const order = this.orders.get(id);
    if (!this.running || !order || order.status === 'pending_cancel' || order.cancelOnAck || order.retryCancel) return;
    if (order.status === 'pending_new') order.cancelOnAck = true;
    // Nothing reaches a venue we are not connected to: the cancel goes out with the reconnect's.
    else if (!this.connected) order.retryCancel = true;
    else this.sendCancel(order);
  }

  private currentBook(): BookView | undefined {
    const b = this.book;
    if (!b) return undefined;
    const { tickSize, lotSize } = this.instrument;
    const levels = (depth: readonly DepthLevel[]): BookLevel[] => depth.map((l) => ({ price: l.priceTicks * tickSize, qty: l.lots * lotSize }));
    this.bookView ??= {
      bids: b.bids ? levels(b.bids) : [{ price: b.bidTicks * tickSize, qty: b.bidLots * lotSize }],
      asks: b.asks ? levels(b.asks) : [{ price: b.askTicks * tickSize, qty: b.askLots * lotSize }],
      time: b.exchangeTime,
    };
    return this.bookView;
  }

  private orderViews(): OrderView[] {
    const { tickSize, lotSize } = this.instrument;
    const views: OrderView[] = [];
    for (const o of this.orders.values()) {
      views.push({
        id: o.clientId,
        side: o.side,
        price: o.priceTicks * tickSize,
        qty: o.qtyLots * lotSize,
        filledQty: o.filledLots * lotSize,
        // A cancel asked for (on the ack, or again after a refusal) is a cancel in progress.
        status: o.cancelOnAck || o.retryCancel ? 'pending_cancel' : o.status,
      });
    }
    return views;
  }

  private managed(): ManagedOrders {
    const symbol = this.instrument.symbol;
    return {
      instrument: this.instrument,
      book: () => this.currentBook(),
      positionLots: () => this.risk.positionLots(symbol),
      positionNotionalUsd: () => this.risk.positionNotionalUsd(symbol),
      openOrders: () => this.orderViews(),
      place: (side, priceTicks, qtyLots, postOnly, timeInForce) => this.place(side, priceTicks, qtyLots, postOnly, timeInForce),
      cancel: (id) => this.cancel(id),
      cancelAll: () => {
        for (const id of [...this.orders.keys()]) this.cancel(id);
      },
      canQuote: () => this.canQuote(),
      backingOff: () => this.quiet(),
      running: () => this.running,
    };
  }

  private sendCancel(order: LiveOrder): void {
    order.status = 'pending_cancel';
    order.retryCancel = false;
    order.cancelSentAt = this.clock.now();
    order.cancelSeq = ++this.sendSeq;
    this.stats.countCancelSent();
    this.gateway.cancelOrder({ type: 'cancel', clientId: order.clientId, symbol: this.instrument.symbol });
  }

  private cancelAll(): void {
    // Nothing reaches a venue we are not connected to; on reconnect everything is canceled anyway.
    if (!this.connected) return;
    for (const order of this.orders.values()) {
      if (order.status === 'open') this.sendCancel(order);
      else if (order.status === 'pending_new') order.cancelOnAck = true;
    }
  }

  /** Any message from the venue proves the connection; the first after an outage is a reconnect. */
  private heard(): void {
    this.lastHeardAt = this.clock.now();
    if (!this.connected) this.onReconnect();
  }

  private scheduleWatchdog(cfg: SessionConfig): void {
    this.clock.schedule(this.clock.now() + cfg.watchdogUs, () => {
      if (!this.running) return;
      this.watchdog(cfg);
      this.scheduleWatchdog(cfg);
    });
  }

  private watchdog(cfg: SessionConfig): void {
    const now = this.clock.now();
    if (this.connected && now - this.lastHeardAt > cfg.disconnectTimeoutUs) this.onDisconnect();
    if (!this.connected) return;
    if (!this.stale && this.book && now - this.bookReceivedAt > cfg.maxBookAgeUs) this.onStaleBook();
    const round = this.recon;
    if (round && now - round.sentAt > cfg.reconTimeoutUs) {
      this.recon = undefined;
      this.session.reconAbandoned++;
      this.metrics.countSessionEvent('recon_abandoned');
      if (round.blocking) this.startRecon(true);
    } else if (!round && cfg.reconIntervalUs > 0 && now - this.lastReconAt >= cfg.reconIntervalUs) {
      this.startRecon(false);
    }
    if (!this.quiet()) for (const order of this.orders.values()) if (order.retryCancel && order.status === 'open') this.sendCancel(order);
  }

  private onDisconnect(): void {
    this.connected = false;
    this.recon = undefined;
    this.session.disconnects++;
    this.metrics.countSessionEvent('disconnect');
    this.metrics.setConnected(false);
  }

  /** Back from an outage: whatever happened meanwhile is unknown, so cancel everything and reconcile. */
  private onReconnect(): void {
    this.connected = true;
    this.session.reconnects++;
    this.metrics.countSessionEvent('reconnect');
    this.metrics.setConnected(true);
    this.cancelAll();
    this.startRecon(true);
  }

  private onStaleBook(): void {
    this.stale = true;
    this.session.staleBooks++;
    this.metrics.countSessionEvent('stale_book');
    // Quotes priced off a book we can no longer see are pulled.
    this.cancelAll();
  }

  private startRecon(blocking: boolean): void {
    if (!this.connected || !this.session_) return;
    if (this.recon) {
      this.recon.blocking ||= blocking;
      return;
    }
    const round: ReconRound = { requestId: this.nextRequestId++, sentAt: this.clock.now(), seq: ++this.sendSeq, blocking };
    this.recon = round;
    this.lastReconAt = round.sentAt;
    for (const kind of ['open_orders', 'positions'] satisfies QueryKind[]) this.gateway.query({ type: 'query', kind, requestId: round.requestId });
  }

  private finishRecon(round: ReconRound, openOrders: unknown, positions: unknown): void {
    this.recon = undefined;
    this.session.reconRuns++;
    this.metrics.countSessionEvent('recon');
    const symbol = this.instrument.symbol;
    const views: BotOrderView[] = [...this.orders.values()].map((o) => ({
      clientId: o.clientId,
      side: o.side,
      priceTicks: o.priceTicks,
      leavesLots: o.qtyLots - o.filledLots,
      status: o.status,
      sentAfterQuery: !this.judgeable(o, round),
    }));
    const positionLots = round.positionsBotLots ?? this.risk.positionLots(symbol);
    const plan = reconcile({ symbol, orders: views, positionLots, openOrders, positions });
    this.host.hold(() => this.applyRecon(plan, round, openOrders));
    this.host.ready();
  }

  /**
   * Whether the venue's open-orders answer can tell us anything about this order. Not if the order or its
   * cancel went out after the query, nor if we heard about it after the answer (the answer is older),
   * nor if it is still unacknowledged and young: on a path where requests can overtake each other the
   * query may have arrived before it. Only older silence counts as loss.
   */
  private judgeable(o: LiveOrder, round: ReconRound): boolean {
    if (o.sentSeq > round.seq || o.cancelSeq > round.seq) return false;
    if (o.heardSeq > (round.openOrdersSeq ?? Infinity)) return false;
    const ackTimeout = this.session_?.reconTimeoutUs ?? 0;
    if (o.status === 'pending_new' && round.sentAt - o.sentAt < ackTimeout) return false;
    if (o.status === 'pending_cancel' && round.sentAt - o.cancelSentAt < ackTimeout) return false;
    return true;
  }

  private applyRecon(plan: ReconPlan, round: ReconRound, openOrders: unknown): void {
    for (const [kind, n] of Object.entries(countByKind(plan.divergences))) {
      if (n === 0) continue;
      this.session.countDivergence(kind, n);
      this.metrics.countDivergence(kind, n);
    }
    for (const { clientId, leavesLots } of plan.adopt) {
      const order = this.orders.get(clientId);
      if (!order) continue;
      this.markPlaced(order);
      order.filledLots = order.qtyLots - leavesLots;
      this.session.adopted++;
      if (order.cancelOnAck || !this.canQuote()) this.sendCancel(order);
      this.host.update({ type: 'accepted', id: clientId, side: order.side, time: this.clock.now() });
    }
    for (const clientId of plan.drop) {
      const order = this.orders.get(clientId);
      if (!order) continue;
      this.forget(order);
      this.host.update({ type: 'canceled', id: clientId, side: order.side, time: this.clock.now() });
    }
    for (const { clientId, leavesLots } of plan.setLeaves) {
      const order = this.orders.get(clientId);
      if (order) order.filledLots = order.qtyLots - leavesLots;
    }
    // A cancel sent before the query reached the venue before it (ordered channel): if the order still
    // rests, that cancel was lost.
    const listed = new Set(ensureMapping(openOrders, 'client_id').keys());
    for (const order of this.orders.values()) {
      if (order.status === 'pending_cancel' && this.judgeable(order, round) && listed.has(order.clientId)) {
        this.session.cancelsResent++;
        this.sendCancel(order);
      }
    }
    for (const orphan of plan.cancel) {
      // Ours by the venue's word, unknown to us: track it as a live order (no quote slot) and cancel it.
      const order: LiveOrder = {
        clientId: orphan.clientId,
        side: orphan.side,
        priceTicks: orphan.priceTicks,
        qtyLots: orphan.leavesLots,
        decisionTicks: orphan.priceTicks,
        filledLots: 0,
        status: 'open',
        sentAt: this.clock.now(),
        sentSeq: 0,
        cancelSentAt: -1,
        cancelSeq: 0,
        cancelOnAck: false,
        retryCancel: false,
        heardSeq: 0,
      };
      this.orders.set(order.clientId, order);
      this.stats.countPlaced();
      this.metrics.countOrder('placed');
      this.session.orphansCanceled++;
      this.sendCancel(order);
    }
    if (plan.positionLots !== undefined) {
      const symbol = this.instrument.symbol;
      const now = this.risk.positionLots(symbol);
      const adjust = plan.positionLots - (round.positionsBotLots ?? now);
      this.session.positionAdjustLots += adjust;
      this.risk.setPosition(symbol, now + adjust);
      this.metrics.setPositionNotional(symbol, this.risk.positionNotionalUsd(symbol));
    }
  }

  private recordLatency(op: LatencyOp, us: Micros): void {
    this.stats.recordLatency(op, us);
    this.metrics.observeLatencyMs(op, us / 1000);
  }
}
