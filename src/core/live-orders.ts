import type { Clock, Micros } from './clock.ts';
import type { ExchangeGateway } from './exchange-gateway.ts';
import type { BotMetrics } from './bot-metrics.ts';
import type { OrderStats } from './order-stats.ts';
import type { WorkingLots } from './risk-monitor.ts';
import type { Instrument, Side } from './types.ts';
import type { OrderView } from './strategy.ts';

export type OrderStatus = 'pending_new' | 'open' | 'pending_cancel';

/** One of the bot's orders from the moment it is sent (or adopted) until the venue says it is gone. */
export interface LiveOrder {
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

/** A live order as it starts out: nothing filled, no cancel sent or asked for, nothing heard. */
export function newLiveOrder(order: Pick<LiveOrder, 'clientId' | 'side' | 'priceTicks' | 'qtyLots' | 'decisionTicks' | 'status' | 'sentAt' | 'sentSeq'>): LiveOrder {
  return {
    clientId: order.clientId,
    side: order.side,
    priceTicks: order.priceTicks,
    qtyLots: order.qtyLots,
    decisionTicks: order.decisionTicks,
    filledLots: 0,
    status: order.status,
    sentAt: order.sentAt,
    sentSeq: order.sentSeq,
    cancelSentAt: -1,
    cancelSeq: 0,
    cancelOnAck: false,
    retryCancel: false,
    heardSeq: 0,
  };
}

/**
 * What the live orders could still add to the position, per side: the leaves of every order that may
 * still fill (pending_new, open, pending_cancel; a cancel in flight can lose the race to a fill).
 */
export function workingLots(orders: Iterable<LiveOrder>): WorkingLots {
  let buy = 0;
  let sell = 0;
  for (const o of orders) {
    const leaves = o.qtyLots - o.filledLots;
    if (o.side === 'buy') buy += leaves;
    else sell += leaves;
  }
  return { buy, sell };
}

/** The live orders as the strategy sees them, in prices and quantities. */
export function orderViews(orders: Iterable<LiveOrder>, instrument: Instrument): OrderView[] {
  const { tickSize, lotSize } = instrument;
  const views: OrderView[] = [];
  for (const o of orders) {
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

/**
 * The bot's live orders by client id, and the rule for canceling them: at most one action in flight
 * per order (no cancel before the ack, no second cancel: a cancel asked for early goes out on the ack,
 * one refused goes out again from the watchdog).
 */
export class LiveOrders extends Map<string, LiveOrder> {
  /** Orders that filled completely while our cancel was in flight: the cancel's answer is still due. */
  readonly awaitingCancelReply = new Map<string, LiveOrder>();
  private sendSeq = 0;

  constructor(
    private readonly clock: Clock,
    private readonly gateway: ExchangeGateway,
    private readonly stats: OrderStats,
    private readonly metrics: BotMetrics,
    private readonly symbol: string,
    private readonly running: () => boolean,
    private readonly connected: () => boolean,
  ) {
    super();
  }

  /** The next send sequence number: orders, cancels and recon queries share it. */
  nextSendSeq(): number {
    return ++this.sendSeq;
  }

  forget(order: LiveOrder): void {
    this.delete(order.clientId);
    this.awaitingCancelReply.delete(order.clientId);
  }

  markPlaced(order: LiveOrder): void {
    order.status = 'open';
    this.stats.countPlaced();
    this.metrics.countOrder('placed');
  }

  /** The strategy's cancel: at most one action in flight, so an unacknowledged order is canceled on its ack. */
  cancel(id: string): void {
    const order = this.get(id);
    if (!this.running() || !order || order.status === 'pending_cancel' || order.cancelOnAck || order.retryCancel) return;
    if (order.status === 'pending_new') order.cancelOnAck = true;
    // Nothing reaches a venue we are not connected to: the cancel goes out with the reconnect's.
    else if (!this.connected()) order.retryCancel = true;
    else this.sendCancel(order);
  }

  sendCancel(order: LiveOrder): void {
    order.status = 'pending_cancel';
    order.retryCancel = false;
    order.cancelSentAt = this.clock.now();
    order.cancelSeq = this.nextSendSeq();
    this.stats.countCancelSent();
    this.gateway.cancelOrder({ type: 'cancel', clientId: order.clientId, symbol: this.symbol });
  }

  cancelAll(): void {
    // Nothing reaches a venue we are not connected to; on reconnect everything is canceled anyway.
    if (!this.connected()) return;
    for (const order of this.values()) {
      if (order.status === 'open') this.sendCancel(order);
      else if (order.status === 'pending_new') order.cancelOnAck = true;
    }
  }

  /** Send again the cancels the venue refused (rate limit, overload). */
  resendRefusedCancels(): void {
    for (const order of this.values()) if (order.retryCancel && order.status === 'open') this.sendCancel(order);
  }
}
