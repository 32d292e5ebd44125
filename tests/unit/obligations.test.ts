import { describe, expect, it } from 'vitest';
import type { Instrument } from '../../src/core/types.ts';
import { ObligationMonitor, measureSnapshot } from '../../src/sim/run/obligations.ts';
import type { ObligationsConfig, RestingOwnOrder } from '../../src/sim/run/obligations.ts';
import { parseScenario } from '../../src/sim/scenario/load-scenario.ts';
import { VirtualClock } from '../../src/sim/clock/virtual-clock.ts';
import { runText } from '../support/run.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/run.ts';

// BTCUSDT-like: a tick of 1 USD, a lot of 0.01 BTC. With the book at 59,999 / 60,001 the mid is 60,000
// and 5 bps of it is 30 ticks: an order counts when its price is within [59,970, 60,030].
const inst: Instrument = { symbol: 'BTCUSDT', tickSize: 1, lotSize: 0.01 };
const config: ObligationsConfig = { snapshotIntervalUs: 10_000_000, depthWithinBps: 5, minDepthUsd: 40_000, maxSpreadBps: undefined, minPassRatio: 0.75 };
const buy = (priceTicks: number, leaves: number): RestingOwnOrder => ({ side: 'buy', priceTicks, leaves });
const sell = (priceTicks: number, leaves: number): RestingOwnOrder => ({ side: 'sell', priceTicks, leaves });

describe('measureSnapshot', () => {
  it('sums each side within the band (inclusive) and needs both sides', () => {
    // Bid: 59,990 x 0.5 BTC = 29,995 + 59,970 x 0.2 = 11,994 (on the band's edge: counts) -> 41,989;
    // 59,969 x 1 BTC is 31 ticks away: outside. Ask: 60,010 x 0.6 = 36,006 < 40,000: the ask side fails.
    const s = measureSnapshot(config, inst, 59_999, 60_001, [buy(59_990, 50), buy(59_970, 20), buy(59_969, 100), sell(60_010, 60)]);
    expect(s.bidDepthUsd).toBeCloseTo(41_989, 6);
    expect(s.askDepthUsd).toBeCloseTo(36_006, 6);
    expect(s.failures).toEqual(['ask_depth']);
    expect(s.passed).toBe(false);
    // Another 0.1 BTC at 60,030 (the band's edge) adds 6,003: 42,009 on the ask side, both pass.
    const both = measureSnapshot(config, inst, 59_999, 60_001, [buy(59_990, 50), buy(59_970, 20), sell(60_010, 60), sell(60_030, 10)]);
    expect(both.askDepthUsd).toBeCloseTo(42_009, 6);
    expect(both.passed).toBe(true);
    expect(both.spreadBps).toBeCloseTo((20 / 60_000) * 10_000, 9);
  });

  it('checks the own spread when max_spread_bps is set, and fails a snapshot without a mid', () => {
    const orders = [buy(59_990, 70), sell(60_010, 70)]; // 41,993 and 42,007: depth passes; spread 20 ticks = 3.33 bps
    expect(measureSnapshot({ ...config, maxSpreadBps: 3 }, inst, 59_999, 60_001, orders).failures).toEqual(['spread']);
    expect(measureSnapshot({ ...config, maxSpreadBps: 3.5 }, inst, 59_999, 60_001, orders).passed).toBe(true);
    // One side only: no own spread at all.
    expect(measureSnapshot({ ...config, maxSpreadBps: 10 }, inst, 59_999, 60_001, [buy(59_990, 70)]).failures).toEqual(['ask_depth', 'spread']);
    expect(measureSnapshot(config, inst, undefined, 60_001, orders).failures).toEqual(['no_mid']);
  });
});

