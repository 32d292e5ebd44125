import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../src/core/errors.ts';
import { percentileOfSorted } from '../../src/core/percentiles.ts';
import { Channel, createChannels, createLatencyModel, normalCdf } from '../../src/sim/exchange/latency-model.ts';
import type { LatencyChannelsConfig, LatencyModel, LatencySpec } from '../../src/sim/exchange/latency-model.ts';
import { RandomStream } from '../../src/sim/clock/rng.ts';

const stream = (seed = 'latency-test') => new RandomStream(seed, 'latency');

function drawsOf(model: LatencyModel, n: number): number[] {
  return Array.from({ length: n }, (_, i) => model.sample(i * 1000));
}
const draws = (spec: LatencySpec, n: number, seed?: string) => drawsOf(createLatencyModel(spec, stream(seed)), n);

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sortedOf = (xs: readonly number[]) => Float64Array.from(xs).sort();
/** Exact nearest-rank quantile, q in basis points. */
const quantile = (xs: readonly number[], qBp: number) => percentileOfSorted(sortedOf(xs), qBp);

function lag1Autocorrelation(xs: readonly number[]): number {
  const m = mean(xs);
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    den += (xs[i]! - m) ** 2;
    if (i + 1 < xs.length) num += (xs[i]! - m) * (xs[i + 1]! - m);
  }
  return num / den;
}

const normalPdf = (z: number) => Math.exp(-(z * z) / 2) / Math.sqrt(2 * Math.PI);
/** Density of a lognormal with the given median and log-sigma at x. */
const lognormalPdf = (x: number, median: number, sigma: number) => normalPdf(Math.log(x / median) / sigma) / (x * sigma);
/** Asymptotic standard error of the sample p-quantile of n independent draws: sqrt(p(1-p)/n) / f(x_p). */
const quantileStandardError = (p: number, n: number, densityAtQuantile: number) => Math.sqrt((p * (1 - p)) / n) / densityAtQuantile;

const Z95 = 1.6448536;

describe('constant', () => {
  it('draws exactly the value, rounded to microseconds, without touching the stream', () => {
    const rng = stream();
    const model = createLatencyModel({ dist: 'constant', ms: 2.5004 }, rng);
    expect(drawsOf(model, 100)).toEqual(Array(100).fill(2500));
    expect(model.isZero).toBe(false);
    expect(rng.uniform()).toBe(stream().uniform());
  });

  it('is zero for 0 ms and below half a microsecond; a negative value draws 0, never less', () => {
    expect(createLatencyModel({ dist: 'constant', ms: 0 }, stream()).isZero).toBe(true);
    expect(createLatencyModel({ dist: 'constant', ms: 0.0004 }, stream()).isZero).toBe(true);
    expect(createLatencyModel({ dist: 'constant', ms: 0.0005 }, stream()).isZero).toBe(false);
    expect(createLatencyModel({ dist: 'constant', ms: -1 }, stream()).sample(0)).toBe(0);
  });
});

describe('uniform', () => {
  const n = 20_000;
  const xs = draws({ dist: 'uniform', min_ms: 2, max_ms: 10 }, n);

  it('stays inside [min, max] and reaches both ends', () => {
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...xs)).toBeLessThanOrEqual(10_000);
    // P(no draw in the lowest 0.1% of the range) = 0.999^20000 ~ 2e-9, same at the top.
    expect(Math.min(...xs)).toBeLessThan(2008);
    expect(Math.max(...xs)).toBeGreaterThan(9992);
  });

  it('has mean (min+max)/2 within 4 standard errors', () => {
    // SD of U(2000, 10000) is 8000/sqrt(12) ~ 2309 us; SE of the mean of 20,000 draws ~ 16 us.
    const se = 8000 / Math.sqrt(12 * n);
    expect(Math.abs(mean(xs) - 6000)).toBeLessThan(4 * se);
  });

  it('is zero only when max_ms rounds to zero', () => {
    expect(createLatencyModel({ dist: 'uniform', min_ms: 0, max_ms: 0 }, stream()).isZero).toBe(true);
    expect(createLatencyModel({ dist: 'uniform', min_ms: 0, max_ms: 0.01 }, stream()).isZero).toBe(false);
  });
});

