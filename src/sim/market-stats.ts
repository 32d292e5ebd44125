import type { Micros } from '../core/clock.ts';
import { US_PER_S } from '../core/clock.ts';
import { nearestRankIndex } from '../core/percentiles.ts';
import type { Side } from '../core/types.ts';
import { decimalsOf } from './orders-csv.ts';

/**
 * Stylized facts of a market, computed as it runs from what the exchange sees: its prints and its market
 * view's top of book. Every accumulator here is streaming and deterministic; the definitions are in
 * docs/market-stats.md. Times are virtual µs, prices ticks, quantities lots (converted at the end).
 */

/** `report.json` `market.stats`; null where the run gives too little data for a statistic. */
export interface MarketStatsReport {
  /** Aggressive orders: consecutive prints at one instant on one aggressor side, merged. */
  readonly orders: number;
  /** Full seconds in the run (the denominator of the per-second counts). */
  readonly seconds: number;
  readonly orders_per_s: number | null;
  readonly count_dispersion: number | null;
  readonly sign_autocorrelation: { readonly lag_1: number | null; readonly lag_5: number | null; readonly lag_20: number | null };
  readonly size_p50: number | null;
  readonly size_p99: number | null;
  readonly size_p99_p50: number | null;
  readonly one_tick_spread_share: number | null;
  readonly touch_depth_p50: number | null;
  readonly mid_volatility_bps_per_sqrt_s: number | null;
  readonly touch_life_mean_ms: number | null;
}

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

/**
 * Nearest-rank quantiles (src/core/percentiles.ts) of weighted values: the q-quantile is the smallest
 * value v such that the weight at or below v is at least q of the total. With unit weights this is the
 * plain nearest-rank percentile. Values are kept as a histogram (distinct value -> weight).
 */
export class WeightedQuantiles {
  private readonly weights = new Map<number, number>();
  private total = 0;

  add(value: number, weight = 1): void {
    if (weight <= 0) return;
    this.weights.set(value, (this.weights.get(value) ?? 0) + weight);
    this.total += weight;
  }

  get count(): number {
    return this.total;
  }

