import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BotMetrics } from '../../src/core/bot-metrics.ts';
import { OrderManager } from '../../src/core/order-manager.ts';
import type { SessionConfig } from '../../src/core/order-manager.ts';
import { RateLimitBackoff } from '../../src/core/rate-limit-backoff.ts';
import { RiskMonitor } from '../../src/core/risk-monitor.ts';
import type { BuiltinContext } from '../../src/core/strategy-host.ts';
import type { OrderUpdate } from '../../src/core/strategy.ts';
import type { CancelRejectReason, PlaceRequest, QueryRequest } from '../../src/core/types.ts';
import { VirtualClock } from '../../src/sim/clock/virtual-clock.ts';
import { StubGateway } from '../support/stub-gateway.ts';

/*
 * The order manager's session with the venue (SessionWatchdog), its recon rounds (recon-round.ts), its
 * rate-limit back-off and the refused cancels, driven through a hand-answered gateway on a virtual clock.
 * Every time and count below is worked out by hand from the config (watchdog every 100 us).
 */

const inst = { symbol: 'TEST', tickSize: 1, lotSize: 1 };

const SESSION: SessionConfig = {
  disconnectTimeoutUs: 1000,
  maxBookAgeUs: 100_000,
  reconIntervalUs: 0,
  reconTimeoutUs: 300,
  watchdogUs: 100,
  rateLimitBackoffUs: 1000,
};

function setup(session: Partial<SessionConfig> | null = {}) {
  const clock = new VirtualClock();
  const gw = new StubGateway();
  const registry = new Registry();
  const risk = new RiskMonitor(clock, { maxPositionUsd: 1e9, maxTotalNotionalUsd: 1e9, freezeCooldownUs: 1_000_000 }, [inst]);
  const updates: OrderUpdate[] = [];
  let ctx!: BuiltinContext;
  let ready = 0;
  const manager = new OrderManager(
    clock,
    gw,
    risk,
    new BotMetrics(registry),
    inst,
    {
      strategy: {
        onStart: (c) => (ctx = c),
        onOrder: (_c, u) => updates.push(u),
        onReady: () => ready++,
      },
      label: 'session-test',
      random: () => 0.5,
      session: session === null ? undefined : { ...SESSION, ...session },
    },
    { horizonsUs: [1000], adverseHorizonUs: 1000 },
  );
  manager.start();
  const place = (qty = 5, side: 'buy' | 'sell' = 'buy', price = 99) => ctx.place({ side, price, qty });
  const placed = (id: string): PlaceRequest => gw.places.find((p) => p.clientId === id)!;
  const round = (n: number): QueryRequest[] => gw.queries.filter((q) => q.requestId === n);
  /** Answer both queries of round n (open orders first). */
  const answer = (n: number, openOrders: unknown, positions: unknown = {}) => {
    const [orders, pos] = [round(n).find((q) => q.kind === 'open_orders')!, round(n).find((q) => q.kind === 'positions')!];
    gw.answer(orders, openOrders);
    gw.answer(pos, positions);
  };
  const cancelRejected = (clientId: string, reason: CancelRejectReason) =>
    gw.listener!.onExecution({ type: 'cancel_rejected', clientId, reason, exchangeTime: clock.now() });
  const metric = async (line: string): Promise<number | undefined> => {
    const text = await registry.metrics();
    const hit = text.split('\n').find((l) => l.startsWith(`${line} `));
    return hit === undefined ? undefined : Number(hit.slice(line.length + 1));
  };
  return { clock, gw, risk, manager, updates, ctx: () => ctx, ready: () => ready, place, placed, round, answer, cancelRejected, metric };
}

const venueOrder = (clientId: string, qty: number, leaves: number, side = 'buy', price = 99) => ({
  client_id: clientId,
  symbol: 'TEST',
  side,
  price_ticks: price,
  qty_lots: qty,
  leaves_lots: leaves,
});

