import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BotMetrics } from '../../src/core/bot-metrics.ts';
import { ExecutionLoop } from '../../src/core/execution-loop.ts';
import { RiskMonitor } from '../../src/core/risk-monitor.ts';
import type { RiskLimits } from '../../src/core/risk-monitor.ts';
import { VirtualClock } from '../../src/sim/clock/virtual-clock.ts';
import { StubGateway } from '../support/stub-gateway.ts';

const inst = { symbol: 'TEST', tickSize: 1, lotSize: 1 };

function setup(limits: RiskLimits = { maxPositionUsd: 1e9, maxTotalNotionalUsd: 1e9, freezeCooldownUs: 1_000_000 }, sizeUsd = 10_000) {
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
    { levels: 2, spreadBps: 20, levelStepBps: 10, sizeUsd, skewBps: 0, refreshUs: 60_000_000, requoteThresholdBps: 5, maxPositionUsd: 1e9 },
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
    // 2 lots a side may fill: 20,000 USD at the 10,000 mark, inside the 20,000 limit.
    const { gw, clock, risk } = setup({ maxPositionUsd: 1e9, maxTotalNotionalUsd: 20_000, freezeCooldownUs: 5_000_000 });
    gw.book(9999, 10001, 1_000_000);
    const [a, b, c, d] = gw.places;
    expect(gw.places).toHaveLength(4);
    for (const p of [a, b, c, d]) gw.accept(p!.clientId);
    gw.fill(a!, 1, 0, clock.now());
    gw.book(10000, 10002, clock.now()); // the mark rises 1 tick: below the requote threshold
    gw.fill(c!, 1, 0, clock.now()); // 2 lots x 10,001 = 20,002 USD > 20,000: a breach from the price move
    expect(risk.isFrozen()).toBe(true);
    expect(gw.cancels.map((x) => x.clientId).sort()).toEqual([b!.clientId, d!.clientId].sort());
    const placed = gw.places.length;
    clock.tick(1000);
    gw.book(10049, 10051, clock.now());
    expect(gw.places.length).toBe(placed);
  });
});

