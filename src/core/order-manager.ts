import type { Clock, Micros } from './clock.ts';
import type { ExchangeGateway, GatewayListener } from './exchange-gateway.ts';
import type { BotMetrics, LatencyOp } from './bot-metrics.ts';
import { OrderStats } from './order-stats.ts';
import { PnlTracker } from './pnl-tracker.ts';
import type { MidAt, PnlConfig } from './pnl-tracker.ts';
import { MidHistory } from './mid-history.ts';
import type { RiskMonitor } from './risk-monitor.ts';
import { SessionStats } from './session-stats.ts';
import { midTicks } from './types.ts';
import type { BookTop, DepthLevel, ExecutionEvent, Heartbeat, Instrument, MarketEvent, PublicTrade, QueryResult, RiskRejectReason, Side, TimeInForce } from './types.ts';
import { StrategyHost } from './strategy-host.ts';
import type { ManagedOrders } from './strategy-host.ts';
import type { BookLevel, BookView } from './strategy.ts';
import { LiveOrders, newLiveOrder, orderViews, workingLots } from './live-orders.ts';
import type { LiveOrder } from './live-orders.ts';
import { RateLimitBackoff } from './rate-limit-backoff.ts';
import { SessionWatchdog } from './session-watchdog.ts';
import { finishReconRound } from './recon-round.ts';
import type { ReconTarget } from './recon-round.ts';
import type { LoopHooks, LoopObserver, ManagerConfig } from './manager-config.ts';

