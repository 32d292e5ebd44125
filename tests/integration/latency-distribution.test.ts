import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/sim/run/runner.ts';
import { parseScenario } from '../../src/sim/scenario/load-scenario.ts';
import { runText } from '../support/run.ts';

// Place latency is measured from send to ack: entry latency + response latency. With a lognormal entry
// on an `independent` path (each message its own draw) and a constant response, the place latencies are
// exactly 5 ms + independent lognormal draws.
const MEDIAN_MS = 20;
const SIGMA = 0.5;
const RESPONSE_MS = 5;
const scenario = `
name: lognormal-p95
seed: 12345
instrument: {symbol: BTCUSDT, tick_size: 1, lot_size: 0.001}
market:
  source: synthetic
  initial_mid: 60000
  levels: 20
  depth_lots: 2
  # Thin, spread-out liquidity: market orders sweep several ticks, so the mid moves about 1.5 bps/√s and
  # the bot requotes often (the test needs thousands of placements).
  market_orders: {rate_per_s: 16, size_lots: {median: 8, sigma: 1}}
  limit_orders: {rate_per_s: 45, size_lots: 2, depth_decay_ticks: 8, improve_prob: 0.9}
  cancel_rate_per_s: 1
  phases:
    - {name: main, duration: 5m}
exchange:
  latency:
    entry: {dist: lognormal, median_ms: ${MEDIAN_MS}, sigma: ${SIGMA}, ordering: independent}
    response: {dist: constant, ms: ${RESPONSE_MS}}
    feed: {dist: constant, ms: 1}
  fees: {maker_bps: -0.25, taker_bps: 4}
strategy: {levels: 2, spread_bps: 3, level_step_bps: 1, size_usd: 300, refresh: 1s, requote_threshold_bps: 0.5}
risk: {max_position_usd: 1000000, max_total_notional_usd: 1000000, freeze_cooldown: 1s}
`;

const Z95 = 1.6448536269514722;

/** Standard normal density. */
const phi = (z: number): number => Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);

describe('lognormal entry latency end to end', () => {
  it("the report's place-latency p95 matches the distribution's p95", async () => {
    const { report } = await runText(scenario);
    const place = report.summary.latency_ms.place;
    const n = place.count;
    // Thousands of samples, or the tolerance below means nothing.
    expect(n).toBeGreaterThan(3000);
    const entryP95 = MEDIAN_MS * Math.exp(SIGMA * Z95); // 45.52 ms
    const expected = entryP95 + RESPONSE_MS;
    // The sample p95 is asymptotically normal with standard error sqrt(p(1-p)/n) / f(x_p), f the
    // lognormal density at its p95: phi(z)/(x * sigma). For n ~ 5,000 that is ~0.7 ms; four standard
    // errors leave a false-alarm rate of 6e-5 for an unlucky seed, and still catch a sigma off by 5%
    // (p95 off by ~1.9 ms) or a median off by 5% (~2.3 ms).
    const density = phi(Z95) / (entryP95 * SIGMA);
    const se = Math.sqrt((0.95 * 0.05) / n) / density;
    expect(Math.abs(place.p95 - expected)).toBeLessThan(4 * se);
    // And the median, by the same argument (density at the median: phi(0)/(median * sigma)).
    const seMedian = Math.sqrt(0.25 / n) / (phi(0) / (MEDIAN_MS * SIGMA));
    expect(Math.abs(place.p50 - (MEDIAN_MS + RESPONSE_MS))).toBeLessThan(4 * seMedian);
  });
});

// On fifo paths a requote's orders share one entry draw and their acks one response draw (one path delay
// per send instant), so the place latency of a burst is one sample of entry + response, not the largest
// of a dozen draws. Its median is the median of the sum of two lognormals: 23.49 ms for 15 ms (sigma 0.4)
// + 8 ms (sigma 0.3), close to the medians' sum of 23 ms. The running maximum the channel used to take
// gave 40.4 ms here.
const ENTRY = { median: 15, sigma: 0.4 };
const RESPONSE = { median: 8, sigma: 0.3 };
const fifoScenario = scenario
  .replace(/entry: .*/, `entry: {dist: lognormal, median_ms: ${ENTRY.median}, sigma: ${ENTRY.sigma}}`)
  .replace(/response: .*/, `response: {dist: lognormal, median_ms: ${RESPONSE.median}, sigma: ${RESPONSE.sigma}}`)
  .replace('levels: 2,', 'levels: 4,')
  // A calmer market for twice as long: as many send instants, but fewer of them close enough together for
  // the fifo path to hold one behind another (which would add its own delay to the latencies measured).
  .replace('duration: 5m', 'duration: 10m')
  .replace('rate_per_s: 16,', 'rate_per_s: 3,')
  .replace('rate_per_s: 45,', 'rate_per_s: 9,');

const normalCdf = (z: number): number => {
  // Abramowitz-Stegun 7.1.26 (error below 1.5e-7): plenty for a tolerance of several tenths of a ms.
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
};

/** P(X + Y <= t) for independent lognormals X, Y (medians in ms), by quadrature over log X. */
function sumCdf(t: number): number {
  const steps = 4000;
  let p = 0;
  for (let i = 0; i < steps; i++) {
    const z = -8 + (16 * (i + 0.5)) / steps;
    const x = ENTRY.median * Math.exp(ENTRY.sigma * z);
    if (x >= t) continue;
    p += phi(z) * (16 / steps) * normalCdf(Math.log((t - x) / RESPONSE.median) / RESPONSE.sigma);
  }
  return p;
}

function sumMedian(): number {
  let lo = 0;
  let hi = 200;
  for (let k = 0; k < 50; k++) {
    const mid = (lo + hi) / 2;
    if (sumCdf(mid) < 0.5) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

describe('lognormal entry and response on fifo connections end to end', () => {
  it('the place-latency p50 is the median of entry + response, not inflated by bursts', async () => {
    const placeInstants = new Set<number>();
    let places = 0;
    const { report } = await runScenario(parseScenario(fifoScenario, 'inline.yaml'), {
      observer: {
        onRequest: (request, now) => {
          if (request.type !== 'place') return;
          places++;
          placeInstants.add(now);
        },
      },
    });
    const place = report.summary.latency_ms.place;
    // Requotes do go out in bursts, or this test would not test what it claims.
    expect(places / placeInstants.size).toBeGreaterThan(2);
    // A burst's samples share their draws: count the instants, not the samples, as independent.
    const n = placeInstants.size;
    expect(n).toBeGreaterThan(1000);
    const median = sumMedian();
    expect(median).toBeGreaterThan(ENTRY.median + RESPONSE.median);
    expect(median).toBeLessThan((ENTRY.median + RESPONSE.median) * 1.03);
    const h = 0.01;
    const density = (sumCdf(median + h) - sumCdf(median - h)) / (2 * h);
    const se = Math.sqrt(0.25 / n) / density;
    expect(Math.abs(place.p50 - median)).toBeLessThan(4 * se);
    // And the medians' sum itself, within 5%.
    expect(Math.abs(place.p50 - (ENTRY.median + RESPONSE.median))).toBeLessThan(0.05 * (ENTRY.median + RESPONSE.median));
  });
});