describe('ExecutionLoop risk: the worst case of live orders', () => {
  it('counts pending_new, open and pending_cancel orders on each side; a canceled order frees its lots', () => {
    // 25,000 USD: two 1-lot orders a side (about 20,000 USD if all of one side fills) but not three.
    const { gw, loop } = setup({ maxPositionUsd: 1e9, maxTotalNotionalUsd: 25_000, freezeCooldownUs: 1 });
    gw.book(9999, 10001, 1_000_000);
    const first = [...gw.places];
    expect(first.map((p) => p.side)).toEqual(['buy', 'sell', 'buy', 'sell']);
    // The mid moves 20 bps before any ack: the four orders are in flight (pending_new), so a third lot a
    // side would make a worst case of 3 lots x 10,020 USD.
    gw.book(10019, 10021, 1_000_000);
    expect(gw.places).toHaveLength(4);
    expect(loop.stats.rejectsByReason.get('risk_notional_limit')).toBe(4);
    // Acknowledged, they are canceled at once (pending_cancel): a cancel in flight can lose to a fill.
    for (const p of first) gw.accept(p.clientId);
    expect(gw.cancels).toHaveLength(4);
    gw.book(10039, 10041, 1_000_000);
    expect(gw.places).toHaveLength(4);
    expect(loop.stats.rejectsByReason.get('risk_notional_limit')).toBe(8);
    // Two cancels confirmed (one a side): one lot a side may still fill, so one new order a side fits.
    gw.canceled(first[0]!.clientId, 1);
    gw.canceled(first[1]!.clientId, 1);
    gw.book(10059, 10061, 1_000_000);
    expect(gw.places.slice(4).map((p) => p.side)).toEqual(['buy', 'sell']);
    expect(loop.stats.rejectsByReason.get('risk_notional_limit')).toBe(10);
  });

  it('a partly filled order keeps only its leaves in the worst case; a canceled one leaves it', () => {
    // 3 lots an order: two bids may add 6 lots (60,000 USD).
    const { gw, clock, risk } = setup({ maxPositionUsd: 1e9, maxTotalNotionalUsd: 60_500, freezeCooldownUs: 1 }, 30_000);
    gw.book(9999, 10001, 1_000_000);
    const [bid1, ask1, bid2] = gw.places;
    expect(gw.places.map((p) => p.qtyLots)).toEqual([3, 3, 3, 3]);
    for (const p of gw.places) gw.accept(p.clientId);
    expect(risk.worstCaseNotionalUsd('TEST')).toBe(60_000); // 0 + 6 lots of bids, 0 - 6 lots of asks
    gw.fill(bid1!, 1, 2, clock.now());
    expect(risk.positionLots('TEST')).toBe(1);
    expect(risk.worstCaseNotionalUsd('TEST')).toBe(60_000); // 1 + 2 + 3 = 6 lots: a fill moves lots, adds none
    gw.fill(bid1!, 2, 0, clock.now());
    expect(risk.worstCaseNotionalUsd('TEST')).toBe(60_000); // 3 + 3
    gw.canceled(bid2!.clientId, 3);
    gw.canceled(ask1!.clientId, 3);
    expect(risk.worstCaseNotionalUsd('TEST')).toBe(30_000); // bids: 3 + 0; asks: 3 - 3
  });

  it('samples the risk ratio every sample interval through the metrics, next to the fill samples', async () => {
    const { gw, clock, registry, risk } = setup({ maxPositionUsd: 1e9, maxTotalNotionalUsd: 1e9, freezeCooldownUs: 1, sampleIntervalUs: 1_000_000 });
    gw.book(9999, 10001, 1_000_000);
    const a = gw.places[0]!;
    gw.accept(a.clientId);
    gw.fill(a, 1, 0, clock.now());
    clock.runUntil(6_000_000);
    expect([risk.fillSamples.ratios.count, risk.intervalSamples.ratios.count]).toEqual([1, 5]);
    const text = await registry.metrics();
    expect(text).toContain('mm_risk_samples_total{kind="fill"} 1');
    expect(text).toContain('mm_risk_samples_total{kind="interval"} 5');
    expect(text).toContain('mm_risk_breaches_total{kind="interval"} 0');
    expect(text).toMatch(/mm_risk_ratio_count 6\b/);
  });

  it('halts on the loss limit: cancels everything, quotes nothing more, and counts it', async () => {
    const { gw, clock, registry, risk, loop } = setup({ maxPositionUsd: 1e9, maxTotalNotionalUsd: 1e9, freezeCooldownUs: 1, maxLossUsd: 50 });
    gw.book(9999, 10001, 1_000_000);
    for (const p of gw.places) gw.accept(p.clientId);
    gw.fill(gw.places[0]!, 1, 0, clock.now()); // long 1 lot bought at 9,990
    gw.book(9939, 9941, clock.now()); // mid 9,940: -50 USD, not below the limit; a requote follows
    expect(risk.lossHalted).toBe(false);
    for (const p of gw.places.slice(4)) gw.accept(p.clientId);
    const placed = gw.places.length;
    const cancelsBefore = gw.cancels.length;
    gw.book(9929, 9931, clock.now()); // mid 9,930: -60 USD
    expect(risk.lossHalted).toBe(true);
    expect(gw.places.length).toBe(placed);
    // Every open order gets its cancel (the ones canceled on the requote before already had one).
    const canceled = new Set(gw.cancels.map((c) => c.clientId));
    expect(gw.cancels.length).toBeGreaterThan(cancelsBefore);
    for (const p of gw.places.slice(4)) expect(canceled.has(p.clientId)).toBe(true);
    clock.tick(60_000_000);
    gw.book(10049, 10051, clock.now());
    expect(gw.places.length).toBe(placed);
    expect(loop.stats.rejected).toBe(0);
    const text = await registry.metrics();
    expect(text).toContain('mm_risk_loss_halts_total 1');
    expect(text).toContain('mm_risk_frozen 1');
  });
});
