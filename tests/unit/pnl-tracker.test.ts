import { describe, expect, it } from 'vitest';
import { MidHistory } from '../../src/core/mid-history.ts';
import { PnlTracker } from '../../src/core/pnl-tracker.ts';
import { VirtualClock } from '../../src/sim/virtual-clock.ts';

// One tick is 0.5 USD and one lot 0.1 units, so 10 lots = 1 unit and a 1-tick move on it is 0.5 USD.
const inst = { symbol: 'T', tickSize: 0.5, lotSize: 0.1 };
const MS = 1000;

function setup() {
  const clock = new VirtualClock();
  const mids = new MidHistory(60_000 * MS);
  const pnl = new PnlTracker(clock, { horizonsUs: [100 * MS, 1000 * MS], adverseHorizonUs: 1000 * MS }, new Map([['T', inst]]), (_s, t, inclusive) =>
    mids.at(t, inclusive),
  );
  return { clock, mids, pnl };
}

describe('PnlTracker decomposition (hand-computed)', () => {
  it('a maker buy below mid, then the mid falls: gross from the spread, adverse from the markouts, a rebate', () => {
    const { clock, mids, pnl } = setup();
    mids.push(0, 200); // mid 100 USD
    // The buy fills at 198 ticks (99 USD) at exchange time 1 ms; the bot hears of it 5 ms later.
    clock.runUntil(6 * MS);
    pnl.onFill({ symbol: 'T', side: 'buy', priceTicks: 198, limitTicks: 198, qtyLots: 10, feeUsd: -0.01, exchangeTime: 1 * MS });
    mids.push(50 * MS, 196); // by 100 ms after the fill the mid is 98 USD
    mids.push(500 * MS, 194); // and 97 USD by 1 s after
    clock.runUntil(2000 * MS);
    const s = pnl.finish();
    // notional 99 USD; gross = (200 - 198) ticks x 0.5 USD x 1 unit = 1 USD = 101.0101 bps
    expect(s.notional_usd).toBe(99);
    expect(s.gross_usd).toBe(1);
    expect(s.gross_bps).toBeCloseTo(101.010101, 5);
    // adverse at 1 s: (200 - 194) x 0.5 = 3 USD = 303.0303 bps; at 100 ms: (200 - 196) x 0.5 = 2 USD
    expect(s.adverse_usd).toBe(3);
    expect(s.adverse_bps).toBeCloseTo(303.030303, 5);
    expect(s.markouts.map((m) => [m.horizon_ms, m.mean_bps, m.truncated])).toEqual([
      [100, (2 / 99) * 10_000, 0],
      [1000, (3 / 99) * 10_000, 0],
    ]);
    // a rebate is a negative fee: -0.01 USD = -1.0101 bps
    expect(s.fees_bps).toBeCloseTo(-1.010101, 5);
    expect(s.slippage_bps).toBe(0);
    // net = gross - adverse - slippage - fees = 1 - 3 - 0 + 0.01 = -1.99 USD = -201.0101 bps
    expect(s.net_usd).toBeCloseTo(-1.99, 12);
    expect(s.net_bps).toBeCloseTo(-201.010101, 5);
    expect(s.net_bps).toBe(s.gross_bps - s.adverse_bps - s.slippage_bps - s.fees_bps);
    // Still long 1 unit bought at 99 USD, now marked at 97: total = -99 + 0.01 + 97 = -1.99 USD;
    // of which gross - fees = 1.01 USD from the spread and the rebate, -3 USD from holding the inventory.
    expect(s.total_usd).toBeCloseTo(-1.99, 12);
    expect(s.inventory_mtm_usd).toBeCloseTo(-3, 12);
  });

  it('a maker sell above mid, then the mid rises: the markout is adverse for a sell', () => {
    const { clock, mids, pnl } = setup();
    mids.push(0, 200);
    clock.runUntil(2 * MS);
    pnl.onFill({ symbol: 'T', side: 'sell', priceTicks: 201, limitTicks: 201, qtyLots: 20, feeUsd: 0, exchangeTime: 1 * MS });
    mids.push(10 * MS, 203);
    clock.runUntil(5000 * MS);
    const s = pnl.finish();
    // 2 units: gross = -1 x (200 - 201) x 0.5 x 2 = 1 USD; adverse = -1 x (200 - 203) x 0.5 x 2 = 3 USD
    expect(s.gross_usd).toBe(1);
    expect(s.adverse_usd).toBe(3);
    expect(s.net_usd).toBe(-2);
  });

  it('a fill near the end of the run: the horizon that runs past the end is counted as truncated and uses the last mid', () => {
    const { clock, mids, pnl } = setup();
    mids.push(0, 200);
    clock.runUntil(9_500 * MS);
    pnl.onFill({ symbol: 'T', side: 'buy', priceTicks: 199, limitTicks: 199, qtyLots: 10, feeUsd: 0, exchangeTime: 9_500 * MS });
    mids.push(9_550 * MS, 198);
    clock.runUntil(9_700 * MS); // the run ends: the 100 ms markout is done, the 1 s one is not
    mids.push(9_800 * MS, 190); // never seen by the tracker before the end
    const s = pnl.finish();
    expect(s.markouts.map((m) => m.truncated)).toEqual([0, 1]);
    // 100 ms markout: (200 - 198) x 0.5 = 1 USD; the truncated 1 s one takes the last mid kept (190).
    expect(s.markouts[0]!.mean_bps).toBeCloseTo((1 / 99.5) * 10_000, 9);
    expect(s.adverse_usd).toBe(5);
    // Settling at the end does not count twice if the clock later reaches the horizon.
    clock.runUntil(20_000 * MS);
    expect(pnl.finish().adverse_usd).toBe(5);
  });

  it('reports zeros without fills', () => {
    const { pnl } = setup();
    const s = pnl.finish();
    expect([s.gross_bps, s.adverse_bps, s.fees_bps, s.net_bps, s.notional_usd]).toEqual([0, 0, 0, 0, 0]);
  });
});
