import type { Micros } from '../../core/clock.ts';
import { US_PER_S } from '../../core/clock.ts';
import { nearestRankIndex } from '../../core/percentiles.ts';
import type { Side } from '../../core/types.ts';

/**
 * The streaming accumulators of the order-flow statistics in market-stats.ts (definitions in
 * docs/market-stats.md): prints merged into aggressive orders, counts per second, the autocorrelation of
 * order signs, and weighted quantiles. Times are virtual µs, quantities lots.
 */

export const SIGN_LAGS = [1, 5, 20] as const;

/**
 * Merges prints into aggressive orders: a print at the same instant and on the same aggressor side as the
 * one before belongs to the same order (one market order walking the book prints once per level).
 */
export class OrderGrouper {
  private side: Side | undefined = undefined;
  private at: Micros = -1;
  private qty = 0;

  constructor(private readonly onOrder: (at: Micros, side: Side, qty: number) => void) {}

  /** Returns true when the print starts a new order. */
  print(now: Micros, aggressor: Side, qty: number): boolean {
    if (this.side === aggressor && this.at === now) {
      this.qty += qty;
      return false;
    }
    this.flush();
    this.side = aggressor;
    this.at = now;
    this.qty = qty;
    return true;
  }

  flush(): void {
    if (this.side !== undefined) this.onOrder(this.at, this.side, this.qty);
    this.side = undefined;
  }
}

/** Variance over mean of event counts in consecutive bins [k·bin, (k+1)·bin); only whole bins count. */
export class CountDispersion {
  private bin = 0;
  private inBin = 0;
  private closed = 0;
  private sum = 0;
  private sumSq = 0;

  constructor(private readonly binUs: Micros = US_PER_S) {}

  add(now: Micros): void {
    const k = Math.floor(now / this.binUs);
    if (k > this.bin) this.closeTo(k);
    this.inBin++;
  }

  /** Bins until `endUs` (exclusive of a partial last one): count, mean and variance/mean. */
  finish(endUs: Micros): { bins: number; mean: number | null; dispersion: number | null } {
    const whole = Math.floor(endUs / this.binUs);
    if (whole > this.bin) this.closeTo(whole);
    const n = this.closed;
    if (n === 0) return { bins: 0, mean: null, dispersion: null };
    const mean = this.sum / n;
    const variance = Math.max(0, this.sumSq / n - mean * mean);
    return { bins: n, mean, dispersion: mean > 0 ? variance / mean : null };
  }

  /** Closes the current bin and the empty ones before bin `k`. */
  private closeTo(k: number): void {
    this.closed += k - this.bin;
    this.sum += this.inBin;
    this.sumSq += this.inBin * this.inBin;
    this.bin = k;
    this.inBin = 0;
  }
}

/**
 * The autocorrelation of a ±1 series at fixed lags: for lag k, the Pearson correlation of the pairs
 * (s_i, s_{i+k}), each member with its own mean. Sums of the head (first n−k) and tail (last n−k) come
 * from the running total less the first or last k values, so memory is the largest lag.
 */
export class SignAutocorrelation {
  private readonly maxLag: number;
  private readonly first: number[] = [];
  private readonly recent: number[];
  private n = 0;
  private total = 0;
  private readonly cross: number[];

  constructor(readonly lags: readonly number[] = SIGN_LAGS) {
    this.maxLag = Math.max(...lags);
    this.recent = new Array<number>(this.maxLag).fill(0);
    this.cross = lags.map(() => 0);
  }

  add(sign: 1 | -1): void {
    for (let j = 0; j < this.lags.length; j++) {
      const k = this.lags[j]!;
      if (this.n >= k) this.cross[j]! += sign * this.valueAt(this.n - k);
    }
    if (this.first.length < this.maxLag) this.first.push(sign);
    this.recent[this.n % this.maxLag] = sign;
    this.n++;
    this.total += sign;
  }

  /** Correlation at `lags[j]`; null with fewer than two pairs or a constant head or tail. */
  at(j: number): number | null {
    const k = this.lags[j]!;
    const pairs = this.n - k;
    if (pairs < 2) return null;
    let lastK = 0;
    for (let i = this.n - k; i < this.n; i++) lastK += this.valueAt(i);
    let firstK = 0;
    for (let i = 0; i < k; i++) firstK += this.first[i]!;
    const head = (this.total - lastK) / pairs;
    const tail = (this.total - firstK) / pairs;
    // Every s² is 1: the variances are 1 − mean².
    const varHead = 1 - head * head;
    const varTail = 1 - tail * tail;
    if (varHead <= 1e-15 || varTail <= 1e-15) return null;
    const cov = this.cross[j]! / pairs - head * tail;
    return cov / Math.sqrt(varHead * varTail);
  }

  /** The value added `index`-th (0-based), one of the last maxLag. */
  private valueAt(index: number): number {
    return this.recent[index % this.maxLag]!;
  }
}

const DENSE_LIMIT = 1 << 16;

/**
 * Nearest-rank quantiles (src/core/percentiles.ts) of weighted values: the q-quantile is the smallest
 * value v such that the weight at or below v is at least q of the total. With unit weights this is the
 * plain nearest-rank percentile. Values are kept as a histogram (distinct value -> weight).
 */
export class WeightedQuantiles {
  // Small whole values (lots at the touch, print sizes) by index in a typed array: adding to one costs
  // no hash lookup, and the top of book adds two on every change. Any other value goes in the map.
  private dense = new Float64Array(64);
  private readonly weights = new Map<number, number>();
  private total = 0;

  add(value: number, weight = 1): void {
    if (weight <= 0) return;
    if (value >= 0 && value < DENSE_LIMIT && Number.isInteger(value)) {
      if (value >= this.dense.length) this.growDense(value);
      this.dense[value]! += weight;
    } else {
      this.weights.set(value, (this.weights.get(value) ?? 0) + weight);
    }
    this.total += weight;
  }

  private growDense(value: number): void {
    let n = this.dense.length;
    while (n <= value) n *= 2;
    const dense = new Float64Array(Math.min(n, DENSE_LIMIT));
    dense.set(this.dense);
    this.dense = dense;
  }

  /** Every distinct value with its weight, by value. */
  private sorted(): [number, number][] {
    const entries = [...this.weights.entries()];
    const dense = this.dense;
    for (let v = 0; v < dense.length; v++) if (dense[v]! > 0) entries.push([v, dense[v]!]);
    return entries.sort((a, b) => a[0] - b[0]);
  }

  get count(): number {
    return this.total;
  }

  /** Quantiles at `qBp` (integer basis points), in the order given; null when empty. */
  quantiles(qBps: readonly number[]): (number | null)[] {
    if (this.total === 0) return qBps.map(() => null);
    const sorted = this.sorted();
    return qBps.map((q) => {
      if (Number.isInteger(this.total) && Number.isSafeInteger(this.total * 10_000)) {
        // Integer weights (counts, µs): the exact rank of percentiles.ts.
        const rank = nearestRankIndex(this.total, q) + 1;
        let cum = 0;
        for (const [v, w] of sorted) if ((cum += w) >= rank) return v;
      } else {
        let cum = 0;
        for (const [v, w] of sorted) if ((cum += w) * 10_000 >= q * this.total) return v;
      }
      return sorted[sorted.length - 1]![0];
    });
  }
}
