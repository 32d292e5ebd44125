import type { Clock, Micros } from './clock.ts';
import type { ExchangeGateway, GatewayListener } from './exchange-gateway.ts';
import type { BotMetrics, LatencyOp } from './bot-metrics.ts';
import { OrderStats } from './order-stats.ts';
import { PnlTracker } from './pnl-tracker.ts';
import type { PnlConfig } from './pnl-tracker.ts';
import { MidHistory } from './mid-history.ts';
import { computeQuotes } from './quote-policy.ts';
import type { QuoteParams } from './quote-policy.ts';
import type { RiskMonitor } from './risk-monitor.ts';
import { midTicks } from './types.ts';
import type { BookTop, ExecutionEvent, Instrument, MarketEvent, Side } from './types.ts';

export interface StrategyConfig extends QuoteParams {
  readonly refreshUs: Micros;
  /**
   * Requote as soon as the mid moves this far from the mid of the last quote, in bps; a resting order
   * within this distance of its target price is kept (and keeps its queue position).
   */
  readonly requoteThresholdBps: number;
  readonly maxPositionUsd: number;
}

type OrderStatus = 'pending_new' | 'open' | 'pending_cancel';

interface LiveOrder {
  readonly clientId: string;
  readonly side: Side;
  readonly level: number;
  readonly priceTicks: number;
  readonly qtyLots: number;
  filledLots: number;
  status: OrderStatus;
  readonly sentAt: Micros;
  cancelSentAt: Micros;
  /** The quote went stale while the order was in flight: cancel it as soon as it is acknowledged. */
  cancelOnAck: boolean;
}

/**
 * The bot's execution loop for one symbol: quotes `levels` post-only orders a side around the mid,
 * requotes on a timer and when the mid moves, cancels stale quotes, and keeps at most one action in
 * flight per order (no cancel before the ack, no second cancel). It sees time only through `Clock`
 * and the venue only through `ExchangeGateway`, so it runs unchanged against the simulator or live.
 */
export class ExecutionLoop implements GatewayListener {
  readonly stats = new OrderStats();
  readonly pnl: PnlTracker;
  private readonly orders = new Map<string, LiveOrder>();
  /** Orders that filled completely while our cancel was in flight: the cancel's answer is still due. */
  private readonly awaitingCancelReply = new Map<string, LiveOrder>();
  private book: BookTop | undefined;
  private readonly mids: MidHistory;
  private lastQuotedMid = 0;
  private nextId = 1;
  private running = false;

  constructor(
    private readonly clock: Clock,
    private readonly gateway: ExchangeGateway,
    private readonly risk: RiskMonitor,
    private readonly metrics: BotMetrics,
    private readonly instrument: Instrument,
    private readonly config: StrategyConfig,
    pnlConfig: PnlConfig,
  ) {
    const longest = Math.max(...pnlConfig.horizonsUs);
    // Keep enough history to look back past the longest horizon plus any plausible network delay.
    this.mids = new MidHistory(longest + 60_000_000);
    this.pnl = new PnlTracker(clock, pnlConfig, new Map([[instrument.symbol, instrument]]), (_symbol, t, inclusive) => {
      const mid = this.mids.at(t, inclusive);
      return Number.isNaN(mid) ? this.mid() : mid;
    });
    risk.onFreezeChange((frozen) => {
      metrics.setFrozen(frozen);
      if (frozen) this.cancelAll();
      else this.requote();
    });
  }

  start(): void {
    this.running = true;
    this.gateway.connect(this);
    this.scheduleRefresh();
  }

  get openOrders(): number {
    return this.orders.size;
  }

  onMarketData(event: MarketEvent): void {
    if (event.symbol !== this.instrument.symbol) return;
    this.book = event;
    const mid = midTicks(event);
    this.mids.push(event.exchangeTime, mid);
    this.risk.setMark(event.symbol, mid);
    this.metrics.setPositionNotional(event.symbol, this.risk.positionNotionalUsd(event.symbol));
    const movedBps = this.lastQuotedMid === 0 ? Infinity : (Math.abs(mid - this.lastQuotedMid) / this.lastQuotedMid) * 10_000;
    if (movedBps >= this.config.requoteThresholdBps) this.requote();
  }

  onExecution(event: ExecutionEvent): void {
    const order = this.orders.get(event.clientId) ?? this.awaitingCancelReply.get(event.clientId);
    if (!order) {
      // Not ours, or already closed: a live bot logs it and carries on; the report shows the count.
      this.stats.countUnexpected();
      return;
    }
    switch (event.type) {
      case 'accepted':
        order.status = 'open';
        this.stats.countPlaced();
        this.metrics.countOrder('placed');
        this.recordLatency('place', this.clock.now() - order.sentAt);
        if (order.cancelOnAck || !this.running) this.sendCancel(order);
        break;
      case 'rejected':
        this.orders.delete(order.clientId);
        this.stats.countReject(event.reason);
        this.metrics.countOrder('rejected');
        this.metrics.countReject(event.reason);
        this.recordLatency('place', this.clock.now() - order.sentAt);
        break;
      case 'fill':
        this.onFill(order, event);
        break;
      case 'canceled':
        this.forget(order);
        this.stats.countCanceled();
        this.metrics.countOrder('canceled');
        this.recordLatency('cancel', this.clock.now() - order.cancelSentAt);
        break;
      case 'cancel_rejected':
        // The order is gone on the venue: filled (its fills arrived first on the ordered stream) or unknown.
        this.forget(order);
        this.stats.countCancelReject(event.reason);
        this.metrics.countCancelReject(event.reason);
        this.recordLatency('cancel', this.clock.now() - order.cancelSentAt);
        break;
    }
  }