describe('SessionWatchdog: the connection', () => {
  it('declares the connection lost only after more than the timeout of silence, and counts it', async () => {
    const s = setup();
    s.gw.book(99, 101, 0);
    s.clock.runUntil(1000);
    // 1000 us of silence is not more than the 1000 us timeout.
    expect(s.manager.session.disconnects).toBe(0);
    expect(s.ctx().canQuote()).toBe(true);
    s.clock.runUntil(1100);
    expect(s.manager.session.disconnects).toBe(1);
    expect(s.ctx().canQuote()).toBe(false);
    expect(await s.metric('mm_connected')).toBe(0);
    expect(await s.metric('mm_session_events_total{event="disconnect"}')).toBe(1);
    // Still silent: declared once, not on every watchdog tick.
    s.clock.runUntil(3000);
    expect(s.manager.session.disconnects).toBe(1);
    expect(s.gw.queries).toEqual([]);
  });

  it('counts silence from the start of the session, not from time 0', () => {
    const clock = new VirtualClock({ start: 5000 });
    const gw = new StubGateway();
    const risk = new RiskMonitor(clock, { maxPositionUsd: 1e9, maxTotalNotionalUsd: 1e9, freezeCooldownUs: 1000 }, [inst]);
    const manager = new OrderManager(clock, gw, risk, new BotMetrics(new Registry()), inst, { strategy: {}, label: 's', random: () => 0, session: SESSION }, {
      horizonsUs: [1000],
      adverseHorizonUs: 1000,
    });
    manager.start();
    clock.runUntil(6000);
    expect(manager.session.disconnects).toBe(0);
    clock.runUntil(6100);
    expect(manager.session.disconnects).toBe(1);
  });

  it('any message keeps the connection: heartbeats and other symbols count', () => {
    const s = setup();
    for (let t = 900; t <= 5400; t += 900) {
      s.clock.runUntil(t);
      if (t % 1800 === 0) s.gw.heartbeat(t);
      else s.gw.book(99, 101, t, 'OTHER');
    }
    expect(s.manager.session.disconnects).toBe(0);
  });

  it('while disconnected: no order goes out, a cancel waits, and the reconnect cancels everything and blocks quoting until recon', async () => {
    const s = setup();
    s.gw.book(99, 101, 0);
    const open = s.place(5);
    const pending = s.place(3);
    s.gw.accept(open);
    s.clock.runUntil(1100);
    expect(s.manager.session.disconnects).toBe(1);
    expect(s.gw.cancels).toEqual([]);

    s.place(1);
    expect(s.updates.at(-1)).toMatchObject({ type: 'rejected', reason: 'risk_not_ready' });
    expect(s.gw.places).toHaveLength(2);
    s.ctx().cancel(open);
    expect(s.gw.cancels).toEqual([]);
    expect(s.ctx().openOrders().find((o) => o.id === open)!.status).toBe('pending_cancel');

    s.clock.runUntil(1150);
    s.gw.heartbeat(1150);
    expect(s.manager.session.reconnects).toBe(1);
    expect(await s.metric('mm_connected')).toBe(1);
    expect(await s.metric('mm_session_events_total{event="reconnect"}')).toBe(1);
    // The open order is canceled at once, the unacknowledged one on its ack.
    expect(s.gw.cancels).toEqual([{ type: 'cancel', clientId: open, symbol: 'TEST' }]);
    expect(s.ctx().openOrders().find((o) => o.id === pending)!.status).toBe('pending_cancel');
    expect(s.gw.queries).toEqual([
      { type: 'query', kind: 'open_orders', requestId: 1 },
      { type: 'query', kind: 'positions', requestId: 1 },
    ]);
    expect(s.ctx().canQuote()).toBe(false);
    s.place(1);
    expect(s.updates.at(-1)).toMatchObject({ type: 'rejected', reason: 'risk_not_ready' });
    // A second message does not reconnect again.
    s.gw.heartbeat(1160);
    expect(s.manager.session.reconnects).toBe(1);
    expect(s.gw.queries).toHaveLength(2);

    // An answer to another round is counted and ignored; the right answers finish the round.
    s.gw.answer({ type: 'query', kind: 'open_orders', requestId: 7 }, {});
    expect(s.manager.stats.unexpectedEvents).toBe(1);
    expect(s.manager.session.reconRuns).toBe(0);
    const readyBefore = s.ready();
    s.answer(1, { [open]: venueOrder(open, 5, 5), [pending]: venueOrder(pending, 3, 3) });
    expect(s.manager.session.reconRuns).toBe(1);
    expect(await s.metric('mm_session_events_total{event="recon"}')).toBe(1);
    expect(s.ready()).toBe(readyBefore + 1);
    expect(s.ctx().canQuote()).toBe(true);
  });

  it('drops a pending recon round on a disconnect: its answers are then unexpected', () => {
    const s = setup({ reconIntervalUs: 500, disconnectTimeoutUs: 1000 });
    s.gw.book(99, 101, 0);
    s.clock.runUntil(500);
    expect(s.round(1)).toHaveLength(2);
    s.clock.runUntil(1100);
    expect(s.manager.session.disconnects).toBe(1);
    s.answer(1, {});
    // The reconnect (first message) starts round 2; round 1's answers are late.
    expect(s.manager.session.reconnects).toBe(1);
    expect(s.manager.stats.unexpectedEvents).toBe(2);
    expect(s.manager.session.reconRuns).toBe(0);
    expect(s.round(2)).toHaveLength(2);
  });

  it('without a session config there is no watchdog and no recon', () => {
    const s = setup(null);
    s.gw.book(99, 101, 0);
    s.clock.runUntil(1_000_000);
    expect(s.manager.session.disconnects).toBe(0);
    expect(s.manager.session.staleBooks).toBe(0);
    expect(s.clock.pending).toBe(0);
    expect(s.ctx().canQuote()).toBe(true);
  });

  it('stops its timer when the manager finishes', () => {
    const s = setup();
    s.clock.runUntil(300);
    s.manager.finish();
    s.clock.runUntil(400);
    expect(s.clock.pending).toBe(0);
    s.clock.runUntil(5000);
    expect(s.manager.session.disconnects).toBe(0);
  });
});

