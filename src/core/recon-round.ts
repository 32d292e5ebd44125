import type { Micros } from './clock.ts';
import type { BotMetrics } from './bot-metrics.ts';
import type { OrderStats } from './order-stats.ts';
import type { RiskMonitor } from './risk-monitor.ts';
import type { SessionStats } from './session-stats.ts';
import type { StrategyHost } from './strategy-host.ts';
import { ensureMapping } from './ensure-mapping.ts';
import { countByKind, reconcile } from './recon.ts';
import type { BotOrderView, ReconPlan } from './recon.ts';
import { newLiveOrder } from './live-orders.ts';
import type { LiveOrder, LiveOrders } from './live-orders.ts';

/** One round of recon: both queries out, answers collected as they come. */
export interface ReconRound {
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

/** What a finished round reads and changes in the order manager. */
export interface ReconTarget {
  readonly symbol: string;
  readonly orders: LiveOrders;
  readonly stats: OrderStats;
  readonly session: SessionStats;
  readonly metrics: BotMetrics;
  readonly risk: RiskMonitor;
  readonly host: StrategyHost;
  /** How long an unacknowledged order or cancel may stay unheard before silence counts as loss. */
  readonly ackTimeoutUs: Micros;
  now(): Micros;
  canQuote(): boolean;
}

/** Reconcile a round's answers with the bot's books and apply the plan (the strategy hears it after). */
export function finishReconRound(t: ReconTarget, round: ReconRound, openOrders: unknown, positions: unknown): void {
  const symbol = t.symbol;
  const views: BotOrderView[] = [...t.orders.values()].map((o) => ({
    clientId: o.clientId,
    side: o.side,
    priceTicks: o.priceTicks,
    leavesLots: o.qtyLots - o.filledLots,
    status: o.status,
    sentAfterQuery: !judgeable(o, round, t.ackTimeoutUs),
  }));
  const positionLots = round.positionsBotLots ?? t.risk.positionLots(symbol);
  const plan = reconcile({ symbol, orders: views, positionLots, openOrders, positions });
  t.host.hold(() => applyRecon(t, plan, round, openOrders));
  t.host.ready();
}

/**
 * Whether the venue's open-orders answer can tell us anything about this order. Not if the order or its
 * cancel went out after the query, nor if we heard about it after the answer (the answer is older),
 * nor if it is still unacknowledged and young: on a path where requests can overtake each other the
 * query may have arrived before it. Only older silence counts as loss.
 */
function judgeable(o: LiveOrder, round: ReconRound, ackTimeout: Micros): boolean {
  // Stryker disable next-line EqualityOperator: equivalent for > vs >=: send sequence numbers are unique (one counter for orders, cancels and queries), never equal (this also ignores the killed <= mutants of the line).
  if (o.sentSeq > round.seq || o.cancelSeq > round.seq) return false;
  // Stryker disable next-line EqualityOperator: equivalent for > vs >=: receive sequence numbers are unique, never equal (this also ignores the killed <= mutant).
  if (o.heardSeq > (round.openOrdersSeq ?? Infinity)) return false;
  if (o.status === 'pending_new' && round.sentAt - o.sentAt < ackTimeout) return false;
  if (o.status === 'pending_cancel' && round.sentAt - o.cancelSentAt < ackTimeout) return false;
  return true;
}

function applyRecon(t: ReconTarget, plan: ReconPlan, round: ReconRound, openOrders: unknown): void {
  for (const [kind, n] of Object.entries(countByKind(plan.divergences))) {
    if (n === 0) continue;
    t.session.countDivergence(kind, n);
    t.metrics.countDivergence(kind, n);
  }
  for (const { clientId, leavesLots } of plan.adopt) {
    const order = t.orders.get(clientId);
    // Stryker disable next-line ConditionalExpression: equivalent, a guard no plan reaches: reconcile only names orders from the views built above (the manager's own orders).
    if (!order) continue;
    t.orders.markPlaced(order);
    order.filledLots = order.qtyLots - leavesLots;
    t.session.adopted++;
    if (order.cancelOnAck || !t.canQuote()) t.orders.sendCancel(order);
    t.host.update({ type: 'accepted', id: clientId, side: order.side, time: t.now() });
  }
  for (const clientId of plan.drop) {
    const order = t.orders.get(clientId);
    // Stryker disable next-line ConditionalExpression: equivalent, as above (adopt, drop and setLeaves only name the manager's own orders).
    if (!order) continue;
    t.orders.forget(order);
    t.host.update({ type: 'canceled', id: clientId, side: order.side, time: t.now() });
  }
  for (const { clientId, leavesLots } of plan.setLeaves) {
    const order = t.orders.get(clientId);
    // Stryker disable next-line ConditionalExpression: equivalent, as above.
    if (order) order.filledLots = order.qtyLots - leavesLots;
  }
  // A cancel sent before the query reached the venue before it (ordered channel): if the order still
  // rests, that cancel was lost.
  const listed = new Set(ensureMapping(openOrders, 'client_id').keys());
  for (const order of t.orders.values()) {
    if (order.status === 'pending_cancel' && judgeable(order, round, t.ackTimeoutUs) && listed.has(order.clientId)) {
      t.session.cancelsResent++;
      t.orders.sendCancel(order);
    }
  }
  for (const orphan of plan.cancel) {
    // Ours by the venue's word, unknown to us: track it as a live order (no quote slot) and cancel it.
    const order = newLiveOrder({
      clientId: orphan.clientId,
      side: orphan.side,
      priceTicks: orphan.priceTicks,
      qtyLots: orphan.leavesLots,
      decisionTicks: orphan.priceTicks,
      // Stryker disable next-line StringLiteral: equivalent: sendCancel below sets pending_cancel before anything reads the status.
      status: 'open',
      sentAt: t.now(),
      sentSeq: 0,
    });
    t.orders.set(order.clientId, order);
    t.stats.countPlaced();
    t.metrics.countOrder('placed');
    t.session.orphansCanceled++;
    t.orders.sendCancel(order);
  }
  if (plan.positionLots !== undefined) {
    const symbol = t.symbol;
    const now = t.risk.positionLots(symbol);
    const adjust = plan.positionLots - (round.positionsBotLots ?? now);
    t.session.positionAdjustLots += adjust;
    t.risk.setPosition(symbol, now + adjust);
    t.metrics.setPositionNotional(symbol, t.risk.positionNotionalUsd(symbol));
  }
}