describe('lognormal', () => {
  const n = 20_000;
  const median = 25_000;
  const sigma = 0.5;
  const xs = draws({ dist: 'lognormal', median_ms: 25, sigma }, n);

  it('has the median within 4 standard errors', () => {
    // f(median) = phi(0) / (median * sigma); SE = 0.5/sqrt(n)/f ~ 111 us for these parameters.
    const se = quantileStandardError(0.5, n, lognormalPdf(median, median, sigma));
    expect(Math.abs(quantile(xs, 5000) - median)).toBeLessThan(4 * se);
  });

  it('has the nearest-rank p95 at median * exp(1.6448536 * sigma) within 4 standard errors', () => {
    // x_95 = 25 ms * exp(0.8224) ~ 56.90 ms; f(x_95) = phi(1.645) / (x_95 * sigma) ~ 0.003625 per ms, so
    // SE = sqrt(0.95 * 0.05 / 20000) / f ~ 0.425 ms and the tolerance 4 SE ~ 1.70 ms (3%). Rounding to
    // whole microseconds moves the quantile by at most 0.5 us, negligible beside that.
    const expected = median * Math.exp(Z95 * sigma);
    const se = quantileStandardError(0.95, n, lognormalPdf(expected, median, sigma));
    const p95 = quantile(xs, 9500);
    expect(Math.abs(p95 - expected)).toBeLessThan(4 * se);
  });

  it('draws exactly what rng.lognormal draws, one per sample (reproducible with earlier versions)', () => {
    const rng = stream();
    const expected = Array.from({ length: 1000 }, () => Math.round(rng.lognormal(median, sigma)));
    expect(xs.slice(0, 1000)).toEqual(expected);
  });

  it('is zero only with a zero median', () => {
    expect(createLatencyModel({ dist: 'lognormal', median_ms: 0, sigma: 1 }, stream()).isZero).toBe(true);
    expect(createLatencyModel({ dist: 'lognormal', median_ms: 0.001, sigma: 1 }, stream()).isZero).toBe(false);
  });
});

describe('empirical', () => {
  const samples = [1, 2, 5, 10];
  const n = 20_000;

  it('draws only listed values, each about equally often', () => {
    const xs = draws({ dist: 'empirical', samples_ms: samples }, n);
    const counts = new Map<number, number>();
    for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([1000, 2000, 5000, 10_000]);
    // Each count is Binomial(20000, 1/4): mean 5000, SD sqrt(20000 * 0.25 * 0.75) ~ 61; allow 4 SD.
    const sd = Math.sqrt(n * 0.25 * 0.75);
    for (const c of counts.values()) expect(Math.abs(c - n / 4)).toBeLessThan(4 * sd);
  });

  it('is zero when every sample is zero', () => {
    expect(createLatencyModel({ dist: 'empirical', samples_ms: [0, 0] }, stream()).isZero).toBe(true);
    expect(createLatencyModel({ dist: 'empirical', samples_ms: [0, 0.2] }, stream()).isZero).toBe(false);
  });

  it('refuses an empty sample list', () => {
    expect(() => createLatencyModel({ dist: 'empirical', samples_ms: [] }, stream())).toThrow(InvariantError);
  });
});

