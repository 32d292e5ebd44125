import { describe, expect, it } from 'vitest';
import { PnlTracker } from '../../src/core/pnl-tracker.ts';
import type { FillForPnl } from '../../src/core/pnl-tracker.ts';
import { VirtualClock } from '../../src/sim/clock/virtual-clock.ts';

/*
 * Hand-computed P&L attribution: taker fills (slippage and its sign), several fills (the markout p95 is a
 * quantile of the sorted values, not of fill order), mids exactly at the fill instant and exactly at the
 * horizon (the inclusive flags), and the truncation boundary at the end of the run.
 */

// One tick is 0.5 USD, one lot 2 units: a fill of 3 lots moves 3 x 2 x 0.5 = 3 USD per tick.
const inst = { symbol: 'T', tickSize: 0.5, lotSize: 2 };

/** Mids as (venue time, mid ticks) steps: strictly before t, or at or before it when inclusive. */
function midTable(steps: [number, number][]) {
  return (_symbol: string, t: number, inclusive: boolean): number => {
    let mid = Number.NaN;
    for (const [at, m] of steps) if (inclusive ? at <= t : at < t) mid = m;
    return mid;
  };
}

function tracker(steps: [number, number][], horizonsUs = [1000], adverseHorizonUs = horizonsUs[0]!) {
  const clock = new VirtualClock();
  const pnl = new PnlTracker(clock, { horizonsUs, adverseHorizonUs }, new Map([['T', inst]]), midTable(steps));
  return { clock, pnl };
}

const taker = (f: Partial<FillForPnl>): FillForPnl => ({
  symbol: 'T',
  side: 'buy',
  priceTicks: 102,
  decisionTicks: 101,
  liquidity: 'taker',
  qtyLots: 3,
  feeUsd: 0.5,
  exchangeTime: 1000,
  ...f,
});

describe('PnlTracker: taker fills and slippage', () => {
  it('a taker buy above its decision price: slippage is a cost (positive), mids exactly at the fill and at the horizon', () => {
    // The mid changes at the fill instant (to 103: the fill's own cause, not spread captured) and exactly
    // at the horizon (to 96: the markout's mid), then once more after it.
    const { clock, pnl } = tracker([[0, 100], [1000, 103], [2000, 96], [2500, 90]]);
    clock.runUntil(1000);
    pnl.onFill(taker({ clientId: 'T-1' }));
    clock.runUntil(3000);
    const s = pnl.finish();
    // notional 102 x 3 = 306; gross (100 - 102) x 3 = -6; slippage (102 - 101) x 3 = +3;
    // adverse at 1 ms: (100 - 96) x 3 = 12; fees 0.5.
    expect(s.notional_usd).toBe(306);
    expect(s.gross_usd).toBe(-6);
    expect(s.slippage_usd).toBe(3);
    expect(s.adverse_usd).toBe(12);
    expect(s.fees_usd).toBe(0.5);
    expect(s.net_usd).toBe(-6 - 12 - 3 - 0.5);
    expect(s.slippage_bps).toBeCloseTo((3 / 306) * 10_000, 9);
    expect(s.gross_bps).toBeCloseTo((-6 / 306) * 10_000, 9);
    expect(s.fees_bps).toBeCloseTo((0.5 / 306) * 10_000, 9);
    expect(s.adverse_bps).toBeCloseTo((12 / 306) * 10_000, 9);
    expect(s.net_bps).toBeCloseTo(((-6 - 12 - 3 - 0.5) / 306) * 10_000, 9);
    // Cash -306 - 0.5; 6 units at the last mid (90 ticks = 45 USD) = 270: total -36.5.
    expect(s.total_usd).toBe(-36.5);
    expect(s.inventory_mtm_usd).toBe(-36.5 - (-6 - 0.5));
    expect(s.markouts).toEqual([{ horizon_ms: 1, mean_bps: (12 / 306) * 10_000, p95_bps: (12 / 306) * 10_000, truncated: 0 }]);
    const [row] = pnl.fills();
    expect(row).toMatchObject({ fill: 1, order: 'T-1', exchange_time_us: 1000, side: 'buy', price: 51, qty: 6, notional_usd: 306, mid_at_fill: 50, truncated_ms: [] });
    expect(row!.slippage_bps).toBeCloseTo((3 / 306) * 10_000, 9);
    expect(row!.gross_bps).toBeCloseTo((-6 / 306) * 10_000, 9);
    expect(row!.fees_bps).toBeCloseTo((0.5 / 306) * 10_000, 9);
  });

  it('a taker sell below its decision price slips too (positive), one better than it is negative', () => {
    const { clock, pnl } = tracker([[0, 100]]);
    clock.runUntil(1000);
    pnl.onFill(taker({ side: 'sell', priceTicks: 99, decisionTicks: 100, feeUsd: 0 })); // (99 - 100) x 3 x -1 = +3
    pnl.onFill(taker({ side: 'sell', priceTicks: 99, decisionTicks: 98, feeUsd: 0 })); // -3: better than decided
    const s = pnl.finish();
    expect(pnl.fills().map((r) => r.slippage_bps)).toEqual([(3 / 297) * 10_000, (-3 / 297) * 10_000]);
    expect(s.slippage_usd).toBe(0);
    // A sell below the mid gives up spread: (99 - 100) x 3 x ... = -3 each.
    expect(s.gross_usd).toBe(-6);
  });

  it('a maker fill never slips, whatever its decision price', () => {
    const { clock, pnl } = tracker([[0, 100]]);
    clock.runUntil(1000);
    pnl.onFill(taker({ liquidity: 'maker', priceTicks: 99, decisionTicks: 101 }));
    expect(pnl.finish().slippage_usd).toBe(0);
    expect(pnl.fills()[0]!.slippage_bps).toBe(0);
  });
});

