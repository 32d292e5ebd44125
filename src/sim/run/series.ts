import type { Micros } from '../../core/clock.ts';

/** Time series for the report page: times in µs and values, the same length. */
export interface Points {
  readonly t: number[];
  readonly v: number[];
}

interface Bucket {
  /** floor(t / width) of the bucket's points. */
  key: number;
  firstT: number;
  first: number;
  minT: number;
  min: number;
  maxT: number;
  max: number;
  lastT: number;
  last: number;
}

/**
 * A bounded, deterministic downsampling of a time series that arrives in time order: points fall into
 * buckets of `width` µs; each bucket keeps its first, lowest, highest and last point. When there are more
 * than `maxBuckets` buckets, the width doubles and neighbouring buckets merge, so memory stays bounded
 * however long the run is, and the result depends only on the points (never on when they were asked for).
 * Every kept point is a real point of the series: nothing is averaged.
 */
export class DownsampledSeries {
  private readonly buckets: Bucket[] = [];
  private width: number;

  constructor(
    private readonly maxBuckets = 500,
    initialWidthUs: Micros = 100_000,
  ) {
    this.width = initialWidthUs;
  }

  add(t: Micros, v: number): void {
    const key = Math.floor(t / this.width);
    const b = this.buckets[this.buckets.length - 1];
    if (b !== undefined && b.key === key) {
      if (v < b.min) {
        b.min = v;
        b.minT = t;
      }
      if (v > b.max) {
        b.max = v;
        b.maxT = t;
      }
      b.last = v;
      b.lastT = t;
      return;
    }
    this.buckets.push({ key, firstT: t, first: v, minT: t, min: v, maxT: t, max: v, lastT: t, last: v });
    if (this.buckets.length > this.maxBuckets) this.coarsen();
  }

  get size(): number {
    return this.buckets.length;
  }

  /** The kept points in time order (at most four a bucket; a point kept for two reasons appears once). */
  points(): Points {
    const t: number[] = [];
    const v: number[] = [];
    for (const b of this.buckets) {
      const kept: [number, number, number][] = [
        [b.firstT, b.first, 0],
        [b.minT, b.min, 1],
        [b.maxT, b.max, 2],
        [b.lastT, b.last, 3],
      ];
      kept.sort((x, y) => x[0] - y[0] || x[2] - y[2]);
      let prevT = NaN;
      let prevV = NaN;
      for (const [pt, pv] of kept) {
        if (pt === prevT && pv === prevV) continue;
        t.push(pt);
        v.push(pv);
        prevT = pt;
        prevV = pv;
      }
    }
    return { t, v };
  }

  private coarsen(): void {
    this.width *= 2;
    const merged: Bucket[] = [];
    for (const b of this.buckets) {
      const key = Math.floor(b.key / 2);
      const m = merged[merged.length - 1];
      if (m === undefined || m.key !== key) {
        merged.push({ ...b, key });
        continue;
      }
      if (b.min < m.min) {
        m.min = b.min;
        m.minT = b.minT;
      }
      if (b.max > m.max) {
        m.max = b.max;
        m.maxT = b.maxT;
      }
      m.last = b.last;
      m.lastT = b.lastT;
    }
    this.buckets.splice(0, this.buckets.length, ...merged);
    // Sparse keys may not merge at all: keep doubling until the count is back under the bound.
    if (this.buckets.length > this.maxBuckets) this.coarsen();
  }
}

/**
 * Indices to keep of aligned series sharing the x values `xs` (ascending): `buckets` equal ranges of x,
 * each keeping its first and last index and the index of the lowest and highest value of every series.
 * Deterministic; at most `buckets * (2 + 2 * series)` indices. All indices when there are few enough.
 */
export function keepIndices(xs: readonly number[], series: readonly (readonly number[])[], buckets: number): number[] {
  const n = xs.length;
  if (n <= buckets * 2) return Array.from({ length: n }, (_, i) => i);
  const x0 = xs[0]!;
  const span = xs[n - 1]! - x0 || 1;
  const keep = new Set<number>();
  let start = 0;
  while (start < n) {
    const k = Math.min(buckets - 1, Math.floor(((xs[start]! - x0) / span) * buckets));
    let end = start;
    while (end + 1 < n && Math.min(buckets - 1, Math.floor(((xs[end + 1]! - x0) / span) * buckets)) === k) end++;
    keep.add(start);
    keep.add(end);
    for (const ys of series) {
      let lo = start;
      let hi = start;
      for (let i = start + 1; i <= end; i++) {
        if (ys[i]! < ys[lo]!) lo = i;
        if (ys[i]! > ys[hi]!) hi = i;
      }
      keep.add(lo);
      keep.add(hi);
    }
    start = end + 1;
  }
  return [...keep].sort((a, b) => a - b);
}