export type { LoopHooks, LoopObserver, ManagerConfig } from './manager-config.ts';
export type { SessionConfig } from './session-watchdog.ts';

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
  private readonly orders: LiveOrders;
  private readonly observer: LoopObserver | undefined;
  private book: BookTop | undefined;
  private bookView: BookView | undefined;
  private readonly mids: MidHistory;
  private readonly host: StrategyHost;
  private readonly watch: SessionWatchdog;
  private readonly backoff: RateLimitBackoff;
  private nextId = 1;
  private nextBlockedId = 1;
  private running = false;
  private recvSeq = 0;

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
    this.orders = new LiveOrders(clock, gateway, this.stats, metrics, instrument.symbol, () => this.running, () => this.watch.connected);
    this.backoff = new RateLimitBackoff(clock, config.session?.rateLimitBackoffUs ?? 0);
    this.watch = new SessionWatchdog(clock, gateway, metrics, this.session, this.stats, config.session, {
      running: () => this.running,
      hasBook: () => this.book !== undefined,
      cancelAll: () => this.orders.cancelAll(),
      resendRefusedCancels: () => {
        if (!this.backoff.quiet()) this.orders.resendRefusedCancels();
      },
      nextSendSeq: () => this.orders.nextSendSeq(),
      nextRecvSeq: () => ++this.recvSeq,
      positionLots: () => risk.positionLots(instrument.symbol),
      reconcile: (round, openOrders, positions) => finishReconRound(this.reconTarget(config), round, openOrders, positions),
    });
    this.host = new StrategyHost(config.strategy, config.label, clock, this.managed(), config.random);
    this.pnl = new PnlTracker(clock, pnlConfig, new Map([[instrument.symbol, instrument]]), hooks.venueMidAt ?? ownMidAt);
    risk.trackWorking(instrument.symbol, () => workingLots(this.orders.values()));
    risk.onSample((sample) => metrics.observeRiskSample(sample));
    risk.onLossHalt(() => metrics.countLossHalt());
    risk.onFreezeChange((frozen) => {
      metrics.setFrozen(frozen);
      if (frozen) this.orders.cancelAll();
      else this.host.ready();
    });
  }

  start(): void {
    this.running = true;
    this.risk.start();
    this.watch.start();
    this.gateway.connect(this);
    this.host.start();
    this.watch.scheduleWatchdog();
  }

  get openOrders(): number {
    return this.orders.size;
  }

  onMarketData(event: MarketEvent): void {
    this.heard();
    if (event.symbol !== this.instrument.symbol) return;
    this.book = event;
    this.bookView = undefined;
    this.watch.bookArrived();
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
    this.watch.onQueryResult(result);
  }

  onExecution(event: ExecutionEvent): void {
    this.heard();
    const live = this.orders.get(event.clientId);
    const order = live ?? this.orders.awaitingCancelReply.get(event.clientId);
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
        this.backoff.reset();
        this.orders.markPlaced(order);
        this.recordLatency('place', this.clock.now() - order.sentAt);
        if (order.cancelOnAck || !this.running) this.orders.sendCancel(order);
        this.host.update({ type: 'accepted', id: order.clientId, side: order.side, time: event.exchangeTime });
        break;
      case 'rejected':
        if (event.reason === 'rate_limited') this.backoff.backOff();
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
        this.orders.forget(order);
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
        if (event.reason === 'rate_limited') this.backoff.backOff();
        if (event.reason === 'rate_limited' || event.reason === 'exchange_overloaded') {
          // Refused, not done: the order still rests. Send the cancel again later, never in a tight loop.
          if (this.orders.has(order.clientId)) {
            order.status = 'open';
            order.retryCancel = true;
          }
        } else {
          // The order is gone on the venue: filled (its fills arrived first on the ordered stream) or unknown.
          this.orders.forget(order);
          if (live) this.host.update({ type: 'canceled', id: order.clientId, side: order.side, time: event.exchangeTime });
        }
        break;
    }
  }

  /** Stop quoting and cancel everything resting (shutdown of a live bot). */
  stop(): void {
    this.finish();
    this.orders.cancelAll();
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
      this.orders.markPlaced(order);
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
      if (order.status === 'pending_cancel') this.orders.awaitingCancelReply.set(order.clientId, order);
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

  private mid(): number {
    return this.book ? midTicks(this.book) : 0;
  }

  /** Quoting needs a live connection, a fresh book, no freeze, and no recon pending after a fault. */
  private canQuote(): boolean {
    return this.running && this.book !== undefined && !this.risk.isFrozen() && this.watch.connected && !this.watch.stale && !this.watch.reconBlocking;
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
    const decisionTicks = side === 'buy' ? this.book!.askTicks : this.book!.bidTicks;
    const order = newLiveOrder({ clientId, side, priceTicks, qtyLots, decisionTicks, status: 'pending_new', sentAt: this.clock.now(), sentSeq: this.orders.nextSendSeq() });
    this.orders.set(clientId, order);
    this.stats.countSent();
    this.metrics.countOrder('sent');
    // GTC is the venue's default: a request says so only when it asks for something else.
    this.gateway.placeOrder({ type: 'place', clientId, symbol, side, priceTicks, qtyLots, postOnly, ...(timeInForce === 'GTC' ? {} : { timeInForce }) });
    return clientId;
  }

  private sessionBlock(): RiskRejectReason | undefined {
    if (!this.watch.connected || this.watch.stale || !this.book || this.watch.reconBlocking) return 'risk_not_ready';
    if (this.backoff.quiet()) return 'risk_backoff';
    return undefined;
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

  private managed(): ManagedOrders {
    const symbol = this.instrument.symbol;
    return {
      instrument: this.instrument,
      book: () => this.currentBook(),
      positionLots: () => this.risk.positionLots(symbol),
      positionNotionalUsd: () => this.risk.positionNotionalUsd(symbol),
      openOrders: () => orderViews(this.orders.values(), this.instrument),
      place: (side, priceTicks, qtyLots, postOnly, timeInForce) => this.place(side, priceTicks, qtyLots, postOnly, timeInForce),
      cancel: (id) => this.orders.cancel(id),
      cancelAll: () => {
        for (const id of [...this.orders.keys()]) this.orders.cancel(id);
      },
      canQuote: () => this.canQuote(),
      backingOff: () => this.backoff.quiet(),
      running: () => this.running,
    };
  }

  private heard(): void {
    this.watch.heard();
  }

  /** What a finished recon round reads and changes here. */
  private reconTarget(config: ManagerConfig): ReconTarget {
    return {
      symbol: this.instrument.symbol,
      orders: this.orders,
      stats: this.stats,
      session: this.session,
      metrics: this.metrics,
      risk: this.risk,
      host: this.host,
      ackTimeoutUs: config.session?.reconTimeoutUs ?? 0,
      now: () => this.clock.now(),
      canQuote: () => this.canQuote(),
    };
  }

  private recordLatency(op: LatencyOp, us: Micros): void {
    this.stats.recordLatency(op, us);
    this.metrics.observeLatencyMs(op, us / 1000);
  }
}