  /** Stop quoting and cancel everything resting (used at the end of a run and on shutdown). */
  stop(): void {
    this.running = false;
    this.cancelAll();
  }

  private onFill(order: LiveOrder, fill: Extract<ExecutionEvent, { type: 'fill' }>): void {
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
    const sample = this.risk.onFill(fill.symbol, fill.side, fill.qtyLots);
    this.metrics.observeRiskRatio(sample.ratio);
    this.metrics.setPositionNotional(fill.symbol, this.risk.positionNotionalUsd(fill.symbol));
    this.pnl.onFill({ ...fill, limitTicks: order.priceTicks });
    if (done) this.requote();
  }

  private forget(order: LiveOrder): void {
    this.orders.delete(order.clientId);
    this.awaitingCancelReply.delete(order.clientId);
  }

  private scheduleRefresh(): void {
    this.clock.schedule(this.clock.now() + this.config.refreshUs, () => {
      if (!this.running) return;
      this.requote();
      this.scheduleRefresh();
    });
  }

  private mid(): number {
    return this.book ? midTicks(this.book) : 0;
  }

  private requote(): void {
    if (!this.running || !this.book || this.risk.isFrozen()) return;
    const book = this.book;
    const symbol = this.instrument.symbol;
    const positionUsd = Math.sign(this.risk.positionLots(symbol)) * this.risk.positionNotionalUsd(symbol);
    const quotes = computeQuotes(this.instrument, this.config, {
      bidTicks: book.bidTicks,
      askTicks: book.askTicks,
      positionUsd,
      maxPositionUsd: this.config.maxPositionUsd,
    });
    this.lastQuotedMid = midTicks(book);
    const tolerance = (this.lastQuotedMid * this.config.requoteThresholdBps) / 10_000;
    const covered = { buy: new Array<boolean>(this.config.levels).fill(false), sell: new Array<boolean>(this.config.levels).fill(false) };
    for (const order of this.orders.values()) {
      if (order.status === 'pending_cancel' || order.cancelOnAck) continue;
      const wanted = order.side === 'buy' ? quotes.bids[order.level] : quotes.asks[order.level];
      // An order close enough to where it should be keeps its place in the queue.
      if (wanted !== undefined && Math.abs(wanted - order.priceTicks) <= tolerance && !covered[order.side][order.level]) {
        covered[order.side][order.level] = true;
      } else if (order.status === 'open') {
        this.sendCancel(order);
      } else {
        order.cancelOnAck = true;
      }
    }
    for (let level = 0; level < this.config.levels; level++) {
      if (!covered.buy[level]) this.sendPlace('buy', level, quotes.bids[level]!, quotes.bidLots[level]!);
      if (!covered.sell[level]) this.sendPlace('sell', level, quotes.asks[level]!, quotes.askLots[level]!);
    }
  }

  private sendPlace(side: Side, level: number, priceTicks: number, qtyLots: number): void {
    const symbol = this.instrument.symbol;
    const block = this.risk.check(symbol, side, qtyLots);
    if (block) {
      this.stats.countReject(block);
      this.metrics.countOrder('rejected');
      this.metrics.countReject(block);
      return;
    }
    const clientId = `${symbol}-${this.nextId++}`;
    const order: LiveOrder = {
      clientId,
      side,
      level,
      priceTicks,
      qtyLots,
      filledLots: 0,
      status: 'pending_new',
      sentAt: this.clock.now(),
      cancelSentAt: -1,
      cancelOnAck: false,
    };
    this.orders.set(clientId, order);
    this.stats.countSent();
    this.metrics.countOrder('sent');
    this.gateway.placeOrder({ type: 'place', clientId, symbol, side, priceTicks, qtyLots, postOnly: true });
  }

  private sendCancel(order: LiveOrder): void {
    order.status = 'pending_cancel';
    order.cancelSentAt = this.clock.now();
    this.stats.countCancelSent();
    this.gateway.cancelOrder({ type: 'cancel', clientId: order.clientId, symbol: this.instrument.symbol });
  }

  private cancelAll(): void {
    for (const order of this.orders.values()) {
      if (order.status === 'open') this.sendCancel(order);
      else if (order.status === 'pending_new') order.cancelOnAck = true;
    }
  }

  private recordLatency(op: LatencyOp, us: Micros): void {
    this.stats.recordLatency(op, us);
    this.metrics.observeLatencyMs(op, us / 1000);
  }
}
