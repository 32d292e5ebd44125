import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BotMetrics } from '../../src/core/bot-metrics.ts';
import { OrderManager } from '../../src/core/order-manager.ts';
import { RiskMonitor } from '../../src/core/risk-monitor.ts';
import { StrategyError } from '../../src/core/strategy-host.ts';
import type { OrderUpdate, Strategy, StrategyContext } from '../../src/core/strategy.ts';
import { VirtualClock } from '../../src/sim/clock/virtual-clock.ts';
import { StubGateway } from '../support/stub-gateway.ts';

const inst = { symbol: 'TEST', tickSize: 0.5, lotSize: 0.01 };

function setup(strategy: Strategy, maxPositionUsd = 1e9) {
  const clock = new VirtualClock({ start: 1_000_000 });
  const gw = new StubGateway();
  const risk = new RiskMonitor(clock, { maxPositionUsd, maxTotalNotionalUsd: 1e9, freezeCooldownUs: 1_000_000 }, [inst]);
  let draws = 0;
  const manager = new OrderManager(
    clock,
    gw,
    risk,
    new BotMetrics(new Registry()),
    inst,
    { strategy, label: 'test-strategy.ts', random: () => (draws++ % 10) / 10 },
    { horizonsUs: [1_000_000], adverseHorizonUs: 1_000_000 },
  );
  manager.start();
  return { clock, gw, manager };
}