  /** Quantiles at `qBp` (integer basis points), in the order given; null when empty. */
  quantiles(qBps: readonly number[]): (number | null)[] {
    if (this.total === 0) return qBps.map(() => null);
    const sorted = [...this.weights.entries()].sort((a, b) => a[0] - b[0]);
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

/** The top of the market view at an instant: best prices (ticks) and their quantities (lots). */
export interface Top {
  readonly bid: number | undefined;
  readonly bidQty: number;
  readonly ask: number | undefined;
  readonly askQty: number;
}

const EMPTY_TOP: Top = { bid: undefined, bidQty: 0, ask: undefined, askQty: 0 };

/**
 * Time-weighted facts of the top of book. The view may change several times at one instant; the state
 * of an instant is the last one there (what lasts), so earlier changes at the same instant last no time
 * and are not seen. Each state holds from its instant to the next state's.
 */
export class TopStats {
  private pending: Top | undefined = undefined;
  private pendingAt: Micros = 0;
  private state: Top = EMPTY_TOP;
  private since: Micros = 0;
  private twoSidedUs = 0;
  private oneTickUs = 0;
  private readonly depth = new WeightedQuantiles();
  private bidSince: Micros = 0;
  private askSince: Micros = 0;
  private lives = 0;
  private lifeUsSum = 0;
  private nextGrid = 0;
  private lastMid: number | undefined = undefined;
  private returns = 0;
  private sqSum = 0;

  constructor(private readonly gridUs: Micros = US_PER_S) {}

  /** The view after a change at `now` (non-decreasing). */
  onTop(now: Micros, top: Top): void {
    if (this.pending !== undefined && now > this.pendingAt) this.commit();
    this.pending = top;
    this.pendingAt = now;
  }

  finish(endUs: Micros): { oneTickShare: number | null; depthP50: number | null; volBpsPerSqrtS: number | null; lifeMeanUs: number | null } {
    if (this.pending !== undefined) this.commit();
    this.hold(endUs);
    this.sampleMids(endUs, true);
    return {
      oneTickShare: this.twoSidedUs > 0 ? this.oneTickUs / this.twoSidedUs : null,
      depthP50: this.depth.quantiles([5000])[0]!,
      volBpsPerSqrtS: this.returns > 0 ? 1e4 * Math.sqrt(this.sqSum / this.returns / (this.gridUs / US_PER_S)) : null,
      lifeMeanUs: this.lives > 0 ? this.lifeUsSum / this.lives : null,
    };
  }

  private commit(): void {
    const t = this.pendingAt;
    const next = this.pending!;
    this.pending = undefined;
    this.hold(t);
    this.sampleMids(t, false);
    const prev = this.state;
    if (next.bid !== prev.bid) {
      if (prev.bid !== undefined) this.life(t - this.bidSince);
      this.bidSince = t;
    }
    if (next.ask !== prev.ask) {
      if (prev.ask !== undefined) this.life(t - this.askSince);
      this.askSince = t;
    }
    this.state = next;
  }

  /** The current state held from `since` until `t`. */
  private hold(t: Micros): void {
    const dt = t - this.since;
    this.since = t;
    const s = this.state;
    if (dt <= 0 || s.bid === undefined || s.ask === undefined) return;
    this.twoSidedUs += dt;
    if (Math.abs(s.ask - s.bid - 1) < 1e-9) this.oneTickUs += dt;
    this.depth.add(s.bidQty, dt);
    this.depth.add(s.askQty, dt);
  }

  private life(us: Micros): void {
    this.lives++;
    this.lifeUsSum += us;
  }

  /** Samples the current state's mid at the grid points before `t` (and at `t` itself when `inclusive`). */
  private sampleMids(t: Micros, inclusive: boolean): void {
    const s = this.state;
    const mid = s.bid !== undefined && s.ask !== undefined && s.bid > 0 && s.ask > 0 ? (s.bid + s.ask) / 2 : undefined;
    while (inclusive ? this.nextGrid <= t : this.nextGrid < t) {
      if (mid !== undefined && this.lastMid !== undefined) {
        const r = Math.log(mid / this.lastMid);
        this.returns++;
        this.sqSum += r * r;
      }
      this.lastMid = mid;
      this.nextGrid += this.gridUs;
    }
  }
}

/** Every statistic of docs/market-stats.md, fed with the exchange's prints and market view. */
export class MarketStats {
  private readonly grouper: OrderGrouper;
  private readonly counts = new CountDispersion();
  private readonly signs = new SignAutocorrelation();
  private readonly sizes = new WeightedQuantiles();
  private readonly top = new TopStats();
  private orders = 0;

  /** `lotSize` converts quantities to the instrument's units in the report. */
  constructor(private readonly lotSize: number) {
    this.grouper = new OrderGrouper((_at, side, qty) => {
      this.signs.add(side === 'buy' ? 1 : -1);
      this.sizes.add(qty);
    });
  }

  onTrade(now: Micros, aggressor: Side, qtyLots: number): void {
    if (!this.grouper.print(now, aggressor, qtyLots)) return;
    this.orders++;
    this.counts.add(now);
  }

  onTop(now: Micros, top: Top): void {
    this.top.onTop(now, top);
  }

  finish(endUs: Micros): MarketStatsReport {
    this.grouper.flush();
    const c = this.counts.finish(endUs);
    const t = this.top.finish(endUs);
    const [p50, p99] = this.sizes.quantiles([5000, 9900]);
    // Lots times the step, rounded past float noise (0.001 * 7151 is 7.151000000000001).
    const digits = decimalsOf(this.lotSize) + 6;
    const units = (lots: number | null) => (lots === null ? null : Number((lots * this.lotSize).toFixed(digits)));
    return {
      orders: this.orders,
      seconds: c.bins,
      orders_per_s: c.mean,
      count_dispersion: c.dispersion,
      sign_autocorrelation: { lag_1: this.signs.at(0), lag_5: this.signs.at(1), lag_20: this.signs.at(2) },
      size_p50: units(p50!),
      size_p99: units(p99!),
      size_p99_p50: p50 !== null && p99 !== null && p50! > 0 ? p99! / p50! : null,
      one_tick_spread_share: t.oneTickShare,
      touch_depth_p50: units(t.depthP50),
      mid_volatility_bps_per_sqrt_s: t.volBpsPerSqrtS,
      touch_life_mean_ms: t.lifeMeanUs === null ? null : t.lifeMeanUs / 1000,
    };
  }
}
