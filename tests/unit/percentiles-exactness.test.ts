/**
 * Exactness of PercentileCollector beyond tests/unit/percentiles.test.ts (which checks quantile() against
 * a full sort on small random arrays with ties, sizes 0-2 and large all-equal inputs): here quantiles()
 * itself against a full sort on float data with ties on both sides of the selection's sampling threshold
 * (600), queries between records as the benchmark and the report use them, and the lazily folded
 * sum/min/max/mean against running values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PercentileCollector, percentileOfSorted } from '../../src/core/percentiles.ts';

const QUERIES = [[9500, 9900], [5000, 9500, 9900], [9900, 0, 10000, 5000, 9500, 1, 9999]] as const;

/** Deterministic lognormal-ish floats (xorshift32 + Box-Muller) with `levels` distinct values when levels > 0 (ties). */
function latencies(n: number, seed: number, levels: number): number[] {
  let x = seed | 0 || 1;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) + 1) / 4294967297;
  };
  return Array.from({ length: n }, () => {
    const v = 40 * Math.exp(0.5 * Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next()));
    return levels > 0 ? Math.min(levels, Math.round(v / 10)) * 10.25 : v;
  });
}

function reference(values: readonly number[], qs: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  return qs.map((q) => percentileOfSorted(sorted, q));
}

const dataset = fc.record({
  n: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 4, max: 700 }), fc.integer({ min: 550, max: 6000 })),
  seed: fc.integer(),
  levels: fc.constantFrom(0, 0, 1, 3, 12, 40),
});

describe('PercentileCollector.quantiles against a full sort', () => {
  it('sizes 0, 1 and 2 through quantiles()', () => {
    for (const xs of [[], [7.5], [2.25, 1.5], [3, 3], [0, 0]]) {
      const c = new PercentileCollector();
      for (const v of xs) c.record(v);
      for (const qs of QUERIES) expect(c.quantiles(qs)).toEqual(reference(xs, qs));
    }
  });

  it('float latencies with and without ties, small and past the sampling threshold (property)', () => {
    fc.assert(
      fc.property(dataset, fc.constantFrom(...QUERIES), ({ n, seed, levels }, qs) => {
        const xs = latencies(n, seed, levels);
        const c = new PercentileCollector();
        for (const v of xs) c.record(v);
        expect(c.quantiles(qs)).toEqual(reference(xs, qs));
      }),
      { numRuns: 150 },
    );
  });

  it('all-equal samples of every size around the sampling threshold', () => {
    for (const n of [599, 600, 601, 602, 1201, 4096]) {
      const c = new PercentileCollector();
      for (let i = 0; i < n; i++) c.record(42.125);
      for (const qs of QUERIES) expect(c.quantiles(qs)).toEqual(qs.map(() => 42.125));
    }
  });

  it('one record between queries on a large collector (how the benchmark and the report query it)', () => {
    const xs = latencies(5000, 12345, 25);
    const extra = latencies(40, 777, 0);
    const c = new PercentileCollector();
    for (const v of xs) c.record(v);
    const all = [...xs];
    for (const v of extra) {
      c.record(v);
      all.push(v);
      expect(c.quantiles([9500, 9900])).toEqual(reference(all, [9500, 9900]));
    }
  });
});

describe('PercentileCollector sum, min, max and mean', () => {
  it('equal running values whatever the order of records, queries, resets and invalid samples (property)', () => {
    const op = fc.oneof(
      { weight: 8, arbitrary: fc.double({ min: 0, max: 1e6, noNaN: true }).map((v) => ({ kind: 'record' as const, v })) },
      { weight: 1, arbitrary: fc.constantFrom(NaN, -1, Infinity).map((v) => ({ kind: 'record' as const, v })) },
      { weight: 2, arbitrary: fc.constant({ kind: 'stats' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'quantile' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const c = new PercentileCollector();
        let sum = 0;
        let min = Infinity;
        let max = -Infinity;
        let n = 0;
        const check = (): void => {
          expect(c.count).toBe(n);
          expect(c.sum()).toBe(sum);
          expect(c.min()).toBe(n === 0 ? 0 : min);
          expect(c.max()).toBe(n === 0 ? 0 : max);
          expect(c.mean()).toBe(n === 0 ? 0 : sum / n);
        };
        for (const o of ops) {
          if (o.kind === 'record') {
            c.record(o.v);
            if (o.v >= 0 && o.v < Infinity) {
              sum += o.v;
              if (o.v < min) min = o.v;
              if (o.v > max) max = o.v;
              n++;
            }
          } else if (o.kind === 'stats') {
            check();
          } else if (o.kind === 'quantile') {
            c.quantiles([5000, 9900]);
          } else {
            c.reset();
            sum = 0;
            min = Infinity;
            max = -Infinity;
            n = 0;
          }
        }
        check();
      }),
      { numRuns: 200 },
    );
  });
});