describe('Strategy API through the order manager', () => {
  it('converts decimals to ticks and lots and back, and hands out the venue id', () => {
    let ctx!: StrategyContext;
    let id = '';
    const { gw } = setup({
      onBook(c, book) {
        ctx = c;
        if (id === '') id = c.place({ side: 'buy', price: book.bids[0]!.price - 0.5, qty: 0.03 });
      },
    });
    gw.book(200, 204, 5);
    expect(gw.places).toEqual([{ type: 'place', clientId: 'TEST-1', symbol: 'TEST', side: 'buy', priceTicks: 199, qtyLots: 3, postOnly: true }]);
    expect(id).toBe('TEST-1');
    expect(ctx.book()).toEqual({ bids: [{ price: 100, qty: 0.1 }], asks: [{ price: 102, qty: 0.1 }], time: 5 });
    expect(ctx.openOrders()).toEqual([{ id: 'TEST-1', side: 'buy', price: 99.5, qty: 0.03, filledQty: 0, status: 'pending_new' }]);
    expect(ctx.instrument).toEqual(inst);
  });

  it('tells the strategy what became of its orders, and tracks the position', () => {
    const updates: OrderUpdate[] = [];
    let ctx!: StrategyContext;
    const { gw } = setup({
      onStart(c) {
        ctx = c;
      },
      onOrder: (_c, u) => updates.push(u),
    });
    gw.book(200, 204, 5);
    ctx.place({ side: 'sell', price: 103, qty: 0.05 });
    gw.accept('TEST-1', 6);
    gw.fill(gw.places[0]!, 2, 3, 7);
    expect(updates.map((u) => u.type)).toEqual(['accepted', 'fill']);
    expect(updates[1]).toMatchObject({ type: 'fill', id: 'TEST-1', side: 'sell', price: 103, qty: 0.02, filledQty: 0.02, leavesQty: 0.03, time: 7 });
    expect(ctx.position().qty).toBeCloseTo(-0.02, 12);
    expect(ctx.position().notionalUsd).toBeCloseTo(0.02 * 101, 9);
    expect(ctx.openOrders()[0]).toMatchObject({ status: 'open', filledQty: 0.02 });
    ctx.cancel('TEST-1');
    ctx.cancel('TEST-1');
    expect(gw.cancels).toHaveLength(1);
    expect(ctx.openOrders()[0]!.status).toBe('pending_cancel');
    gw.canceled('TEST-1', 3, 8);
    expect(updates.at(-1)).toMatchObject({ type: 'canceled', id: 'TEST-1' });
    expect(ctx.openOrders()).toEqual([]);
  });

  it('holds a cancel of an unacknowledged order until its ack (one action in flight)', () => {
    let ctx!: StrategyContext;
    const { gw } = setup({ onStart: (c) => (ctx = c) });
    gw.book(200, 204, 5);
    const id = ctx.place({ side: 'buy', price: 99, qty: 0.01 });
    ctx.cancel(id);
    expect(gw.cancels).toHaveLength(0);
    expect(ctx.openOrders()[0]!.status).toBe('pending_cancel');
    gw.accept(id);
    expect(gw.cancels.map((c) => c.clientId)).toEqual([id]);
  });

  it('delivers a risk block as a rejected update after the handler returns, never re-entrantly', () => {
    const seen: string[] = [];
    const { gw } = setup(
      {
        onBook(c) {
          if (seen.length > 0) return;
          const id = c.place({ side: 'buy', price: 99, qty: 100 });
          seen.push(`placed ${id}`);
        },
        onOrder: (_c, u) => seen.push(`${u.type} ${u.id} ${u.type === 'rejected' ? u.reason : ''}`),
      },
      1000,
    );
    gw.book(200, 204, 5);
    expect(seen).toEqual(['placed TEST-x1', 'rejected TEST-x1 risk_position_limit']);
    expect(gw.places).toHaveLength(0);
  });

  it('refuses orders before there is a book to price them from', () => {
    const updates: OrderUpdate[] = [];
    setup({
      onStart(c) {
        c.place({ side: 'buy', price: 99, qty: 0.01 });
      },
      onOrder: (_c, u) => updates.push(u),
    });
    expect(updates).toMatchObject([{ type: 'rejected', reason: 'risk_not_ready' }]);
  });

  it('runs timers on the bot clock, moves a timer set again, and draws from the injected stream', () => {
    const fired: [string, number, number][] = [];
    const { clock } = setup({
      onStart(c) {
        c.setTimer('a', 500);
        c.setTimer('b', 200);
        c.setTimer('a', 1000);
      },
      onTimer: (c, name) => fired.push([name, c.now(), c.random()]),
    });
    clock.runAll();
    expect(fired).toEqual([
      ['b', 1_000_200, 0],
      ['a', 1_001_000, 0.1],
    ]);
  });

  it('stops the run with a StrategyError naming the handler for a throw, an off-tick price or an off-lot size', () => {
    const cases: [Strategy, RegExp][] = [
      [{ onBook: () => { throw new Error('boom\nsecond line'); } }, /^strategy test-strategy\.ts: onBook: threw Error: boom$/],
      [{ onBook: (c) => void c.place({ side: 'buy', price: 99.3, qty: 0.01 }) }, /^strategy test-strategy\.ts: onBook: place: price 99\.3 is off the tick grid \(tick size 0\.5/],
      [{ onBook: (c) => void c.place({ side: 'buy', price: 99, qty: 0.015 }) }, /^strategy test-strategy\.ts: onBook: place: qty 0\.015 is off the lot grid \(lot size 0\.01/],
      [{ onBook: (c) => void c.place({ side: 'buy', price: 99, qty: 0 }) }, /qty 0 is off the lot grid/],
      [{ onBook: (c) => void c.setTimer('t', -1) }, /onBook: setTimer\("t"\): afterUs must be a finite number >= 0/],
    ];
    for (const [strategy, message] of cases) {
      const { gw } = setup(strategy);
      let err: unknown;
      try {
        gw.book(200, 204, 5);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StrategyError);
      expect((err as StrategyError).code).toBe('STRATEGY_FAILED');
      expect((err as Error).message).toMatch(message);
    }
  });

  it('calls onStop at the end of the run, after which nothing is sent', () => {
    let stopped = 0;
    const { gw, manager } = setup({
      onStop(c) {
        stopped++;
        c.place({ side: 'buy', price: 99, qty: 0.01 });
        c.cancelAll();
      },
    });
    gw.book(200, 204, 5);
    manager.finish();
    manager.finish();
    expect(stopped).toBe(1);
    expect(gw.places).toHaveLength(0);
  });
});