describe('SessionWatchdog: the book and recon rounds', () => {
  it('pulls the quotes when the book is older than the maximum age, and checks the books when it comes back', async () => {
    const s = setup({ maxBookAgeUs: 500 });
    s.gw.book(99, 101, 0);
    const id = s.place(5);
    s.gw.accept(id);
    // Exactly the maximum age is not stale.
    s.clock.runUntil(500);
    expect(s.manager.session.staleBooks).toBe(0);
    expect(s.gw.queries).toEqual([]);
    s.clock.runUntil(600);
    expect(s.manager.session.staleBooks).toBe(1);
    expect(await s.metric('mm_session_events_total{event="stale_book"}')).toBe(1);
    expect(s.gw.cancels).toEqual([{ type: 'cancel', clientId: id, symbol: 'TEST' }]);
    expect(s.ctx().canQuote()).toBe(false);
    s.place(1);
    expect(s.updates.at(-1)).toMatchObject({ type: 'rejected', reason: 'risk_not_ready' });
    s.clock.runUntil(900);
    expect(s.manager.session.staleBooks).toBe(1);
    // A book for another symbol does not refresh ours.
    s.gw.book(99, 101, 900, 'OTHER');
    expect(s.ctx().canQuote()).toBe(false);
    s.gw.book(99, 101, 900);
    // Back: a recon round (not blocking: quoting resumes at once).
    expect(s.gw.queries.map((q) => q.requestId)).toEqual([1, 1]);
    expect(s.ctx().canQuote()).toBe(true);
    // The next book neither recounts nor starts another round.
    s.gw.book(99, 101, 950);
    expect(s.gw.queries).toHaveLength(2);
  });

  it('measures the age of the book from its arrival', () => {
    const s = setup({ maxBookAgeUs: 500 });
    s.clock.runUntil(1000);
    s.gw.book(99, 101, 1000);
    s.clock.runUntil(1500);
    expect(s.manager.session.staleBooks).toBe(0);
    s.clock.runUntil(1600);
    expect(s.manager.session.staleBooks).toBe(1);
  });

  it('while disconnected neither calls the book stale nor re-sends refused cancels', () => {
    const s = setup({ maxBookAgeUs: 1500 });
    s.gw.book(99, 101, 0);
    const id = s.place(5);
    s.gw.accept(id);
    s.ctx().cancel(id);
    s.cancelRejected(id, 'exchange_overloaded');
    s.clock.runUntil(100);
    expect(s.gw.cancels).toHaveLength(2); // re-sent once on the first tick
    s.cancelRejected(id, 'exchange_overloaded');
    // Silence from 100: the connection is lost at 1200, the book (from 0) would be stale from 1600.
    s.clock.runUntil(1200);
    expect(s.manager.session.disconnects).toBe(1);
    const cancels = s.gw.cancels.length;
    s.clock.runUntil(3000);
    expect(s.manager.session.staleBooks).toBe(0);
    expect(s.gw.cancels).toHaveLength(cancels);
  });

  it('does not call a book stale before the first one arrived', () => {
    const s = setup({ maxBookAgeUs: 200 });
    for (let t = 300; t <= 900; t += 300) {
      s.clock.runUntil(t);
      s.gw.heartbeat(t);
    }
    expect(s.manager.session.staleBooks).toBe(0);
  });

  it('gives up a round unanswered for more than the recon timeout, and retries it only when quoting waits for it', async () => {
    const s = setup({ maxBookAgeUs: 5000 });
    s.gw.book(99, 101, 0);
    s.clock.runUntil(1100);
    s.gw.heartbeat(1150);
    expect(s.round(1)).toHaveLength(2);
    // 1450 - 1150 = 300: not more than the timeout.
    s.clock.runUntil(1450);
    expect(s.manager.session.reconAbandoned).toBe(0);
    s.clock.runUntil(1550);
    expect(s.manager.session.reconAbandoned).toBe(1);
    expect(await s.metric('mm_session_events_total{event="recon_abandoned"}')).toBe(1);
    expect(s.round(2)).toHaveLength(2);
    expect(s.ctx().canQuote()).toBe(false);
    // Round 1's answers come too late; round 2's finish it.
    s.answer(1, {});
    expect(s.manager.stats.unexpectedEvents).toBe(2);
    s.answer(2, {});
    expect(s.manager.session.reconRuns).toBe(1);
    expect(s.ctx().canQuote()).toBe(true);
  });

  it('runs a round every interval (at exactly the interval), not while one is out, and gives up a late one for good', () => {
    const s = setup({ reconIntervalUs: 1000, disconnectTimeoutUs: 100_000, maxBookAgeUs: 100_000 });
    s.gw.book(99, 101, 0);
    s.clock.runUntil(999);
    expect(s.gw.queries).toEqual([]);
    s.clock.runUntil(1000);
    expect(s.round(1)).toHaveLength(2);
    expect(s.ctx().canQuote()).toBe(true);
    s.clock.runUntil(1200);
    s.answer(1, {});
    expect(s.manager.session.reconRuns).toBe(1);
    // The next is due 1000 us after the last one was sent (1000), not after its answer.
    s.clock.runUntil(1900);
    expect(s.round(2)).toEqual([]);
    s.clock.runUntil(2000);
    expect(s.round(2)).toHaveLength(2);
    // Unanswered: given up at 2400 (> 300 us), not retried (not blocking); the next one 1000 us after
    // round 2 was sent.
    s.clock.runUntil(2300);
    expect(s.manager.session.reconAbandoned).toBe(0);
    s.clock.runUntil(2400);
    expect(s.manager.session.reconAbandoned).toBe(1);
    expect(s.round(3)).toEqual([]);
    s.clock.runUntil(2900);
    expect(s.round(3)).toEqual([]);
    s.clock.runUntil(3000);
    expect(s.round(3)).toHaveLength(2);
  });

  it('keeps a round that quoting waits for blocking when a fresh book asks for a non-blocking one', () => {
    const s = setup({ maxBookAgeUs: 500, reconTimeoutUs: 5000 });
    s.gw.book(99, 101, 0);
    s.clock.runUntil(1100);
    expect(s.manager.session.staleBooks).toBe(1);
    expect(s.manager.session.disconnects).toBe(1);
    s.gw.heartbeat(1150);
    expect(s.ctx().canQuote()).toBe(false);
    s.gw.book(99, 101, 1200);
    // Still round 1, still blocking.
    expect(s.gw.queries).toHaveLength(2);
    expect(s.ctx().canQuote()).toBe(false);
    s.answer(1, {});
    expect(s.ctx().canQuote()).toBe(true);
  });
});

