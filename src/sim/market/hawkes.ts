import type { RandomStream } from '../clock/rng.ts';

/** The Hawkes process's two kinds of arrival. */
export const MARKET = 0;
export const LIMIT = 1;

/**
 * Branching ratios `g[i][j]`: the expected number of kind-i arrivals one kind-j arrival triggers, flat
 * as [market<-market, market<-limit, limit<-market, limit<-limit].
 */
export type Branching = readonly [number, number, number, number];

/** Spectral radius of the 2x2 branching matrix: the process is stationary when it is below 1. */
export function spectralRadius(g: Branching): number {
  const [a, b, c, d] = g;
  const half = (a + d) / 2;
  const disc = ((a - d) / 2) ** 2 + b * c;
  // With non-negative entries the discriminant is non-negative (a Perron root exists).
  return half + Math.sqrt(Math.max(0, disc));
}

/**
 * Baseline intensities that give these stationary mean rates: the mean rates solve
 * λ̄ = μ + G λ̄, so μ = (I - G) λ̄. A component at or below 0 means the rates cannot be reached with
 * these branching ratios (the triggered arrivals alone exceed them).
 */
export function baselines(meanRates: readonly [number, number], g: Branching): [number, number] {
  const [lm, ll] = meanRates;
  return [(1 - g[0]) * lm - g[1] * ll, -g[2] * lm + (1 - g[3]) * ll];
}

/**
 * A two-dimensional, marked Hawkes process with one exponential kernel, `g[i][j] · β · e^(-β t)`,
 * simulated exactly (Dassios & Zhao's method for a common decay): the intensity of kind i is
 * `μ_i + x_i(t)` where the excitations `x_i` decay at the same rate β, so their sum decays as one
 * exponential and the next arrival's time is a closed-form draw, without thinning. An arrival is an
 * immigrant (kind in proportion to μ) or triggered (kind in proportion to x, whose ratios do not change
 * between arrivals). State is four numbers; nothing is allocated per event.
 */
export class Hawkes {
  /** Excitations at `t`. */
  private x0 = 0;
  private x1 = 0;
  private mu0 = 0;
  private mu1 = 0;
  /** Time of the state, in seconds (a float: microsecond rounding happens only when scheduling). */
  t = 0;
  /** Kind of the last arrival drawn by `next`. */
  kind = MARKET;
  private readonly jumps: readonly [number, number, number, number];

  constructor(
    private readonly g: Branching,
    private readonly beta: number,
    private readonly rng: RandomStream,
  ) {
    this.jumps = [g[0] * beta, g[1] * beta, g[2] * beta, g[3] * beta];
  }

  /** Sets the baseline intensities (per second); the excitations carry over (a phase change). */
  setBaselines(mu0: number, mu1: number): void {
    this.mu0 = mu0;
    this.mu1 = mu1;
  }

  /** Current total intensity at the state's time. */
  intensity(): number {
    return this.mu0 + this.mu1 + this.x0 + this.x1;
  }

  /**
   * The waiting time from `t` to the next arrival (Infinity when nothing can arrive); sets `kind`. Does
   * not move the state: call `advance` to the arrival (or to an earlier stopping time, then draw again,
   * which is exact because the intensity is deterministic between arrivals).
   */
  next(): number {
    const rng = this.rng;
    const mu = this.mu0 + this.mu1;
    const x = this.x0 + this.x1;
    const s1 = mu > 0 ? -Math.log(rng.uniformOpen()) / mu : Infinity;
    let s2 = Infinity;
    if (x > 0) {
      const d = 1 + (this.beta * Math.log(rng.uniformOpen())) / x;
      if (d > 0) s2 = -Math.log(d) / this.beta;
    }
    const u = rng.uniform();
    if (s1 <= s2) {
      this.kind = u * mu < this.mu0 ? MARKET : LIMIT;
      return s1;
    }
    this.kind = u * x < this.x0 ? MARKET : LIMIT;
    return s2;
  }

  /** Moves the state `dt` seconds on (the excitations decay). */
  advance(dt: number): void {
    const f = Math.exp(-this.beta * dt);
    this.x0 *= f;
    this.x1 *= f;
    this.t += dt;
  }

  /** An arrival of `kind` at the state's time: it excites both kinds. */
  arrive(kind: number): void {
    const j = this.jumps;
    if (kind === MARKET) {
      this.x0 += j[0];
      this.x1 += j[2];
    } else {
      this.x0 += j[1];
      this.x1 += j[3];
    }
  }

  get branching(): Branching {
    return this.g;
  }
}