describe('burst correlation', () => {
  // More draws than above: correlated draws carry less information. For an AR(1) z with coefficient
  // phi, any functions of z_t and z_t+k correlate by at most phi^k (Gebelein: the maximal correlation
  // of a bivariate normal is |rho|), so the variance of a sample mean or quantile is at most
  // (1+phi)/(1-phi) times the independent one: effective sample size >= n (1-phi)/(1+phi).
  const n = 100_000;
  const effectiveN = (phi: number) => (n * (1 - phi)) / (1 + phi);
  const median = 25_000;
  const sigma = 0.5;

  it('with phi 0.9, log draws have lag-1 autocorrelation 0.9 and the lognormal marginal is kept', () => {
    const phi = 0.9;
    const xs = draws({ dist: 'lognormal', median_ms: 25, sigma, burst: { phi } }, n);
    // Bartlett: the lag-1 sample autocorrelation of an AR(1) has SE ~ sqrt((1 - phi^2)/n) ~ 0.0014.
    expect(Math.abs(lag1Autocorrelation(xs.map(Math.log)) - phi)).toBeLessThan(4 * Math.sqrt((1 - phi * phi) / n));
    const nEff = effectiveN(phi);
    const p95 = median * Math.exp(Z95 * sigma);
    expect(Math.abs(quantile(xs, 5000) - median)).toBeLessThan(4 * quantileStandardError(0.5, nEff, lognormalPdf(median, median, sigma)));
    expect(Math.abs(quantile(xs, 9500) - p95)).toBeLessThan(4 * quantileStandardError(0.95, nEff, lognormalPdf(p95, median, sigma)));
  });

  it('with phi 0, draws are independent (and identical to the plain lognormal)', () => {
    const spec: LatencySpec = { dist: 'lognormal', median_ms: 25, sigma };
    const xs = draws({ ...spec, burst: { phi: 0 } }, n);
    // SE of the lag-1 autocorrelation of independent draws is 1/sqrt(n) ~ 0.0032.
    expect(Math.abs(lag1Autocorrelation(xs.map(Math.log)))).toBeLessThan(4 / Math.sqrt(n));
    expect(xs.slice(0, 1000)).toEqual(draws(spec, 1000));
  });

  it('keeps the uniform marginal and clusters large draws (Spearman rho of the copula)', () => {
    const phi = 0.9;
    const xs = draws({ dist: 'uniform', min_ms: 2, max_ms: 10, burst: { phi } }, n);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...xs)).toBeLessThanOrEqual(10_000);
    expect(Math.abs(mean(xs) - 6000)).toBeLessThan((4 * 8000) / Math.sqrt(12 * effectiveN(phi)));
    // Uniform margins of a Gaussian copula correlate by (6/pi) asin(phi/2) = 0.8915. Over 40 seeds the
    // estimate's SD was 0.0013; 4 sqrt((1 - rho^2)/n) ~ 0.0057 covers that four times over.
    const rho = (6 / Math.PI) * Math.asin(phi / 2);
    expect(Math.abs(lag1Autocorrelation(xs) - rho)).toBeLessThan(4 * Math.sqrt((1 - rho * rho) / n));
  });

  it('keeps the empirical marginal and repeats values far more often than by chance', () => {
    const phi = 0.9;
    const xs = draws({ dist: 'empirical', samples_ms: [1, 2, 5, 10], burst: { phi } }, n);
    const counts = new Map<number, number>();
    for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([1000, 2000, 5000, 10_000]);
    // A count is n times a sample mean of indicators: SD <= n sqrt(p(1-p) / n_eff) ~ 597 of 25,000.
    const sd = n * Math.sqrt((0.25 * 0.75) / effectiveN(phi));
    for (const c of counts.values()) expect(Math.abs(c - n / 4)).toBeLessThan(4 * sd);
    // Independent draws repeat the previous value 1/4 of the time; with phi 0.9 well over half the time.
    const repeats = xs.filter((x, i) => i > 0 && x === xs[i - 1]).length / (n - 1);
    expect(repeats).toBeGreaterThan(0.5);
  });

  it('leaves a constant alone', () => {
    const rng = stream();
    expect(drawsOf(createLatencyModel({ dist: 'constant', ms: 3, burst: { phi: 0.5 } }, rng), 5)).toEqual(Array(5).fill(3000));
    expect(rng.uniform()).toBe(stream().uniform());
  });

  it('refuses phi outside [0, 1)', () => {
    expect(() => createLatencyModel({ dist: 'lognormal', median_ms: 1, sigma: 1, burst: { phi: 1 } }, stream())).toThrow(InvariantError);
  });
});

describe('normalCdf', () => {
  // Reference values to full double precision; the approximation's relative error on the smaller
  // tail probability is below 1.2e-7.
  it.each([
    [0, 0.5],
    [1.6448536269514722, 0.95],
    [1.96, 0.9750021048517795],
    [-1.96, 0.024997895148220435],
    [3, 0.9986501019683699],
    [-5, 2.866515718791939e-7],
  ])('Phi(%s) = %s', (z, p) => {
    expect(Math.abs(normalCdf(z) - p)).toBeLessThanOrEqual(1.2e-7 * Math.min(p, 1 - p));
  });
});

