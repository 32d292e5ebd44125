import { COUNT_WINDOWS_US } from './tape-facts.ts';

/** Variance/mean of counts in windows Δ for a stationary exponential-kernel Hawkes process. */
export function hawkesDispersion(n: number, beta: number, windowS: number): number {
  const k2 = 1 / (1 - n) ** 2;
  const g = beta * (1 - n) * windowS;
  return k2 + (1 - k2) * ((1 - Math.exp(-g)) / g);
}

/** Least squares in log dispersion over the windows; with `beta` given only n is fitted. */
export function fitHawkes(observed: readonly number[], beta?: number): { n: number; beta: number } {
  let best = { n: 0, beta: beta ?? 1, err: Infinity };
  const betas = beta !== undefined ? [beta] : Array.from({ length: 101 }, (_, i) => 0.01 * 10 ** (i / 20));
  for (const b of betas) {
    for (let i = 0; i <= 98; i++) {
      const n = i / 100;
      let err = 0;
      COUNT_WINDOWS_US.forEach((w, j) => {
        err += (Math.log(hawkesDispersion(n, b, w / 1e6)) - Math.log(Math.max(1, observed[j]!))) ** 2;
      });
      if (err < best.err) best = { n, beta: b, err };
    }
  }
  return { n: best.n, beta: best.beta };
}

/**
 * Maximum-likelihood fit of a Poisson rate `a + c k` of limit orders inside a spread k ticks wider than
 * one, from the time spent at each k and the orders seen there: the EM iteration for the superposition of
 * two Poisson flows (each order is split between them in proportion to their rates at its k).
 */
export function fitInsideRates(seconds: ReadonlyMap<number, number>, adds: ReadonlyMap<number, number>): { perS: number; perTickS: number } {
  let time = 0;
  let exposure = 0;
  let n = 0;
  for (const [k, t] of seconds) {
    time += t;
    exposure += k * t;
  }
  for (const [, c] of adds) n += c;
  if (!(time > 0) || n === 0) return { perS: 0, perTickS: 0 };
  let a = n / time / 2;
  let c = n / exposure / 2;
  for (let it = 0; it < 500; it++) {
    let na = 0;
    let nc = 0;
    for (const [k, m] of adds) {
      const share = a / (a + c * k);
      na += m * share;
      nc += m * (1 - share);
    }
    a = na / time;
    c = nc / exposure;
  }
  return { perS: a, perTickS: c };
}
