import { InvariantError } from './errors.ts';

/**
 * Exact nearest-rank percentiles: the q-quantile of n samples is the smallest sample such that at
 * least q of the samples are <= it, i.e. index ceil(q*n) - 1 of the sorted samples. q is given in
 * integer basis points (0..10000) so the rank is computed without floating-point error.
 */

const BP_SCALE = 10_000;
const INITIAL_CAPACITY = 1024;
/** Below this range size Floyd–Rivest just partitions; above it, it first narrows on a sample. */
const SAMPLE_THRESHOLD = 600;

function requireBasisPoints(qBp: number): void {
  if (!Number.isInteger(qBp) || qBp < 0 || qBp > BP_SCALE) {
    throw new InvariantError(`quantile must be an integer number of basis points in 0..10000, got ${qBp}`);
  }
}

/** Index of the nearest-rank qBp quantile in n sorted samples: ceil(qBp*n/10000) - 1, clamped; -1 when n = 0. */
export function nearestRankIndex(n: number, qBp: number): number {
  requireBasisPoints(qBp);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvariantError(`sample count must be a non-negative integer, got ${n}`);
  if (n === 0) return -1;
  const scaled = qBp * n;
  if (!Number.isSafeInteger(scaled)) throw new InvariantError(`too many samples for an exact rank: ${n}`);
  const rem = scaled % BP_SCALE;
  const floor = (scaled - rem) / BP_SCALE; // exact: scaled - rem is a multiple of 10000
  const ceil = rem === 0 ? floor : floor + 1;
  return Math.min(Math.max(ceil - 1, 0), n - 1);
}

/** Reference implementation over already sorted samples (0 when empty). */
export function percentileOfSorted(sorted: ArrayLike<number>, qBp: number): number {
  const i = nearestRankIndex(sorted.length, qBp);
  return i < 0 ? 0 : sorted[i]!;
}

/**
 * Floyd & Rivest's SELECT (CACM 1975, algorithm 489): reorder a[left..right] so that a[k] is the
 * value it would have if sorted, with a[left..k) <= a[k] <= a(k..right]. Deterministic (no random
 * pivot); both partition scans stop on elements equal to the pivot, so runs of ties split evenly
 * instead of going quadratic.
 */
function select(a: Float64Array, k: number, left: number, right: number): void {
  while (right > left) {
    if (right - left > SAMPLE_THRESHOLD) {
      // Recurse on a sample around k so the pivot below lands very close to rank k.
      const n = right - left + 1;
      const m = k - left + 1;
      const z = Math.log(n);
      const s = 0.5 * Math.exp((2 * z) / 3);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (m - n / 2 < 0 ? -1 : 1);
      const newLeft = Math.max(left, Math.floor(k - (m * s) / n + sd));
      const newRight = Math.min(right, Math.floor(k + ((n - m) * s) / n + sd));
      select(a, k, newLeft, newRight);
    }
    const t = a[k]!;
    let i = left;
    let j = right;
    swap(a, left, k);
    if (a[right]! > t) swap(a, left, right);
    while (i < j) {
      swap(a, i, j);
      i++;
      j--;
      while (a[i]! < t) i++;
      while (a[j]! > t) j--;
    }
    if (a[left] === t) {
      swap(a, left, j);
    } else {
      j++;
      swap(a, j, right);
    }
    if (j <= k) left = j + 1;
    if (k <= j) right = j - 1;
  }
}

/**
 * Select every rank in ranks[from..to) (sorted, distinct, all within [left, right]). The rank closest
 * to the middle goes first so the parts left for the others are as small as possible: for p95 and
 * p99, p99 is then selected among the top 5% only, where largest-first would scan 99% twice.
 */
function selectRanks(a: Float64Array, ranks: readonly number[], from: number, to: number, left: number, right: number): void {
  if (from >= to) return;
  const centre = (left + right) / 2;
  let best = from;
  for (let i = from + 1; i < to; i++) {
    if (Math.abs(ranks[i]! - centre) < Math.abs(ranks[best]! - centre)) best = i;
  }
  const k = ranks[best]!;
  select(a, k, left, right);
  selectRanks(a, ranks, from, best, left, k - 1);
  selectRanks(a, ranks, best + 1, to, k + 1, right);
}