describe('ObligationMonitor', () => {
  it('takes a snapshot every interval; pass ratio, longest failing streak and qualification counted by hand', () => {
    const clock = new VirtualClock();
    const monitor = new ObligationMonitor(clock, config, inst);
    // Ten snapshots at 10 s .. 100 s: the book holds 45,000 a side except while `thin` is set.
    const full = [buy(59_990, 75), sell(60_010, 75)];
    const thin = [buy(59_990, 75), sell(60_010, 10)];
    // Failing at 30 s, 40 s, 50 s (a streak of three) and 90 s: 6 of 10 pass.
    const failAt = new Set([30, 40, 50, 90]);
    monitor.observer.onView!(0, 59_999, 60_001);
    monitor.start(() => (failAt.has(clock.now() / 1e6) ? thin : full));
    clock.runUntil(100_000_000);
    const r = monitor.report();
    expect(r.snapshots).toBe(10);
    expect(r.passed).toBe(6);
    expect(r.pass_ratio).toBe(0.6);
    expect(r.longest_failing_streak).toBe(3);
    expect(r.longest_failing_streak_s).toBe(30);
    expect(r.failed_by).toEqual({ no_mid: 0, bid_depth: 0, ask_depth: 4, spread: 0 });
    expect(r.qualified).toBe(false); // 0.6 < 0.75
    expect(monitor.timeline().reduce((n, b) => n + b.snapshots, 0)).toBe(10);
    // With min_pass_ratio 0.6 the same snapshots qualify (the bound is inclusive).
    const lenient = new ObligationMonitor(new VirtualClock(), { ...config, minPassRatio: 0.6 }, inst);
    lenient.observer.onView!(0, 59_999, 60_001);
    let i = 0;
    lenient.start(() => (failAt.has(++i * 10) ? thin : full));
    for (let k = 0; k < 10; k++) lenient.snapshot();
    expect(lenient.report().qualified).toBe(true);
  });

  it('keeps the timeline bounded: buckets merge pairwise, counts preserved', () => {
    const clock = new VirtualClock();
    const monitor = new ObligationMonitor(clock, { ...config, snapshotIntervalUs: 1_000 }, inst);
    monitor.observer.onView!(0, 59_999, 60_001);
    let n = 0;
    monitor.start(() => (++n % 4 === 0 ? [] : [buy(59_990, 75), sell(60_010, 75)]));
    clock.runUntil(5_000 * 1_000);
    const tl = monitor.timeline();
    expect(tl.length).toBeLessThanOrEqual(400);
    expect(tl.reduce((k, b) => k + b.snapshots, 0)).toBe(5_000);
    expect(tl.reduce((k, b) => k + b.passed, 0)).toBe(3_750);
    expect(monitor.report().pass_ratio).toBe(0.75);
    expect(monitor.report().qualified).toBe(true);
  });
});

describe('obligations in a run', () => {
  const base = readFileSync(join(repoRoot, 'scenarios', 'burst.yaml'), 'utf8').replace(/\nexpect:[\s\S]*$/, '\n');

  it('report.json has the section only when configured; metrics.prom a gauge', async () => {
    const plain = await runText(base);
    expect(plain.report.obligations).toBeUndefined();
    expect(plain.metricsText).not.toContain('mm_obligation');
    // burst.yaml quotes 300 USD a level, 900 a side: 500 a side within 5 bps passes unless a level is off the book.
    const withObl = await runText(`${base}obligations: {min_depth_usd: 500}\n`);
    const o = withObl.report.obligations as Record<string, unknown>;
    expect(Object.keys(o)).toEqual([
      'snapshot_interval_ms',
      'depth_within_bps',
      'min_depth_usd',
      'max_spread_bps',
      'min_pass_ratio',
      'rule',
      'snapshots',
      'passed',
      'pass_ratio',
      'longest_failing_streak',
      'longest_failing_streak_s',
      'failed_by',
      'qualified',
    ]);
    expect(o.snapshots).toBe(30); // 300 s / 10 s
    expect(o.pass_ratio).toBe((o.passed as number) / 30);
    expect(withObl.metricsText).toContain(`mm_obligation_pass_ratio ${o.pass_ratio}`);
    // Observing changes nothing else: the same fills, P&L and digest.
    expect(withObl.report.pnl).toEqual(plain.report.pnl);
    expect(withObl.report.execution.digest).toBe(plain.report.execution.digest);
    // The default 40,000 USD is far beyond 900 USD a side: no snapshot passes.
    const strict = await runText(`${base}obligations: {}\n`);
    expect(strict.report.obligations).toMatchObject({ snapshots: 30, passed: 0, qualified: false, longest_failing_streak: 30 });
  });

  it('validates the block with ranges naming the field', () => {
    expect(() => parseScenario(`${base}obligations: {min_pass_ratio: 1.5}\n`, 'x.yaml')).toThrow(/obligations\.min_pass_ratio/);
    expect(() => parseScenario(`${base}obligations: {depth_within_bps: 0}\n`, 'x.yaml')).toThrow(/obligations\.depth_within_bps/);
    expect(() => parseScenario(`${base}obligations: {snapshot_interval: 10us}\n`, 'x.yaml')).toThrow(/obligations\.snapshot_interval/);
    expect(() => parseScenario(`${base}obligations: {depth: 5}\n`, 'x.yaml')).toThrow(/obligations/);
  });
});