describe('rate scaling', () => {
  it('multiplies a constant by exactly 1 + rate / reference', () => {
    let rate = 0;
    const seen: number[] = [];
    const model = createLatencyModel({ dist: 'constant', ms: 2, rate_scaling: { reference_rate_per_s: 1000 } }, stream(), (now) => {
      seen.push(now);
      return rate;
    });
    const at = (r: number, now: number) => ((rate = r), model.sample(now));
    expect([at(0, 10), at(500, 20), at(250, 30), at(1, 40), at(3000, 50)]).toEqual([2000, 3000, 2500, 2002, 8000]);
    expect(seen).toEqual([10, 20, 30, 40, 50]);
    expect(model.isZero).toBe(false);
  });

  it('scales a random draw without changing the draw sequence', () => {
    const spec: LatencySpec = { dist: 'lognormal', median_ms: 25, sigma: 0.5 };
    const plain = draws(spec, 500);
    const scaled = drawsOf(createLatencyModel({ ...spec, rate_scaling: { reference_rate_per_s: 200 } }, stream(), () => 100), 500);
    // Scaling happens before rounding, so the two roundings differ by at most one microsecond.
    scaled.forEach((x, i) => expect(Math.abs(x - plain[i]! * 1.5)).toBeLessThanOrEqual(1));
  });

  it('needs a message rate source', () => {
    expect(() => createLatencyModel({ dist: 'constant', ms: 1, rate_scaling: { reference_rate_per_s: 10 } }, stream())).toThrow(InvariantError);
  });
});

const constant = (ms: number): LatencySpec => ({ dist: 'constant', ms });
const zeroConfig: LatencyChannelsConfig = {
  entry: { ordering: 'fifo', default: constant(0) },
  response: { ordering: 'fifo', default: constant(0) },
  feed: { ordering: 'fifo', default: constant(0) },
};
const sameStream = (rng: RandomStream) => ({ entry: rng, response: rng, feed: rng });

describe('Channel', () => {
  const model = (ms: number) => createLatencyModel(constant(ms), stream());

  it('fifo: a message never arrives before the one sent before it', () => {
    const spec: LatencySpec = { dist: 'lognormal', median_ms: 25, sigma: 1 };
    const fifo = new Channel({ place: createLatencyModel(spec, stream()) }, 'fifo');
    const independent = new Channel({ place: createLatencyModel(spec, stream()) }, 'independent');
    const sent = Array.from({ length: 2000 }, (_, i) => i * 1000);
    const own = sent.map((t) => independent.deliveryTime(t, 'place'));
    const ordered = sent.map((t) => fifo.deliveryTime(t, 'place'));
    // Independent messages overtake each other; fifo holds each one back to the latest arrival so far.
    expect(own.some((t, i) => i > 0 && t < own[i - 1]!)).toBe(true);
    let latest = -Infinity;
    expect(ordered).toEqual(own.map((t) => (latest = Math.max(latest, t))));
  });

  it('independent: a fast cancel overtakes its slow order; fifo makes it wait', () => {
    const models = () => ({ place: model(10), cancel: model(1) });
    const fifo = new Channel(models(), 'fifo');
    expect([fifo.deliveryTime(0, 'place'), fifo.deliveryTime(100, 'cancel')]).toEqual([10_000, 10_000]);
    const rest = new Channel(models(), 'independent');
    expect([rest.deliveryTime(0, 'place'), rest.deliveryTime(100, 'cancel')]).toEqual([10_000, 1100]);
    expect(new Channel(models()).ordering).toBe('fifo');
  });

  it('multiplies the drawn latency by the factor', () => {
    const channel = new Channel({ place: model(2) }, 'independent');
    expect([1, 3, 0, 1.5].map((f) => channel.deliveryTime(1000, 'place', f))).toEqual([3000, 7000, 1000, 4000]);
    expect(() => channel.deliveryTime(0, 'place', -1)).toThrow(InvariantError);
  });

  it('refuses an operation it has no model for', () => {
    const channel: Channel = new Channel({ place: model(1) });
    expect(() => channel.deliveryTime(0, 'toString')).toThrow(InvariantError);
  });

  it('is zero only when every operation is', () => {
    expect(new Channel({ place: model(0), cancel: model(0) }).isZero).toBe(true);
    expect(new Channel({ place: model(0), cancel: model(1) }).isZero).toBe(false);
  });
});

