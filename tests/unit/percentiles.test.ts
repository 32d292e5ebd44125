import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nearestRankIndex, PercentileCollector, percentileOfSorted } from '../../src/core/percentiles.ts';

const QS = [0, 1, 5000, 9500, 9900, 10000] as const;

function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

function collect(values: readonly number[]): PercentileCollector {
  const c = new PercentileCollector();
  for (const v of values) c.record(v);
  return c;
}

describe('nearestRankIndex', () => {
  it('is exact where q*n is an integer (no floating-point off-by-one)', () => {
    expect(nearestRankIndex(20, 9500)).toBe(18);
    expect(nearestRankIndex(100, 9500)).toBe(94);
    expect(nearestRankIndex(100, 9900)).toBe(98);
    expect(nearestRankIndex(100, 5000)).toBe(49);
    expect(nearestRankIndex(10, 5000)).toBe(4);
    // 0.07 * 100 is 7.000000000000001 in floating point; ceil would give 8 - 1 = 7.
    expect(nearestRankIndex(100, 700)).toBe(6);
    expect(nearestRankIndex(1000, 9990)).toBe(998);
  });

  it('rounds up otherwise and clamps to the array', () => {
    expect(nearestRankIndex(0, 9500)).toBe(-1);
    expect(nearestRankIndex(1, 0)).toBe(0);
    expect(nearestRankIndex(1, 10000)).toBe(0);
    expect(nearestRankIndex(2, 5000)).toBe(0);
    expect(nearestRankIndex(2, 5001)).toBe(1);
    expect(nearestRankIndex(3, 9500)).toBe(2);
    expect(nearestRankIndex(10, 0)).toBe(0);
    expect(nearestRankIndex(10, 1)).toBe(0);
    expect(nearestRankIndex(10, 10000)).toBe(9);
  });

  it('agrees with the definition: the smallest rank with at least q of the samples at or below it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 10000 }), (n, q) => {
        const i = nearestRankIndex(n, q);
        // (i + 1) / n >= q / 10000, and i is the smallest such (or 0).
        expect((i + 1) * 10000).toBeGreaterThanOrEqual(q * n);
        if (i > 0) expect(i * 10000).toBeLessThan(q * n);
      }),
    );
  });

  it('rejects quantiles outside 0..10000 basis points', () => {
    const q = (got: string) => `quantile must be an integer number of basis points in 0..10000, got ${got}`;
    expect(() => nearestRankIndex(10, -1)).toThrow(q('-1'));
    expect(() => nearestRankIndex(10, 10001)).toThrow(q('10001'));
    expect(() => nearestRankIndex(10, 95.5)).toThrow(q('95.5'));
    expect(() => nearestRankIndex(10, Number.NaN)).toThrow(q('NaN'));
    expect(nearestRankIndex(10, 0)).toBe(0);
    expect(nearestRankIndex(10, 10000)).toBe(9);
    expect(() => nearestRankIndex(-1, 50)).toThrow('sample count must be a non-negative integer, got -1');
    expect(() => nearestRankIndex(2.5, 50)).toThrow('sample count must be a non-negative integer, got 2.5');
    expect(() => new PercentileCollector().quantile(10001)).toThrow(q('10001'));
  });

  it('refuses a rank it cannot compute exactly: q x n above 2^53', () => {
    const n = 2 ** 50; // a safe integer; 10000 x 2^50 is not
    expect(() => nearestRankIndex(n, 10000)).toThrow(`too many samples for an exact rank: ${n}`);
    expect(() => nearestRankIndex(n, 9500)).toThrow(`too many samples for an exact rank: ${n}`);
    // 8 x 2^50 = 2^53 is just above the largest safe integer too; 7 x 2^50 is exact.
    expect(() => nearestRankIndex(n, 8)).toThrow(`too many samples for an exact rank: ${n}`);
    expect(nearestRankIndex(n, 7)).toBe(Math.ceil((7 * n) / 10000) - 1);
    expect(nearestRankIndex(n, 1)).toBe(Math.ceil(n / 10000) - 1);
    // Exact multiples: rank q x n / 10000 exactly, no rounding up.
    expect(nearestRankIndex(20_000, 5000)).toBe(9999);
    expect(nearestRankIndex(20_001, 5000)).toBe(10_000);
  });
});

describe('percentileOfSorted', () => {
  it('returns 0 when empty and the nearest-rank sample otherwise', () => {
    expect(percentileOfSorted([], 9500)).toBe(0);
    const xs = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentileOfSorted(xs, 9500)).toBe(19);
    expect(percentileOfSorted(xs, 10000)).toBe(20);
    expect(percentileOfSorted(xs, 0)).toBe(1);
  });
});

