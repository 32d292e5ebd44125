// Taker orders (postOnly: false) on the simulated exchange and through the order manager: what they take
// from the displayed book, what becomes of the rest, and what they cost in slippage and fees. Every
// expected number is computed by hand from the fixture's book (bids 99x10, 98x5; asks 101x10, 102x5),
// tick 1 USD, lot 1, taker fee 5 bps, maker fee -1 bp.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BotMetrics } from '../../src/core/bot-metrics.ts';
import { OrderManager } from '../../src/core/order-manager.ts';
import { RiskMonitor } from '../../src/core/risk-monitor.ts';
import type { BuiltinStrategy } from '../../src/core/strategy-host.ts';
import type { OrderUpdate } from '../../src/core/strategy.ts';
import type { PlaceRequest, Side, TimeInForce } from '../../src/core/types.ts';
import { exchangeFixture } from '../support/exchange-fixture.ts';

function taker(fx: ReturnType<typeof exchangeFixture>, clientId: string, side: Side, priceTicks: number, qtyLots: number, timeInForce?: TimeInForce): void {
  const req: PlaceRequest = { type: 'place', clientId, symbol: 'T', side, priceTicks, qtyLots, postOnly: false, ...(timeInForce ? { timeInForce } : {}) };
  fx.ex.placeOrder(req);
  fx.clock.runAll();
}

const summary = (fx: ReturnType<typeof exchangeFixture>) =>
  fx.events.map((e) => (e.type === 'fill' ? `fill ${e.clientId} ${e.qtyLots}@${e.priceTicks} leaves ${e.leavesLots} ${e.liquidity}` : `${e.type} ${e.clientId}`));

describe('taker orders on the simulated exchange', () => {
  it('sweeps two levels at their own prices, paying the taker fee on each', () => {
    const fx = exchangeFixture();
    taker(fx, 'b1', 'buy', 102, 12);
    expect(summary(fx)).toEqual(['accepted b1', 'fill b1 10@101 leaves 2 taker', 'fill b1 2@102 leaves 0 taker']);
    expect(fx.fills().map((f) => f.feeUsd)).toEqual([(10 * 101 * 5) / 10_000, (2 * 102 * 5) / 10_000]);
    expect(fx.ex.account.positionLots).toBe(12);
    expect(fx.ex.account.cashUsd).toBeCloseTo(-(1010 + 204) - 0.607, 12);
    expect(fx.fillRecords.map((f) => f.how)).toEqual(['take', 'take']);
    expect(fx.ex.restingOrders).toBe(0);
  });

  it('a sell sweeps the bids downwards the same way', () => {
    const fx = exchangeFixture();
    taker(fx, 's1', 'sell', 98, 11);
    expect(summary(fx)).toEqual(['accepted s1', 'fill s1 10@99 leaves 1 taker', 'fill s1 1@98 leaves 0 taker']);
  });

  it('never takes through its limit: the remainder rests at the limit (GTC) and fills as a maker later', () => {
    const fx = exchangeFixture();
    taker(fx, 'b1', 'buy', 101, 14);
    expect(summary(fx)).toEqual(['accepted b1', 'fill b1 10@101 leaves 4 taker']);
    expect(fx.ex.restingSnapshot()).toMatchObject([{ clientId: 'b1', priceTicks: 101, leaves: 4 }]);
    // The market catches up with what was taken (the level empties): the rest is not filled again from it.
    fx.level('sell', 101, 0);
    expect(fx.fills()).toHaveLength(1);
    // A new offer of 3 at our price crosses the resting remainder: a maker fill at the order's own price.
    fx.level('sell', 101, 3);
    expect(summary(fx).slice(2)).toEqual(['fill b1 3@101 leaves 1 maker']);
    expect(fx.fills()[1]!.feeUsd).toBeCloseTo((3 * 101 * -1) / 10_000, 15);
  });

  it('an IOC remainder is canceled at once', () => {
    const fx = exchangeFixture();
    taker(fx, 'b1', 'buy', 101, 14, 'IOC');
    expect(summary(fx)).toEqual(['accepted b1', 'fill b1 10@101 leaves 4 taker', 'canceled b1']);
    expect(fx.events[2]).toMatchObject({ type: 'canceled', leavesLots: 4 });
    expect(fx.ex.restingOrders).toBe(0);
  });

  it('a non-post-only order that does not cross rests as a maker order', () => {
    const fx = exchangeFixture();
    taker(fx, 'b1', 'buy', 100, 2);
    expect(summary(fx)).toEqual(['accepted b1']);
    expect(fx.ex.restingSnapshot()).toMatchObject([{ clientId: 'b1', priceTicks: 100, leaves: 2 }]);
  });

  it('does not take the same displayed lots twice before the market changes the level', () => {
    const fx = exchangeFixture();
    taker(fx, 'b1', 'buy', 101, 6, 'IOC');
    taker(fx, 'b2', 'buy', 102, 6, 'IOC');
    // b1 took 6 of the 10 at 101: b2 finds 4 there, then 2 at 102.
    expect(summary(fx).slice(2)).toEqual(['accepted b2', 'fill b2 4@101 leaves 2 taker', 'fill b2 2@102 leaves 0 taker']);
    taker(fx, 'b3', 'buy', 101, 5, 'IOC');
    expect(summary(fx).slice(5)).toEqual(['accepted b3', 'canceled b3']);
    // The market updates the level (8 lots now shown): all of it may be taken again.
    fx.level('sell', 101, 8);
    taker(fx, 'b4', 'buy', 101, 9, 'IOC');
    expect(summary(fx).slice(7)).toEqual(['accepted b4', 'fill b4 8@101 leaves 1 taker', 'canceled b4']);
  });
});