describe('Channel: fifo is a connection (one path delay per send instant)', () => {
  const lognormal: LatencySpec = { dist: 'lognormal', median_ms: 15, sigma: 0.5 };

  it('constant latency: every message of a burst arrives at sent + latency, in order', () => {
    const channel = new Channel({ place: createLatencyModel(constant(7), stream()), cancel: createLatencyModel(constant(7), stream()) }, 'fifo');
    const burst = Array.from({ length: 12 }, (_, i) => channel.deliveryTime(5000, i % 3 === 0 ? 'cancel' : 'place'));
    expect(burst).toEqual(new Array(12).fill(12_000));
    expect(channel.deliveryTime(6000, 'place')).toBe(13_000);
  });

  it('a lognormal burst shares one draw: the first draw of the stream, not the largest of twelve', () => {
    const channel = new Channel({ place: createLatencyModel(lognormal, stream()) }, 'fifo');
    const independentDraws = drawsOf(createLatencyModel(lognormal, stream()), 12);
    const burst = Array.from({ length: 12 }, () => channel.deliveryTime(1000, 'place'));
    expect(burst).toEqual(new Array(12).fill(1000 + independentDraws[0]!));
    expect(Math.max(...independentDraws)).toBeGreaterThan(independentDraws[0]!); // the running max would differ
    // The next instant takes the stream's second draw.
    const next = channel.deliveryTime(2000, 'place');
    expect(next).toBe(Math.max(2000 + independentDraws[1]!, burst[0]!));
  });

  it('keeps order across instants: a later instant with a faster path waits (head-of-line), a slower one does not', () => {
    const draws = [40_000, 10_000, 50_000];
    let i = 0;
    const scripted: LatencyModel = { isZero: false, sample: () => draws[i++]!, parts: { draw: () => draws[i++]!, load: () => 1 } };
    const channel = new Channel({ place: scripted }, 'fifo');
    expect(channel.deliveryTime(0, 'place')).toBe(40_000);
    expect(channel.deliveryTime(0, 'place')).toBe(40_000); // same instant: no new draw
    expect(channel.deliveryTime(1000, 'place')).toBe(40_000); // 1000 + 10 ms would overtake: held back
    expect(channel.deliveryTime(2000, 'place')).toBe(52_000); // its own path, slower than the queue
    expect(i).toBe(3);
  });

  it('ops on one model share the instant draw; an override draws its own and still keeps order', () => {
    const rng = stream();
    const shared = createLatencyModel(lognormal, rng);
    const fast = createLatencyModel(constant(1), rng);
    const channel = new Channel({ place: shared, query: shared, cancel: fast }, 'fifo');
    const first = channel.deliveryTime(0, 'place');
    expect(channel.deliveryTime(0, 'query')).toBe(first);
    expect(channel.deliveryTime(0, 'cancel')).toBe(first); // 1 ms path, queued behind the place
    expect(first).toBe(drawsOf(createLatencyModel(lognormal, stream()), 1)[0]);
  });

  it('rate scaling and fault factors apply per message to the shared draw', () => {
    let rate = 0;
    const model = createLatencyModel({ dist: 'constant', ms: 10, rate_scaling: { reference_rate_per_s: 100 } }, stream(), () => rate);
    const channel = new Channel({ ack: model }, 'fifo');
    const a = channel.deliveryTime(0, 'ack');
    rate = 50; // the exchange handled more messages within the same instant: this one is slower
    const b = channel.deliveryTime(0, 'ack');
    const c = channel.deliveryTime(0, 'ack', 2);
    expect([a, b, c]).toEqual([10_000, 15_000, 30_000]);
    const random = new Channel({ ack: createLatencyModel(lognormal, stream()) }, 'fifo');
    const base = random.deliveryTime(0, 'ack');
    expect(random.deliveryTime(0, 'ack', 3)).toBe(Math.round(base * 3));
  });

  it('burst correlation steps once per instant, so successive instants stay correlated', () => {
    const spec: LatencySpec = { ...lognormal, burst: { phi: 0.9 } };
    const channel = new Channel({ place: createLatencyModel(spec, stream()) }, 'fifo');
    const perInstant: number[] = [];
    for (let k = 0; k < 4000; k++) {
      const sent = k * 1_000_000; // far apart: no head-of-line blocking
      const arrivals = [0, 1, 2].map(() => channel.deliveryTime(sent, 'place') - sent);
      expect(new Set(arrivals).size).toBe(1);
      perInstant.push(Math.log(arrivals[0]!));
    }
    expect(lag1Autocorrelation(perInstant)).toBeGreaterThan(0.85);
    expect(perInstant).toEqual(drawsOf(createLatencyModel(spec, stream()), 4000).map(Math.log));
  });

  it('a model without parts (a recorded latency) gives every message its own delay', () => {
    const recorded = [5000, 2000, 9000];
    let i = 0;
    const channel = new Channel({ book: { isZero: false, sample: () => recorded[i++]! } }, 'fifo');
    expect([0, 0, 0].map((t) => channel.deliveryTime(t, 'book'))).toEqual([5000, 5000, 9000]);
  });

  it('independent paths still draw per message', () => {
    const channel = new Channel({ place: createLatencyModel(lognormal, stream()) }, 'independent');
    const burst = Array.from({ length: 12 }, () => channel.deliveryTime(0, 'place'));
    expect(burst).toEqual(drawsOf(createLatencyModel(lognormal, stream()), 12));
  });
});

