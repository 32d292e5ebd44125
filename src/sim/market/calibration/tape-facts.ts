/**
 * The stylized facts a calibration fits and checks, measured the same way on a recording and on the
 * generator's own output: prints (time, sign, size) and the top of the book sampled on a fixed grid.
 * Prices in ticks, sizes in lots, times in µs.
 */

/** Windows (µs) of the trade-count dispersion curve the Hawkes fit uses. */
export const COUNT_WINDOWS_US = [100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000] as const;
/** The top of the book is sampled this often (time-weighted shares and medians). */
const SAMPLE_US = 100_000;

export interface TapeFacts {
  readonly seconds: number;
  /** Taker orders (prints aggregated as `trade` says). */
  readonly prints: number;
  /** Variance/mean of print counts in windows of COUNT_WINDOWS_US, in that order (1 s is index 3). */
  readonly dispersion: readonly number[];
  readonly signAcf: { readonly lag1: number; readonly lag5: number; readonly lag20: number };
  readonly size: { readonly p25: number; readonly p50: number; readonly p75: number; readonly p95: number; readonly p99: number; readonly mean: number };
  /** Hill estimate of the size tail exponent over the largest 5 % of prints. */
  readonly tailExponent: number;
  readonly oneTickShare: number;
  readonly spreadMeanTicks: number;
  /** Median of the best bid's and best ask's quantities, sampled on the grid. */
  readonly touchDepthP50: number;
  /** Standard deviation of 1 s log returns of the mid, bps (per square-root second). */
  readonly volBpsPerSqrtS: number;
}

/** Nearest-rank quantile of a sorted array. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function variance(xs: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  const mean = xs.length > 0 ? s / xs.length : 0;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i]! - mean) ** 2;
  return { mean, variance: xs.length > 1 ? v / (xs.length - 1) : 0 };
}

/** Collects prints and book tops as they happen, then computes the facts. */
export class TapeRecorder {
  private readonly times: number[] = [];
  private readonly signs: number[] = [];
  private readonly sizes: number[] = [];
  private readonly spreads: number[] = [];
  private readonly depths: number[] = [];
  private readonly mids: number[] = [];
  private startUs: number | undefined;
  private lastUs = 0;
  private nextSampleUs = 0;
  private top: { bid: number; ask: number; bidQty: number; askQty: number } | undefined;

  /**
   * One print. Consecutive prints at the same exchange time on the same side are one taker order (a
   * market order walking the book, or one order meeting several makers): the facts count taker orders.
   */
  trade(tUs: number, sign: 1 | -1, qty: number): void {
    this.at(tUs);
    const n = this.times.length;
    if (n > 0 && this.times[n - 1] === tUs && this.signs[n - 1] === sign) {
      this.sizes[n - 1] = this.sizes[n - 1]! + qty;
      return;
    }
    this.times.push(tUs);
    this.signs.push(sign);
    this.sizes.push(qty);
  }

  /** The top of the book from `tUs` on (until the next call). */
  book(tUs: number, bid: number | undefined, ask: number | undefined, bidQty: number, askQty: number): void {
    this.at(tUs);
    this.top = bid === undefined || ask === undefined || bid >= ask ? undefined : { bid, ask, bidQty, askQty };
  }

  /** Samples the grid points up to `tUs` with the top as it was before `tUs`. */
  private at(tUs: number): void {
    if (this.startUs === undefined) {
      this.startUs = tUs;
      this.nextSampleUs = tUs;
    }
    for (; this.nextSampleUs < tUs; this.nextSampleUs += SAMPLE_US) {
      const t = this.top;
      if (!t) continue;
      this.spreads.push(t.ask - t.bid);
      this.depths.push(t.bidQty, t.askQty);
      this.mids.push((t.bid + t.ask) / 2);
    }
    this.lastUs = Math.max(this.lastUs, tUs);
  }

  facts(): TapeFacts {
    const t0 = this.startUs ?? 0;
    const seconds = (this.lastUs - t0) / 1e6;
    const dispersion = COUNT_WINDOWS_US.map((w) => {
      const n = Math.floor((this.lastUs - t0) / w);
      if (n < 2) return 1;
      const counts = new Float64Array(n);
      for (const t of this.times) {
        const i = Math.floor((t - t0) / w);
        if (i < n) counts[i]!++;
      }
      const { mean, variance: v } = variance(counts);
      return mean > 0 ? v / mean : 1;
    });
    const acf = (lag: number): number => {
      const s = this.signs;
      const { mean, variance: v } = variance(s);
      if (s.length <= lag || v === 0) return 0;
      let c = 0;
      for (let i = lag; i < s.length; i++) c += (s[i]! - mean) * (s[i - lag]! - mean);
      return c / (s.length - lag) / v;
    };
    const sizes = Float64Array.from(this.sizes).sort();
    const tail = sizes.subarray(Math.floor(sizes.length * 0.95));
    const xm = tail[0] ?? 1;
    let hill = 0;
    for (const x of tail) hill += Math.log(x / xm);
    const spreads = this.spreads;
    const oneTick = spreads.length > 0 ? spreads.filter((x) => Math.round(x) <= 1).length / spreads.length : 0;
    const mids = this.mids;
    const perS = 1e6 / SAMPLE_US;
    const rets: number[] = [];
    for (let i = perS; i < mids.length; i += perS) rets.push(Math.log(mids[i]! / mids[i - perS]!) * 1e4);
    return {
      seconds,
      prints: this.times.length,
      dispersion,
      signAcf: { lag1: acf(1), lag5: acf(5), lag20: acf(20) },
      size: {
        p25: quantile(sizes, 0.25),
        p50: quantile(sizes, 0.5),
        p75: quantile(sizes, 0.75),
        p95: quantile(sizes, 0.95),
        p99: quantile(sizes, 0.99),
        mean: variance(sizes).mean,
      },
      tailExponent: hill > 0 ? tail.length / hill : Infinity,
      oneTickShare: oneTick,
      spreadMeanTicks: variance(spreads).mean,
      touchDepthP50: quantile(Float64Array.from(this.depths).sort(), 0.5),
      volBpsPerSqrtS: Math.sqrt(variance(rets).variance),
    };
  }
}
