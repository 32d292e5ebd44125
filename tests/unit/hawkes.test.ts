import { describe, expect, it } from 'vitest';
import { hawkesDispersion } from '../../src/sim/market/calibration/calibrate.ts';
import { Hawkes, LIMIT, MARKET, baselines, spectralRadius } from '../../src/sim/market/hawkes.ts';
import type { Branching } from '../../src/sim/market/hawkes.ts';
import { RandomStream } from '../../src/sim/clock/rng.ts';
import { parseScenario } from '../../src/sim/scenario/load-scenario.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/run.ts';

/** Arrival times (s) of each kind over `seconds`, simulated by the class under test. */
function simulate(g: Branching, beta: number, rates: [number, number], seconds: number, seed = 'hawkes'): number[][] {
  const h = new Hawkes(g, beta, new RandomStream(seed, 'arrivals'));
  const [mu0, mu1] = baselines(rates, g);
  h.setBaselines(mu0, mu1);
  const times: number[][] = [[], []];
  for (;;) {
    const dt = h.next();
    if (h.t + dt >= seconds) break;
    h.advance(dt);
    h.arrive(h.kind);
    times[h.kind]!.push(h.t);
  }
  return times;
}

/** Variance / mean of the counts in consecutive windows of `w` seconds. */
function dispersion(times: readonly number[], w: number, seconds: number): number {
  const n = Math.floor(seconds / w);
  const counts = new Float64Array(n);
  for (const t of times) if (t < n * w) counts[Math.floor(t / w)]!++;
  const mean = counts.reduce((a, b) => a + b, 0) / n;
  const v = counts.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return v / mean;
}

describe('Hawkes process (exponential kernel, exact simulation)', () => {
  it('spectral radius and baselines: the stationary rates solve λ = μ + G λ', () => {
    expect(spectralRadius([0.5, 0, 0, 0.3])).toBeCloseTo(0.5, 12);
    // [[0.2, 0.3], [0.3, 0.2]] has eigenvalues 0.5 and -0.1.
    expect(spectralRadius([0.2, 0.3, 0.3, 0.2])).toBeCloseTo(0.5, 12);
    const g: Branching = [0.4, 0.1, 0.2, 0.3];
    const [m0, m1] = baselines([10, 20], g);
    expect(m0 + g[0] * 10 + g[1] * 20).toBeCloseTo(10, 12);
    expect(m1 + g[2] * 10 + g[3] * 20).toBeCloseTo(20, 12);
  });

  it('one kind: the mean rate is μ / (1 - n) and the count dispersion follows the closed form at every window', () => {
    const n = 0.6;
    const beta = 4;
    const seconds = 4000;
    const [market] = simulate([n, 0, 0, 0], beta, [10, 0], seconds);
    expect(market!.length / seconds).toBeGreaterThan(10 * 0.94);
    expect(market!.length / seconds).toBeLessThan(10 * 1.06);
    // For a stationary process the variance/mean of counts in Δ is κ² + (1 - κ²)(1 - e^(-γΔ))/(γΔ),
    // κ = 1/(1-n), γ = β(1-n): 1 for small windows (Poisson), κ² = 6.25 for long ones.
    for (const w of [0.1, 0.5, 1, 5]) {
      const want = hawkesDispersion(n, beta, w);
      const got = dispersion(market!, w, seconds);
      expect(got, `window ${w} s: closed form ${want}`).toBeGreaterThan(want * 0.85);
      expect(got, `window ${w} s: closed form ${want}`).toBeLessThan(want * 1.15);
    }
    // A Poisson process (n = 0) has dispersion 1: the test tells clustering from none.
    const [poisson] = simulate([0, 0, 0, 0], beta, [10, 0], seconds);
    expect(dispersion(poisson!, 5, seconds)).toBeLessThan(1.2);
  });

  it('is stationary below a spectral radius of 1: the rate of the last quarter is that of the first', () => {
    const g: Branching = [0.5, 0.1, 0.3, 0.4];
    expect(spectralRadius(g)).toBeLessThan(1);
    const seconds = 2000;
    const [m, l] = simulate(g, 10, [8, 16], seconds);
    const quarter = (ts: readonly number[], q: number) => ts.filter((t) => t >= (q * seconds) / 4 && t < ((q + 1) * seconds) / 4).length / (seconds / 4);
    for (const [ts, rate] of [[m!, 8], [l!, 16]] as const) {
      for (const q of [0, 3]) {
        expect(quarter(ts, q)).toBeGreaterThan(rate * 0.85);
        expect(quarter(ts, q)).toBeLessThan(rate * 1.15);
      }
    }
  });

  it('draws the same arrivals from the same seed and others from another', () => {
    const a = simulate([0.5, 0, 0, 0.2], 5, [5, 5], 100, 's1');
    expect(simulate([0.5, 0, 0, 0.2], 5, [5, 5], 100, 's1')).toEqual(a);
    expect(simulate([0.5, 0, 0, 0.2], 5, [5, 5], 100, 's2')).not.toEqual(a);
    expect(a[MARKET]!.length).toBeGreaterThan(0);
    expect(a[LIMIT]!.length).toBeGreaterThan(0);
  });

  it('the scenario refuses a non-stationary branching matrix, naming the field', () => {
    const calm = readFileSync(join(repoRoot, 'scenarios', 'calm.yaml'), 'utf8');
    const text = calm.replace(/market_market: 0\.86 .*\n/, 'market_market: 0.9\n    limit_market: 0.5\n    market_limit: 0.5\n');
    expect(text).not.toBe(calm);
    expect(() => parseScenario(text, 'hot.yaml')).toThrow(/market\.hawkes: the branching matrix's spectral radius is 1\.\d+: it must be below 1/);
  });
});