describe('PnlTracker: several fills and horizons', () => {
  it('p95 of the markouts is taken over the sorted values; the mean is notional-weighted', () => {
    // Three buys of 3 lots at 100 (notional 300 each) at 1000, 2000, 3000; horizon 1 ms.
    // Mid at fill 100 each time; mid at +1 ms: 95 (adverse +15), 102 (-6), 99 (+3).
    const { clock, pnl } = tracker([[0, 100], [2000, 95], [2001, 100], [3000, 102], [3001, 100], [4000, 99], [4001, 100]]);
    for (const t of [1000, 2000, 3000]) {
      clock.runUntil(t);
      pnl.onFill(taker({ liquidity: 'maker', priceTicks: 100, decisionTicks: 100, feeUsd: 0, exchangeTime: t }));
    }
    clock.runUntil(10_000);
    const s = pnl.finish();
    expect(pnl.fills().map((r) => r.adverse_bps[0])).toEqual([500, -200, 100]);
    // Nearest rank of 3 at 95%: the 3rd smallest (the largest), 500 bps; unsorted it would be the last, 100.
    expect(s.markouts[0]!.p95_bps).toBe(500);
    expect(s.markouts[0]!.mean_bps).toBe(((15 - 6 + 3) / 900) * 10_000);
    expect(s.adverse_usd).toBe(12);
  });

  it('the adverse term is the configured horizon, each horizon settles at its own time', () => {
    const { clock, pnl } = tracker([[0, 100], [1500, 98], [5500, 90]], [1000, 5000], 5000);
    clock.runUntil(500);
    pnl.onFill(taker({ liquidity: 'maker', priceTicks: 100, decisionTicks: 100, feeUsd: 0, exchangeTime: 500 }));
    clock.runUntil(1499);
    expect(pnl.fills()[0]!.adverse_bps).toEqual([]);
    // At +1 ms the mid changed that very instant (98): (100 - 98) x 3 = 6 USD = 200 bps of 300.
    clock.runUntil(1500);
    expect(pnl.fills()[0]!.adverse_bps).toEqual([200]);
    // At +5 ms likewise (90): 30 USD = 1000 bps.
    clock.runUntil(5500);
    expect(pnl.fills()[0]!.adverse_bps).toEqual([200, 1000]);
    const s = pnl.finish();
    expect(s.adverse_horizon_ms).toBe(5);
    expect(s.adverse_usd).toBe(30);
    expect(s.adverse_bps).toBe(1000);
    expect(s.markouts).toEqual([
      { horizon_ms: 1, mean_bps: 200, p95_bps: 200, truncated: 0 },
      { horizon_ms: 5, mean_bps: 1000, p95_bps: 1000, truncated: 0 },
    ]);
  });

  it('a horizon ending exactly at the end of the run is exact, one past it truncated (at the last mid)', () => {
    const { clock, pnl } = tracker([[0, 100], [2000, 97]]);
    // Both heard late (at 1500): their timers (2500) never run; finish at 2000 settles them.
    clock.runUntil(1500);
    pnl.onFill(taker({ liquidity: 'maker', priceTicks: 100, decisionTicks: 100, feeUsd: 0, exchangeTime: 1000 }));
    pnl.onFill(taker({ liquidity: 'maker', priceTicks: 100, decisionTicks: 100, feeUsd: 0, exchangeTime: 1001 }));
    clock.runUntil(2000);
    const s = pnl.finish();
    const rows = pnl.fills();
    expect(rows.map((r) => r.truncated_ms)).toEqual([[], [1]]);
    expect(s.markouts[0]!.truncated).toBe(1);
    // 1000 + 1 ms = 2000: the mid at 2000 (97), 9 USD = 300 bps; 1001 + 1 ms is past the end: the last mid, the same.
    expect(rows.map((r) => r.adverse_bps[0])).toEqual([300, 300]);
  });

  it('an empty run has zero bps, not NaN', () => {
    const { pnl } = tracker([[0, 100]]);
    const s = pnl.finish();
    expect([s.fills, s.gross_bps, s.adverse_bps, s.slippage_bps, s.fees_bps, s.net_bps, s.total_usd]).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(s.markouts).toEqual([{ horizon_ms: 1, mean_bps: 0, p95_bps: 0, truncated: 0 }]);
  });
});