function swap(a: Float64Array, i: number, j: number): void {
  const x = a[i]!;
  a[i] = a[j]!;
  a[j] = x;
}

/**
 * Collects non-negative samples (8 bytes each, no allocation per record) and answers exact
 * nearest-rank quantiles by selection in place: no second copy of the samples. `record` only stores;
 * the sum, min and max are folded over the samples recorded since the last fold, in recorded order, so
 * they are the same numbers as a running total. A query folds first and only then reorders, so the
 * samples it permutes are already accounted for, and selection leaves the array better partitioned for
 * the next query.
 */
export class PercentileCollector {
  private data = new Float64Array(INITIAL_CAPACITY);
  private n = 0;
  private invalid = 0;
  /** data[0..folded) is accounted for in total, lo and hi. */
  private folded = 0;
  private total = 0;
  private lo = Infinity;
  private hi = -Infinity;

  /** Store a sample; NaN, infinite or negative values are counted as invalid and not stored. */
  record(v: number): void {
    if (!(v >= 0 && v < Infinity)) {
      this.invalid++;
      return;
    }
    if (this.n === this.data.length) this.grow();
    this.data[this.n++] = v;
  }

  get count(): number {
    return this.n;
  }

  /** Samples rejected by `record` (simulator bugs to report). */
  get invalidCount(): number {
    return this.invalid;
  }

  quantile(qBp: number): number {
    const k = nearestRankIndex(this.n, qBp);
    if (k < 0) return 0;
    const a = this.selectable();
    select(a, k, 0, this.n - 1);
    return a[k]!;
  }

  /**
   * Several quantiles at once. Each selection splits the samples into a part below and a part above
   * the selected rank, so the remaining ranks are selected only within their part.
   */
  quantiles(qBps: readonly number[]): number[] {
    const ranks = qBps.map((q) => nearestRankIndex(this.n, q));
    if (this.n === 0) return ranks.map(() => 0);
    const a = this.selectable();
    const distinct = [...new Set(ranks)].sort((x, y) => x - y);
    selectRanks(a, distinct, 0, distinct.length, 0, this.n - 1);
    return ranks.map((k) => a[k]!);
  }

  p50(): number {
    return this.quantile(5000);
  }

  p95(): number {
    return this.quantile(9500);
  }

  p99(): number {
    return this.quantile(9900);
  }

  min(): number {
    this.fold();
    return this.n === 0 ? 0 : this.lo;
  }

  max(): number {
    this.fold();
    return this.n === 0 ? 0 : this.hi;
  }

  sum(): number {
    this.fold();
    return this.total;
  }

  mean(): number {
    this.fold();
    return this.n === 0 ? 0 : this.total / this.n;
  }

  /** A copy of the stored samples, in no particular order (queries reorder them): for histograms. */
  samples(): Float64Array {
    return this.data.slice(0, this.n);
  }

  /** Forget every sample and the invalid count; buffers are kept for reuse. */
  reset(): void {
    this.n = 0;
    this.invalid = 0;
    this.folded = 0;
    this.total = 0;
    this.lo = Infinity;
    this.hi = -Infinity;
  }

  /**
   * Account for the samples recorded since the last fold, in recorded order (only already folded
   * samples are ever reordered), so the floating-point sum is the running total's to the bit.
   */
  private fold(): void {
    const d = this.data;
    let total = this.total;
    let lo = this.lo;
    let hi = this.hi;
    for (let i = this.folded; i < this.n; i++) {
      const v = d[i]!;
      total += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.total = total;
    this.lo = lo;
    this.hi = hi;
    this.folded = this.n;
  }

  /**
   * A permutation of the samples to select in. Reused as is when nothing was recorded since the last
   * query (earlier selections only leave it better partitioned).
   */
  /** The samples, folded, ready to be reordered by selection. */
  private selectable(): Float64Array {
    this.fold();
    return this.data;
  }

  private grow(): void {
    const next = new Float64Array(this.data.length * 2);
    next.set(this.data);
    this.data = next;
  }
}