/** The order manager on the fixture's exchange (zero latency) under a strategy that sends one order. */
function managed(
  order: { side: Side; price: number; qty: number; postOnly?: boolean; timeInForce?: TimeInForce },
  limits = { maxPositionUsd: 1e9, maxTotalNotionalUsd: 1e9 },
  before: (fx: ReturnType<typeof exchangeFixture>) => void = () => undefined,
) {
  const fx = exchangeFixture();
  before(fx);
  const inst = { symbol: 'T', tickSize: 1, lotSize: 1 };
  const risk = new RiskMonitor(fx.clock, { ...limits, freezeCooldownUs: 1_000_000 }, [inst]);
  const updates: OrderUpdate[] = [];
  let sent = false;
  const strategy: BuiltinStrategy = {
    onBook(ctx) {
      if (sent) return;
      sent = true;
      ctx.place(order);
    },
    onOrder: (_ctx, u) => void updates.push(u),
  };
  const om = new OrderManager(fx.clock, fx.ex, risk, new BotMetrics(new Registry()), inst, { strategy, label: 'test', random: () => 0 }, { horizonsUs: [1_000_000], adverseHorizonUs: 1_000_000 });
  om.start();
  fx.clock.runAll();
  return { fx, om, updates, risk };
}

describe('taker orders through the order manager', () => {
  it('books slippage against the decision price and taker fees: net = gross - adverse - slippage - fees', () => {
    // Half a second after the fills the market lifts the 101 offer: the mid goes from 100 to (99 + 102) / 2 = 100.5.
    const { om, updates } = managed({ side: 'buy', price: 102, qty: 12, postOnly: false }, undefined, (fx) =>
      fx.clock.schedule(500_000, () => {
        fx.book.asks.set(101, 0);
        fx.ex.onBookChange();
      }),
    );
    expect(updates.map((u) => (u.type === 'fill' ? `${u.qty}@${u.price} ${u.liquidity}` : u.type))).toEqual(['accepted', '10@101 taker', '2@102 taker']);
    om.finish();
    const p = om.pnl.finish();
    // Decision price 101 (the best ask the bot saw). gross: 10 x (100 - 101) + 2 x (100 - 102) = -14;
    // slippage: 10 x 0 + 2 x (102 - 101) = 2; fees: 0.505 + 0.102; adverse at 1 s: 12 x (100 - 100.5) = -6.
    expect(p.gross_usd).toBeCloseTo(-14, 12);
    expect(p.slippage_usd).toBeCloseTo(2, 12);
    expect(p.fees_usd).toBeCloseTo(0.607, 12);
    expect(p.adverse_usd).toBeCloseTo(-6, 12);
    expect(p.net_usd).toBeCloseTo(-14 + 6 - 2 - 0.607, 12);
    expect(p.net_usd).toBeCloseTo(p.gross_usd - p.adverse_usd - p.slippage_usd - p.fees_usd, 12);
    // Notional 1010 + 204 = 1214: the bps terms keep the identity too.
    expect(p.slippage_bps).toBeCloseTo((2 / 1214) * 10_000, 9);
    expect(p.net_bps).toBeCloseTo(p.gross_bps - p.adverse_bps - p.slippage_bps - p.fees_bps, 12);
    // Cash -1214.607 plus 12 lots at 100.5: the run's true P&L; the inventory made 12 x 0.5.
    expect(p.total_usd).toBeCloseTo(-1214.607 + 1206, 9);
    expect(p.inventory_mtm_usd).toBeCloseTo(6, 9);
    expect(om.pnl.fills().map((f) => f.slippage_bps)).toEqual([0, (2 / 204) * 10_000]);
  });

  it('maker fills never slip, whatever the book did since the order was sent', () => {
    const { fx, om } = managed({ side: 'buy', price: 100, qty: 3 });
    fx.level('sell', 100, 7);
    om.finish();
    const p = om.pnl.finish();
    expect(p.fills).toBe(1);
    expect(p.slippage_usd).toBe(0);
  });

  it('an IOC remainder comes back as a canceled update and leaves nothing working', () => {
    const { updates, om } = managed({ side: 'buy', price: 101, qty: 14, postOnly: false, timeInForce: 'IOC' });
    expect(updates.map((u) => u.type)).toEqual(['accepted', 'fill', 'canceled']);
    expect(om.openOrders).toBe(0);
    expect(om.stats.latency.cancel.samples()).toHaveLength(0);
  });

  it('the risk check counts a taker order like any other: its whole size may fill', () => {
    // 12 lots at a mark of 100 is 1200 USD of worst case, over a 1000 USD position limit.
    const { updates, fx } = managed({ side: 'buy', price: 102, qty: 12, postOnly: false }, { maxPositionUsd: 1000, maxTotalNotionalUsd: 1e9 });
    expect(updates).toMatchObject([{ type: 'rejected', reason: 'risk_position_limit' }]);
    expect(fx.ex.account.positionLots).toBe(0);
  });
});