describe('recon rounds applied to the orders', () => {
  /** A session whose interval round goes out at 500 us (ack timeout 300 us), with the book kept fresh. */
  const withRound = () => setup({ reconIntervalUs: 500, reconTimeoutUs: 300 });

  it('adopts an order whose ack was lost with the venue leaves, and takes the venue position', () => {
    const s = withRound();
    s.gw.book(99, 101, 0);
    const id = s.place(5);
    s.clock.runUntil(500);
    s.answer(1, { [id]: venueOrder(id, 5, 3) }, { TEST: { symbol: 'TEST', position_lots: 2 } });
    expect(s.manager.session.adopted).toBe(1);
    expect(s.manager.stats.placed).toBe(1);
    expect(s.ctx().openOrders()).toEqual([{ id, side: 'buy', price: 99, qty: 5, filledQty: 2, status: 'open' }]);
    expect(s.updates).toEqual([{ type: 'accepted', id, side: 'buy', time: 500 }]);
    expect(s.manager.session.divergences).toEqual(new Map([['unacked_order', 1], ['position_mismatch', 1]]));
    expect(s.risk.positionLots('TEST')).toBe(2);
    expect(s.manager.session.positionAdjustLots).toBe(2);
    // Adopted as open: a cancel goes out at once.
    s.ctx().cancel(id);
    expect(s.gw.cancels).toHaveLength(1);
  });

  it('cancels an adopted order at once when the strategy asked for its cancel before the ack', () => {
    const s = withRound();
    s.gw.book(99, 101, 0);
    const id = s.place(5);
    s.ctx().cancel(id);
    expect(s.gw.cancels).toEqual([]);
    s.clock.runUntil(500);
    s.answer(1, { [id]: venueOrder(id, 5, 5) });
    expect(s.gw.cancels).toEqual([{ type: 'cancel', clientId: id, symbol: 'TEST' }]);
  });

  it('drops orders the venue does not list, but not those too young to be judged (ack timeout boundary)', () => {
    const s = withRound();
    s.gw.book(99, 101, 0);
    const open = s.place(5);
    s.gw.accept(open);
    s.clock.runUntil(200);
    const oldEnough = s.place(2); // 500 - 200 = 300 us unacknowledged: judged
    s.clock.runUntil(201);
    const young = s.place(3); // 299 us: the query may have overtaken it
    s.clock.runUntil(500);
    s.updates.length = 0;
    s.answer(1, {});
    expect(s.ctx().openOrders().map((o) => o.id)).toEqual([young]);
    expect(s.updates).toEqual([
      { type: 'canceled', id: open, side: 'buy', time: 500 },
      { type: 'canceled', id: oldEnough, side: 'buy', time: 500 },
    ]);
    expect(s.manager.session.divergences.get('missing_order')).toBe(2);
  });

  it('does not judge an order sent after the query, nor one heard of after the open-orders answer', () => {
    const s = withRound();
    s.gw.book(99, 101, 0);
    const early = s.place(5);
    s.clock.runUntil(500);
    const after = s.place(1);
    s.gw.answer(s.round(1)[0]!, {});
    // Its ack comes after the open-orders answer (which is older news).
    s.gw.accept(early, 510);
    s.gw.answer(s.round(1)[1]!, {});
    expect(s.manager.session.reconRuns).toBe(1);
    expect(s.ctx().openOrders().map((o) => o.id)).toEqual([early, after]);
    expect(s.manager.session.divergences.size).toBe(0);
  });

  it('takes smaller venue leaves, cancels orphans, and re-sends a cancel the venue never got', async () => {
    const s = withRound();
    s.gw.book(99, 101, 0);
    const a = s.place(5);
    const b = s.place(4);
    s.gw.accept(a);
    s.gw.accept(b);
    s.ctx().cancel(b); // sent at 0: 500 us before the query, the venue should have it
    s.clock.runUntil(300);
    const c = s.place(2, 'sell', 101);
    s.gw.accept(c);
    s.ctx().cancel(c); // sent at 300: only 200 us before the query, still in flight
    s.clock.runUntil(500);
    expect(s.gw.cancels.map((x) => x.clientId)).toEqual([b, c]);
    s.answer(1, {
      [a]: venueOrder(a, 5, 2),
      [b]: venueOrder(b, 4, 4),
      [c]: venueOrder(c, 2, 2, 'sell', 101),
      'TEST-99': venueOrder('TEST-99', 7, 6, 'sell', 105),
    });
    expect(s.ctx().openOrders().find((o) => o.id === a)).toMatchObject({ filledQty: 3, status: 'open' });
    expect(s.manager.session.cancelsResent).toBe(1);
    expect(s.manager.session.orphansCanceled).toBe(1);
    expect(s.gw.cancels.map((x) => x.clientId)).toEqual([b, c, b, 'TEST-99']);
    expect(s.ctx().openOrders().find((o) => o.id === 'TEST-99')).toEqual({ id: 'TEST-99', side: 'sell', price: 105, qty: 6, filledQty: 0, status: 'pending_cancel' });
    expect(s.manager.stats.placed).toBe(4);
    expect(await s.metric('mm_orders_total{event="placed"}')).toBe(4);
    expect(s.manager.session.divergences).toEqual(new Map([['orphan_order', 1], ['leaves_mismatch', 1]]));
    expect(await s.metric('mm_recon_divergences_total{kind="orphan_order"}')).toBe(1);
  });

  it('adjusts the position by the difference at the positions answer, keeping fills heard after it', () => {
    const s = withRound();
    s.gw.book(99, 101, 0);
    const id = s.place(5);
    s.gw.accept(id);
    s.gw.fill(s.placed(id), 1, 4, 10);
    s.clock.runUntil(500);
    const [orders, positions] = [s.round(1)[0]!, s.round(1)[1]!];
    // The venue had 2 lots when it answered (the bot 1); a fill of 2 more is heard after the answer.
    s.gw.answer(positions, { TEST: { symbol: 'TEST', position_lots: 2 } });
    s.gw.fill(s.placed(id), 2, 2, 510);
    s.gw.answer(orders, { [id]: venueOrder(id, 5, 2) });
    expect(s.manager.session.positionAdjustLots).toBe(1);
    expect(s.risk.positionLots('TEST')).toBe(4);
    expect(s.manager.session.divergences).toEqual(new Map([['position_mismatch', 1]]));
  });

  it('sees no mismatch when the position only moved by fills heard after the answer', () => {
    const s = withRound();
    s.gw.book(99, 101, 0);
    const id = s.place(5);
    s.gw.accept(id);
    s.gw.fill(s.placed(id), 1, 4, 10);
    s.clock.runUntil(500);
    // Both at 1 lot when the venue answered; 2 more heard after it.
    s.gw.answer(s.round(1)[1]!, { TEST: { symbol: 'TEST', position_lots: 1 } });
    s.gw.fill(s.placed(id), 2, 2, 510);
    s.gw.answer(s.round(1)[0]!, { [id]: venueOrder(id, 5, 2) });
    expect(s.risk.positionLots('TEST')).toBe(3);
    expect(s.manager.session.positionAdjustLots).toBe(0);
    expect(s.manager.session.divergences.size).toBe(0);
  });
});