describe('PercentileCollector', () => {
  it('is all zeros when empty', () => {
    const c = new PercentileCollector();
    expect(c.count).toBe(0);
    expect(c.quantile(9500)).toBe(0);
    expect(c.quantiles([0, 5000, 10000])).toEqual([0, 0, 0]);
    expect([c.p50(), c.p95(), c.p99(), c.min(), c.max(), c.sum(), c.mean()]).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('matches a full sort on random arrays with ties (property)', () => {
    const values = fc.oneof(
      fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 50 }),
      fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { maxLength: 200 }),
      fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 601, maxLength: 3000 }),
      fc.integer({ min: 0, max: 2000 }).chain((n) => fc.constant(Array.from({ length: n }, () => 7))),
    );
    fc.assert(
      fc.property(values, fc.constantFrom(...QS), (xs, q) => {
        const c = collect(xs);
        expect(c.quantile(q)).toBe(percentileOfSorted(sortedCopy(xs), q));
      }),
      { numRuns: 400 },
    );
  });

  it('handles sizes 0, 1 and 2 for every q', () => {
    for (const xs of [[], [3], [2, 1], [1, 1]]) {
      const s = sortedCopy(xs);
      const c = collect(xs);
      for (const q of QS) expect(c.quantile(q)).toBe(percentileOfSorted(s, q));
    }
  });

  it('handles large all-equal and few-valued inputs (exercises the sampling step)', () => {
    const equal = collect(Array.from({ length: 200_000 }, () => 1.5));
    expect(equal.quantiles([...QS])).toEqual(QS.map(() => 1.5));
    const xs = Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 3);
    const c = collect(xs);
    const s = sortedCopy(xs);
    for (const q of QS) expect(c.quantile(q)).toBe(percentileOfSorted(s, q));
    const wide = Array.from({ length: 50_000 }, (_, i) => (i * 104729) % 10_007);
    const qs = [9900, 100, 9500, 5000, 10000, 0, 2500];
    expect(collect(wide).quantiles(qs)).toEqual(qs.map((q) => percentileOfSorted(sortedCopy(wide), q)));
  });

  it('counts invalid samples and excludes them', () => {
    const c = new PercentileCollector();
    for (const v of [1, NaN, 2, -1, Infinity, -Infinity, 3, -0.001]) c.record(v);
    expect(c.count).toBe(3);
    expect(c.invalidCount).toBe(5);
    expect(c.p50()).toBe(2);
    expect(c.max()).toBe(3);
    expect(c.min()).toBe(1);
    expect(c.sum()).toBe(6);
    expect(c.mean()).toBe(2);
  });

  it('stays correct when recording after a query', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 40 }), { maxLength: 6 }),
        fc.constantFrom(...QS),
        (batches, q) => {
          const c = new PercentileCollector();
          const all: number[] = [];
          for (const batch of batches) {
            for (const v of batch) {
              c.record(v);
              all.push(v);
            }
            const s = sortedCopy(all);
            expect(c.quantile(q)).toBe(percentileOfSorted(s, q));
            expect(c.quantile(10000 - q)).toBe(percentileOfSorted(s, 10000 - q));
          }
        },
      ),
    );
  });

  it('grows past its initial capacity and keeps answering', () => {
    const c = new PercentileCollector();
    const all: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const v = (i * 104729) % 997;
      c.record(v);
      all.push(v);
      if (i % 1000 === 999) expect(c.p95()).toBe(percentileOfSorted(sortedCopy(all), 9500));
    }
    expect(c.count).toBe(5000);
    expect(c.p99()).toBe(percentileOfSorted(sortedCopy(all), 9900));
  });

  it('quantiles() agrees with quantile() in any order, with repeats', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 800 }),
        fc.array(fc.integer({ min: 0, max: 10000 }), { maxLength: 8 }),
        (xs, qs) => {
          const expected = qs.map((q) => collect(xs).quantile(q));
          expect(collect(xs).quantiles(qs)).toEqual(expected);
          const both = collect(xs);
          expect(both.quantiles([...qs, ...qs])).toEqual([...expected, ...expected]);
        },
      ),
    );
  });

  it('reset forgets samples and invalid counts', () => {
    const c = collect([5, 6, NaN]);
    expect(c.p50()).toBe(5);
    c.reset();
    expect(c.count).toBe(0);
    expect(c.invalidCount).toBe(0);
    expect(c.p50()).toBe(0);
    c.record(9);
    expect(c.p50()).toBe(9);
    expect(c.max()).toBe(9);
    expect(c.min()).toBe(9);
  });
});
