import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BotMetrics } from '../../src/core/bot-metrics.ts';
import { ExecutionLoop } from '../../src/core/execution-loop.ts';
import { RiskMonitor } from '../../src/core/risk-monitor.ts';
import { VirtualClock } from '../../src/sim/virtual-clock.ts';
import { StubGateway } from '../support/stub-gateway.ts';

const inst = { symbol: 'TEST', tickSize: 1, lotSize: 1 };

function setup(limits = { maxPositionUsd: 1e9, maxTotalNotionalUsd: 1e9, freezeCooldownUs: 1_000_000 }) {
  const clock = new VirtualClock({ start: 1_000_000 });
  const gw = new StubGateway();
  const risk = new RiskMonitor(clock, limits, [inst]);
  const registry = new Registry();
  const loop = new ExecutionLoop(
    clock,
    gw,
    risk,
    new BotMetrics(registry),
    inst,
    { levels: 2, spreadBps: 20, levelStepBps: 10, sizeUsd: 10_000, skewBps: 0, refreshUs: 60_000_000, requoteThresholdBps: 5, maxPositionUsd: 1e9 },
    { horizonsUs: [1_000_000], adverseHorizonUs: 1_000_000 },
  );
  loop.start();
  return { clock, gw, risk, loop, registry };
}

describe('ExecutionLoop', () => {
  it('quotes levels a side around the mid, post-only, sized in lots from USD', () => {
    const { gw } = setup();
    gw.book(9999, 10001, 1_000_000);
    expect(gw.places.map((p) => [p.side, p.priceTicks, p.qtyLots, p.postOnly])).toEqual([
      ['buy', 9990, 1, true],
      ['sell', 10010, 1, true],
      ['buy', 9980, 1, true],
      ['sell', 10020, 1, true],
    ]);
  });

  it('counts maker fill rate over accepted orders only: rejects are never in the denominator', () => {
    const { gw, loop, clock } = setup();
    gw.book(9999, 10001, 1_000_000);
    const [a, b, c, d] = gw.places;
    gw.accept(a!.clientId);
    gw.accept(b!.clientId);
    gw.accept(c!.clientId);
    gw.reject(d!.clientId);
    gw.fill(a!, 1, 0, clock.now());
    expect(loop.stats.placed).toBe(3);
    expect(loop.stats.filled).toBe(1);
    expect(loop.stats.rejected).toBe(1);
    expect(loop.stats.rejectsByReason.get('post_only_would_cross')).toBe(1);
    expect(loop.stats.makerFillRate()).toBeCloseTo(1 / 3, 15);
  });

  it('counts an order with several partial fills once', () => {
    const { gw, loop, clock } = setup();
    gw.book(9999, 10001, 1_000_000);
    const order = { ...gw.places[0]!, qtyLots: 3 };
    gw.accept(order.clientId);
    gw.fill(order, 1, 2, clock.now());
    gw.fill(order, 2, 0, clock.now());
    expect(loop.stats.filled).toBe(1);
    expect(loop.stats.fills).toBe(2);
    expect(loop.stats.filledLots).toBe(3);
  });

  it('never has more than one action in flight per order', () => {
    const { gw, clock } = setup();
    gw.book(9999, 10001, 1_000_000);
    const first = [...gw.places];
    // The mid moves 20 bps before any ack: the old quotes are stale but still in flight.
    clock.tick(1000);
    gw.book(10019, 10021, clock.now());
    expect(gw.cancels).toHaveLength(0);
    expect(gw.places.length).toBe(8);
    // Once acknowledged, each stale order is cancelled exactly once, even if the book moves again.
    for (const p of first) gw.accept(p.clientId);
    expect(gw.cancels.map((c) => c.clientId).sort()).toEqual(first.map((p) => p.clientId).sort());
    clock.tick(1000);
    gw.book(10039, 10041, clock.now());
    const cancelled = gw.cancels.filter((c) => first.some((p) => p.clientId === c.clientId));
    expect(cancelled).toHaveLength(4);
  });

  it('records place and cancel latency from sent to ack, and fill latency from the exchange fill time', () => {
    const { gw, loop, clock } = setup();
    gw.book(9999, 10001, 1_000_000);
    const a = gw.places[0]!;
    clock.tick(7_000);
    gw.accept(a.clientId);
    clock.tick(3_000);
    gw.fill(a, 1, 0, clock.now() - 2_500);
    expect(loop.stats.latency.place.quantile(9500)).toBe(7_000);
    expect(loop.stats.latency.fill.quantile(9500)).toBe(2_500);
  });

  it('blocks orders at the risk limit before they reach the exchange', () => {
    const { gw, loop } = setup({ maxPositionUsd: 1e9, maxTotalNotionalUsd: 5_000, freezeCooldownUs: 1 });
    gw.book(9999, 10001, 1_000_000);
    expect(gw.places).toHaveLength(0);
    expect(loop.stats.rejectsByReason.get('risk_notional_limit')).toBe(4);
    expect(loop.stats.sent).toBe(0);
    expect(loop.stats.makerFillRate()).toBe(0);
  });

  it('cancels everything and stops quoting while frozen', () => {
    const { gw, clock, risk } = setup({ maxPositionUsd: 1e9, maxTotalNotionalUsd: 15_000, freezeCooldownUs: 5_000_000 });
    gw.book(9999, 10001, 1_000_000);
    const [a, b, c, d] = gw.places;
    for (const p of [a, b, c, d]) gw.accept(p!.clientId);
    gw.fill(a!, 1, 0, clock.now());
    gw.fill(c!, 1, 0, clock.now()); // 2 lots x ~10k USD = 20k > 15k: breach
    expect(risk.isFrozen()).toBe(true);
    expect(gw.cancels.map((x) => x.clientId).sort()).toEqual([b!.clientId, d!.clientId].sort());
    const placed = gw.places.length;
    clock.tick(1000);
    gw.book(10049, 10051, clock.now());
    expect(gw.places.length).toBe(placed);
  });
});
