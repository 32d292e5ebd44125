// The market's stylized facts (docs/market-stats.md) on hand-built tapes with answers worked out by hand.
import { describe, expect, it } from 'vitest';
import type { Side } from '../../src/core/types.ts';
import { percentileOfSorted } from '../../src/core/percentiles.ts';
import { CountDispersion, MarketStats, OrderGrouper, SignAutocorrelation, TopStats, WeightedQuantiles } from '../../src/sim/market/market-stats.ts';

const S = 1_000_000;

describe('OrderGrouper', () => {
  it('merges prints at one instant on one side into one order, and nothing else', () => {
    const orders: [number, Side, number][] = [];
    const g = new OrderGrouper((at, side, qty) => orders.push([at, side, qty]));
    expect(g.print(10, 'buy', 1)).toBe(true);
    expect(g.print(10, 'buy', 2)).toBe(false); // the same market order one level deeper
    expect(g.print(10, 'sell', 4)).toBe(true); // another side at the same instant
    expect(g.print(11, 'sell', 8)).toBe(true); // the same side a µs later
    g.flush();
    expect(orders).toEqual([
      [10, 'buy', 3],
      [10, 'sell', 4],
      [11, 'sell', 8],
    ]);
  });
});

describe('CountDispersion', () => {
  it('is 0 for a constant rate', () => {
    const c = new CountDispersion();
    for (let s = 0; s < 10; s++) for (const f of [0.1, 0.6]) c.add((s + f) * S);
    expect(c.finish(10 * S)).toEqual({ bins: 10, mean: 2, dispersion: 0 });
  });

  it('counts empty seconds and drops a partial last one', () => {
    const c = new CountDispersion();
    // Seconds: [0, 4, 0, 2] and 5 events in the partial fifth second that do not count.
    for (let i = 0; i < 4; i++) c.add(1.5 * S);
    c.add(3 * S);
    c.add(3.999999 * S);
    for (let i = 0; i < 5; i++) c.add(4.2 * S);
    // mean 1.5, variance (2.25 + 6.25 + 2.25 + 0.25) / 4 = 2.75, dispersion 2.75 / 1.5.
    const r = c.finish(4.5 * S);
    expect(r.bins).toBe(4);
    expect(r.mean).toBe(1.5);
    expect(r.dispersion).toBeCloseTo(2.75 / 1.5, 12);
  });

  it('has no dispersion without a whole second or without events', () => {
    expect(new CountDispersion().finish(0.9 * S)).toEqual({ bins: 0, mean: null, dispersion: null });
    expect(new CountDispersion().finish(3 * S)).toEqual({ bins: 3, mean: 0, dispersion: null });
  });
});

/** Pearson correlation of (s_i, s_{i+k}) computed directly, the reference for the streaming one. */
function pearson(s: readonly number[], k: number): number {
  const x = s.slice(0, s.length - k);
  const y = s.slice(k);
  const mean = (a: number[]) => a.reduce((p, v) => p + v, 0) / a.length;
  const mx = mean(x);
  const my = mean(y);
  let cov = 0;
  let vx = 0;
  let vy = 0;
  for (let i = 0; i < x.length; i++) {
    cov += (x[i]! - mx) * (y[i]! - my);
    vx += (x[i]! - mx) ** 2;
    vy += (y[i]! - my) ** 2;
  }
  return cov / Math.sqrt(vx * vy);
}

describe('SignAutocorrelation', () => {
  const feed = (signs: readonly (1 | -1)[]) => {
    const a = new SignAutocorrelation([1, 5, 20]);
    for (const s of signs) a.add(s);
    return [a.at(0), a.at(1), a.at(2)];
  };

  it('is -1 at odd lags and +1 at even lags for alternating signs', () => {
    const alt = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 1 : -1) as 1 | -1);
    const [l1, l5, l20] = feed(alt);
    expect(l1).toBeCloseTo(-1, 12);
    expect(l5).toBeCloseTo(-1, 12);
    expect(l20).toBeCloseTo(1, 12);
  });

  it('is 1/6 at lag 1 for + + - - + + - - (worked out by hand)', () => {
    const a = new SignAutocorrelation([1]);
    for (const s of [1, 1, -1, -1, 1, 1, -1, -1] as const) a.add(s);
    // head mean 1/7, tail mean -1/7, mean product 1/7: cov 8/49, variances 48/49.
    expect(a.at(0)).toBeCloseTo(1 / 6, 12);
  });

  it('matches the direct computation on an irregular series', () => {
    let x = 12345;
    const signs = Array.from({ length: 500 }, () => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return (x % 7 < 4 ? 1 : -1) as 1 | -1;
    });
    const [l1, l5, l20] = feed(signs);
    expect(l1).toBeCloseTo(pearson(signs, 1), 12);
    expect(l5).toBeCloseTo(pearson(signs, 5), 12);
    expect(l20).toBeCloseTo(pearson(signs, 20), 12);
  });

  it('is undefined for a constant series or too few pairs', () => {
    expect(feed(Array.from({ length: 50 }, () => 1 as const))).toEqual([null, null, null]);
    const [l1, , l20] = feed([1, -1, 1, -1, 1]);
    expect(l1).toBeCloseTo(-1, 12);
    expect(l20).toBeNull();
  });
});