describe('recon rounds: which orders the answer can judge', () => {
  it('with no ack timeout, judges every order sent before the query, none sent after it', () => {
    const s = setup({ reconIntervalUs: 500, reconTimeoutUs: 0 });
    s.gw.book(99, 101, 0);
    const before = s.place(5);
    const canceledAfter = s.place(4);
    s.gw.accept(canceledAfter);
    s.clock.runUntil(500); // the round goes out at 500
    // In the same instant, after the query: a new order and a cancel.
    const sentAfter = s.place(3);
    s.ctx().cancel(canceledAfter);
    s.answer(1, {});
    expect(s.ctx().openOrders().map((o) => [o.id, o.status])).toEqual([
      [canceledAfter, 'pending_cancel'],
      [sentAfter, 'pending_new'],
    ]);
    expect(s.updates.filter((u) => u.type === 'canceled').map((u) => u.id)).toEqual([before]);
  });

  it('the ack-timeout grace is for unacknowledged orders and cancels only', () => {
    const s = setup({ reconIntervalUs: 500, reconTimeoutUs: 300, rateLimitBackoffUs: 10_000 });
    s.gw.book(99, 101, 0);
    s.clock.runUntil(400);
    const young = s.place(5);
    s.gw.accept(young); // open at 400: young, but acknowledged: judged
    const refused = s.place(2);
    s.gw.accept(refused);
    s.ctx().cancel(refused);
    s.cancelRejected(refused, 'rate_limited'); // open again, its refused cancel sent at 400
    s.clock.runUntil(500);
    s.answer(1, {});
    expect(s.ctx().openOrders()).toEqual([]);
    expect(s.manager.session.divergences.get('missing_order')).toBe(2);
  });

  it('re-sends a cancel sent exactly the ack timeout before the query, still listed (list form)', () => {
    const s = setup({ reconIntervalUs: 500, reconTimeoutUs: 300 });
    s.gw.book(99, 101, 0);
    const atEdge = s.place(5);
    const inside = s.place(5);
    s.gw.accept(atEdge);
    s.gw.accept(inside);
    s.clock.runUntil(200);
    s.ctx().cancel(atEdge); // 300 us before the query: should have arrived
    s.clock.runUntil(201);
    s.ctx().cancel(inside); // 299 us: may still be on its way
    s.clock.runUntil(500);
    s.answer(1, [venueOrder(atEdge, 5, 5), venueOrder(inside, 5, 5)]);
    expect(s.manager.session.cancelsResent).toBe(1);
    expect(s.gw.cancels.map((c) => c.clientId)).toEqual([atEdge, inside, atEdge]);
  });
});