describe('createChannels', () => {
  it('uses per-op specs for their op and the default for the others', () => {
    const config: LatencyChannelsConfig = {
      entry: { ordering: 'independent', default: constant(5), cancel: constant(1) },
      response: { ordering: 'independent', default: constant(3), fill: constant(7), query: constant(4) },
      feed: { ordering: 'fifo', default: constant(2) },
    };
    const { entry, response, feed } = createChannels(config, sameStream(stream()));
    expect([entry.deliveryTime(0, 'place'), entry.deliveryTime(0, 'cancel'), entry.deliveryTime(0, 'query')]).toEqual([5000, 1000, 5000]);
    expect([response.deliveryTime(0, 'ack'), response.deliveryTime(0, 'fill'), response.deliveryTime(0, 'query')]).toEqual([3000, 7000, 4000]);
    expect(feed.deliveryTime(0, 'book')).toBe(2000);
    expect([entry.ordering, feed.ordering]).toEqual(['independent', 'fifo']);
  });

  it('ops on the default share one model: one draw sequence', () => {
    const spec: LatencySpec = { dist: 'lognormal', median_ms: 10, sigma: 0.7 };
    const config: LatencyChannelsConfig = { ...zeroConfig, entry: { ordering: 'independent', default: spec, cancel: constant(1) } };
    const { entry } = createChannels(config, sameStream(stream()));
    const got = Array.from({ length: 50 }, (_, i) => entry.deliveryTime(0, i % 2 === 0 ? 'place' : 'query'));
    expect(got).toEqual(draws(spec, 50));
  });

  it('reproduces the former single-spec ordered channels draw for draw', () => {
    const lognormal = (median_ms: number): LatencySpec => ({ dist: 'lognormal', median_ms, sigma: 0.6 });
    const config: LatencyChannelsConfig = {
      entry: { ordering: 'fifo', default: lognormal(4) },
      response: { ordering: 'fifo', default: lognormal(3) },
      feed: { ordering: 'fifo', default: constant(1) },
    };
    const channels = createChannels(config, sameStream(stream()));
    // The former code: one shared stream, Math.round(rng.lognormal(median_us, sigma)), FIFO per direction.
    const rng = stream();
    const former = (draw: () => number) => {
      let last = -Infinity;
      return (sentAt: number) => (last = Math.max(sentAt + draw(), last));
    };
    const old = {
      entry: former(() => Math.round(rng.lognormal(4000, 0.6))),
      response: former(() => Math.round(rng.lognormal(3000, 0.6))),
      feed: former(() => 1000),
    };
    for (let i = 0; i < 300; i++) {
      const t = i * 700;
      expect(channels.entry.deliveryTime(t, i % 3 === 0 ? 'cancel' : 'place')).toBe(old.entry(t));
      expect(channels.feed.deliveryTime(t, 'book')).toBe(old.feed(t));
      expect(channels.response.deliveryTime(t, i % 2 === 0 ? 'ack' : 'fill')).toBe(old.response(t));
    }
  });

  it('reports a network-free configuration as zero', () => {
    const channels = createChannels(zeroConfig, sameStream(stream()));
    expect([channels.entry.isZero, channels.response.isZero, channels.feed.isZero]).toEqual([true, true, true]);
  });
});
