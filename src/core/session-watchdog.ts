import type { Clock, Micros } from './clock.ts';
import type { ExchangeGateway } from './exchange-gateway.ts';
import type { BotMetrics } from './bot-metrics.ts';
import type { OrderStats } from './order-stats.ts';
import type { SessionStats } from './session-stats.ts';
import type { QueryKind, QueryResult } from './types.ts';
import type { ReconRound } from './recon-round.ts';

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

/** What the watchdog acts on in the order manager. */
export interface WatchedOrders {
  running(): boolean;
  hasBook(): boolean;
  /** Pull every quote (a fault: what rests is priced off a view we no longer trust). */
  cancelAll(): void;
  /** Send again the cancels the venue refused (rate limit, overload), unless backing off. */
  resendRefusedCancels(): void;
  /** The next send sequence number, shared with the orders: it orders recon queries among them. */
  nextSendSeq(): number;
  /** The next receive sequence number, shared with the orders' events. */
  nextRecvSeq(): number;
  positionLots(): number;
  /** Both answers of a round are in: reconcile them with the bot's own books. */
  reconcile(round: ReconRound, openOrders: unknown, positions: unknown): void;
}

/**
 * The bot's session with the venue: the connection (any message proves it, silence past a timeout
 * loses it), the age of the book, and the recon rounds that follow faults or come on a timer. Without a
 * `SessionConfig` it only tracks the connection and never runs a watchdog or recon.
 */
export class SessionWatchdog {
  private connected_ = true;
  private stale_ = false;
  private lastHeardAt: Micros = 0;
  private bookReceivedAt: Micros = 0;
  private recon: ReconRound | undefined;
  private nextRequestId = 1;
  private lastReconAt: Micros = 0;

  constructor(
    private readonly clock: Clock,
    private readonly gateway: ExchangeGateway,
    private readonly metrics: BotMetrics,
    private readonly session: SessionStats,
    private readonly stats: OrderStats,
    private readonly session_: SessionConfig | undefined,
    private readonly orders: WatchedOrders,
  ) {}

  get connected(): boolean {
    return this.connected_;
  }

  get stale(): boolean {
    return this.stale_;
  }

  /** A recon round after a fault is pending: quoting waits for it. */
  get reconBlocking(): boolean {
    return this.recon?.blocking ?? false;
  }

  /** The session begins now: nothing heard yet is not silence, no recon is due yet. */
  start(): void {
    this.lastHeardAt = this.clock.now();
    this.lastReconAt = this.clock.now();
  }

  /** Start the watchdog timer (after the strategy's start, so the clock orders its timers first). */
  scheduleWatchdog(): void {
    if (this.session_) this.schedule(this.session_);
  }

  /** Any message from the venue proves the connection; the first after an outage is a reconnect. */
  heard(): void {
    this.lastHeardAt = this.clock.now();
    if (!this.connected_) this.onReconnect();
  }

  /** Market data for the bot's symbol arrived. */
  bookArrived(): void {
    this.bookReceivedAt = this.clock.now();
    if (this.stale_) {
      this.stale_ = false;
      // A feed outage is a fault: check the books before quoting again.
      this.startRecon(false);
    }
  }

  onQueryResult(result: QueryResult): void {
    const round = this.recon;
    // An answer to a round already given up (or to nothing): a late message, counted and ignored.
    if (!round || result.requestId !== round.requestId) {
      this.stats.countUnexpected();
      return;
    }
    if (result.kind === 'open_orders') {
      round.openOrders = { data: result.data };
      round.openOrdersSeq = this.orders.nextRecvSeq();
    }
    else {
      round.positions = { data: result.data };
      round.positionsBotLots = this.orders.positionLots();
    }
    if (round.openOrders && round.positions) this.finishRecon(round, round.openOrders.data, round.positions.data);
  }

  private schedule(cfg: SessionConfig): void {
    this.clock.schedule(this.clock.now() + cfg.watchdogUs, () => {
      if (!this.orders.running()) return;
      this.watchdog(cfg);
      this.schedule(cfg);
    });
  }

  private watchdog(cfg: SessionConfig): void {
    const now = this.clock.now();
    if (this.connected_ && now - this.lastHeardAt > cfg.disconnectTimeoutUs) this.onDisconnect();
    if (!this.connected_) return;
    if (!this.stale_ && this.orders.hasBook() && now - this.bookReceivedAt > cfg.maxBookAgeUs) this.onStaleBook();
    const round = this.recon;
    if (round && now - round.sentAt > cfg.reconTimeoutUs) {
      this.recon = undefined;
      this.session.reconAbandoned++;
      this.metrics.countSessionEvent('recon_abandoned');
      if (round.blocking) this.startRecon(true);
    } else if (!round && cfg.reconIntervalUs > 0 && now - this.lastReconAt >= cfg.reconIntervalUs) {
      this.startRecon(false);
    }
    this.orders.resendRefusedCancels();
  }

  private onDisconnect(): void {
    this.connected_ = false;
    this.recon = undefined;
    this.session.disconnects++;
    this.metrics.countSessionEvent('disconnect');
    this.metrics.setConnected(false);
  }

  /** Back from an outage: whatever happened meanwhile is unknown, so cancel everything and reconcile. */
  private onReconnect(): void {
    this.connected_ = true;
    this.session.reconnects++;
    this.metrics.countSessionEvent('reconnect');
    this.metrics.setConnected(true);
    this.orders.cancelAll();
    this.startRecon(true);
  }

  private onStaleBook(): void {
    this.stale_ = true;
    this.session.staleBooks++;
    this.metrics.countSessionEvent('stale_book');
    // Quotes priced off a book we can no longer see are pulled.
    this.orders.cancelAll();
  }

  private startRecon(blocking: boolean): void {
    // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, a guard no caller reaches: every caller has a session (a stale book and a reconnect need the watchdog) and has just heard from the venue.
    if (!this.connected_ || !this.session_) return;
    if (this.recon) {
      this.recon.blocking ||= blocking;
      return;
    }
    const round: ReconRound = { requestId: this.nextRequestId++, sentAt: this.clock.now(), seq: this.orders.nextSendSeq(), blocking };
    this.recon = round;
    this.lastReconAt = round.sentAt;
    for (const kind of ['open_orders', 'positions'] satisfies QueryKind[]) this.gateway.query({ type: 'query', kind, requestId: round.requestId });
  }

  private finishRecon(round: ReconRound, openOrders: unknown, positions: unknown): void {
    this.recon = undefined;
    this.session.reconRuns++;
    this.metrics.countSessionEvent('recon');
    this.orders.reconcile(round, openOrders, positions);
  }
}