describe('WeightedQuantiles', () => {
  it('is the nearest-rank percentile with unit weights', () => {
    const q = new WeightedQuantiles();
    const values = [7, 3, 3, 100, 1, 50, 2, 2, 9, 4, 8];
    for (const v of values) q.add(v);
    const sorted = [...values].sort((a, b) => a - b);
    expect(q.quantiles([5000, 9900, 0, 10000])).toEqual([5000, 9900, 0, 10000].map((bp) => percentileOfSorted(sorted, bp)));
    expect(q.quantiles([5000, 9900])).toEqual([4, 100]);
  });

  it('weighs each value by its weight (time at the value)', () => {
    const q = new WeightedQuantiles();
    q.add(1, 5);
    q.add(2, 5);
    expect(q.quantiles([5000, 5001])).toEqual([1, 2]); // half the weight at 1 is enough for the median
    q.add(10, 0.5);
    expect(q.quantiles([9900])).toEqual([10]);
    expect(new WeightedQuantiles().quantiles([5000])).toEqual([null]);
  });
});

describe('TopStats', () => {
  // [0, 1 s): 100/101, sizes 2/4; [1 s, 3 s): 100/102, 2/6; [3 s, 4 s): 101/102, 3/6.
  function tape(): TopStats {
    const t = new TopStats();
    t.onTop(0, { bid: undefined, bidQty: 0, ask: undefined, askQty: 0 }); // replaced at the same instant
    t.onTop(0, { bid: 100, bidQty: 2, ask: 101, askQty: 4 });
    t.onTop(1 * S, { bid: 100, bidQty: 2, ask: 102, askQty: 6 });
    // A flicker within one instant: the bid goes and comes back, which is no change of the touch.
    t.onTop(2 * S, { bid: 99, bidQty: 9, ask: 102, askQty: 6 });
    t.onTop(2 * S, { bid: 100, bidQty: 2, ask: 102, askQty: 6 });
    t.onTop(3 * S, { bid: 101, bidQty: 3, ask: 102, askQty: 6 });
    return t;
  }

  it('gives the time-weighted one-tick share and touch depth, the touch life and the mid volatility', () => {
    const r = tape().finish(4 * S);
    expect(r.oneTickShare).toBe(0.5); // 1 s + 1 s of 4 s
    // Side-seconds: 2 for 3 s, 4 for 1 s, 6 for 3 s, 3 for 1 s: sorted 2,2,2,3 | 4,6,6,6 -> 3.
    expect(r.depthP50).toBe(3);
    // Completed touches: bid 100 for 3 s, ask 101 for 1 s (bid 101 and ask 102 still stand at the end).
    expect(r.lifeMeanUs).toBe(2 * S);
    // Mids at 0..4 s: 100.5, 101, 101, 101.5, 101.5.
    const r1 = Math.log(101 / 100.5);
    const r3 = Math.log(101.5 / 101);
    expect(r.volBpsPerSqrtS).toBeCloseTo(1e4 * Math.sqrt((r1 * r1 + r3 * r3) / 4), 9);
  });

  it('counts only two-sided time and skips returns next to a one-sided book', () => {
    const t = new TopStats();
    t.onTop(0, { bid: 100, bidQty: 1, ask: undefined, askQty: 0 });
    t.onTop(2 * S, { bid: 100, bidQty: 1, ask: 101, askQty: 1 });
    t.onTop(3 * S, { bid: 100, bidQty: 1, ask: 102, askQty: 1 });
    const r = t.finish(4 * S);
    expect(r.oneTickShare).toBe(0.5);
    // Mids: -, -, 100.5, 101, 101: two returns.
    expect(r.volBpsPerSqrtS).toBeCloseTo(1e4 * Math.sqrt(Math.log(101 / 100.5) ** 2 / 2), 9);
    expect(r.lifeMeanUs).toBe(1 * S); // ask 101 from 2 s to 3 s
  });

  it('has nothing to say about an empty book', () => {
    expect(new TopStats().finish(5 * S)).toEqual({ oneTickShare: null, depthP50: null, volBpsPerSqrtS: null, lifeMeanUs: null });
  });
});

describe('MarketStats', () => {
  it('reports orders, sizes in the instrument units and the other facts', () => {
    const m = new MarketStats(0.001);
    m.onTop(0, { bid: 100, bidQty: 5, ask: 101, askQty: 7 });
    // Orders (lots): 1, 2+3 (one order walking two levels), 1, 100; signs + + - +.
    m.onTrade(0.2 * S, 'buy', 1);
    m.onTrade(0.5 * S, 'buy', 2);
    m.onTrade(0.5 * S, 'buy', 3);
    m.onTrade(1.1 * S, 'sell', 1);
    m.onTrade(1.7 * S, 'buy', 100);
    const r = m.finish(2 * S);
    expect(r.orders).toBe(4);
    expect(r.seconds).toBe(2);
    expect(r.orders_per_s).toBe(2);
    expect(r.count_dispersion).toBe(0);
    expect(r.size_p50).toBe(0.001); // sorted 1, 1, 5, 100: rank 2
    expect(r.size_p99).toBe(0.1);
    expect(r.size_p99_p50).toBe(100);
    expect(r.one_tick_spread_share).toBe(1);
    expect(r.touch_depth_p50).toBe(0.005);
    expect(r.touch_life_mean_ms).toBeNull();
    expect(r.mid_volatility_bps_per_sqrt_s).toBe(0);
    // Signs + + - +: pairs (+,+), (+,-), (-,+) -> head mean 1/3, tail mean 1/3, mean product -1/3.
    expect(r.sign_autocorrelation.lag_1).toBeCloseTo((-1 / 3 - 1 / 9) / (1 - 1 / 9), 12);
    expect(r.sign_autocorrelation.lag_20).toBeNull();
  });
});