describe('rate limits and refused cancels', () => {
  it('backs off new orders after a rate_limited reject, doubling per reject up to 32x, from the base again after an ack', () => {
    const clock = new VirtualClock();
    const b = new RateLimitBackoff(clock, 100);
    expect(b.quiet()).toBe(false);
    const lengths: number[] = [];
    for (let i = 0; i < 8; i++) {
      const start = clock.now();
      b.backOff();
      // A second answer inside the back-off does not extend it.
      b.backOff();
      let t = start;
      while (b.quiet()) clock.runUntil(++t);
      lengths.push(t - start);
    }
    expect(lengths).toEqual([100, 200, 400, 800, 1600, 3200, 3200, 3200]);
    b.reset();
    b.backOff();
    const start = clock.now();
    clock.runUntil(start + 99);
    expect(b.quiet()).toBe(true);
    clock.runUntil(start + 100);
    expect(b.quiet()).toBe(false);
    // A base of 0 never backs off.
    const off = new RateLimitBackoff(clock, 0);
    off.backOff();
    expect(off.quiet()).toBe(false);
  });

  it('blocks orders with risk_backoff while backing off, and resets on the next ack', () => {
    const s = setup({ rateLimitBackoffUs: 1000 });
    s.gw.book(99, 101, 0);
    const first = s.place(1);
    s.gw.listener!.onExecution({ type: 'rejected', clientId: first, reason: 'rate_limited', exchangeTime: 0 });
    expect(s.ctx().backingOff()).toBe(true);
    s.place(1);
    expect(s.updates.at(-1)).toMatchObject({ type: 'rejected', reason: 'risk_backoff' });
    expect(s.manager.stats.rejectsByReason.get('risk_backoff')).toBe(1);
    expect(s.gw.places).toHaveLength(1);
    s.clock.runUntil(999);
    s.gw.heartbeat(999);
    expect(s.ctx().backingOff()).toBe(true);
    s.clock.runUntil(1000);
    expect(s.ctx().backingOff()).toBe(false);
    const second = s.place(1);
    s.gw.listener!.onExecution({ type: 'rejected', clientId: second, reason: 'rate_limited', exchangeTime: 1000 });
    // The second back-off is twice as long.
    s.clock.runUntil(2999);
    s.gw.heartbeat(2999);
    expect(s.ctx().backingOff()).toBe(true);
    s.clock.runUntil(3000);
    const third = s.place(1);
    s.gw.accept(third, 3000);
    const fourth = s.place(1);
    s.gw.listener!.onExecution({ type: 'rejected', clientId: fourth, reason: 'rate_limited', exchangeTime: 3000 });
    s.clock.runUntil(3900);
    s.gw.heartbeat(3900);
    s.clock.runUntil(4000);
    // After the ack the back-off starts from the base again: 1000 us, not 4000.
    expect(s.ctx().backingOff()).toBe(false);
  });

  it('re-sends a cancel refused for the rate limit from the watchdog once the back-off is over', () => {
    const s = setup({ rateLimitBackoffUs: 1000 });
    s.gw.book(99, 101, 0);
    const id = s.place(5);
    s.gw.accept(id);
    s.ctx().cancel(id);
    s.cancelRejected(id, 'rate_limited');
    expect(s.manager.stats.cancelRejectsByReason.get('rate_limited')).toBe(1);
    // Refused, not done: it rests on, shown as a cancel in progress; a second cancel is not sent.
    expect(s.ctx().openOrders()).toEqual([{ id, side: 'buy', price: 99, qty: 5, filledQty: 0, status: 'pending_cancel' }]);
    s.ctx().cancel(id);
    s.clock.runUntil(900);
    s.gw.heartbeat(900);
    expect(s.gw.cancels).toHaveLength(1);
    s.clock.runUntil(1000);
    expect(s.gw.cancels).toHaveLength(2);
    s.gw.canceled(id, 5, 1000);
    expect(s.updates.at(-1)).toEqual({ type: 'canceled', id, side: 'buy', time: 1000 });
    expect(s.ctx().openOrders()).toEqual([]);
  });

  it('re-sends a cancel refused for overload on the next watchdog tick, without a back-off', () => {
    const s = setup();
    s.gw.book(99, 101, 0);
    const id = s.place(5);
    s.gw.accept(id);
    s.clock.runUntil(50);
    s.ctx().cancel(id);
    s.cancelRejected(id, 'exchange_overloaded');
    expect(s.ctx().backingOff()).toBe(false);
    expect(s.gw.cancels).toHaveLength(1);
    s.clock.runUntil(100);
    expect(s.gw.cancels).toHaveLength(2);
    s.clock.runUntil(300);
    expect(s.gw.cancels).toHaveLength(2);
  });

  it('forgets an order whose cancel was refused because the venue no longer has it', () => {
    const s = setup();
    s.gw.book(99, 101, 0);
    const id = s.place(5);
    s.gw.accept(id);
    s.ctx().cancel(id);
    s.cancelRejected(id, 'unknown_order');
    expect(s.ctx().openOrders()).toEqual([]);
    expect(s.updates.at(-1)).toEqual({ type: 'canceled', id, side: 'buy', time: 0 });
    s.clock.runUntil(500);
    expect(s.gw.cancels).toHaveLength(1);
  });
});
