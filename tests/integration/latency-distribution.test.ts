import { describe, expect, it } from 'vitest';
import { runText } from '../support/run.ts';

// Place latency is measured from send to ack: entry latency + response latency. With a lognormal entry
// on an `independent` path (each message its own draw; on a fifo path a batch of orders sent together
// sees the running maximum, which is a different, heavier distribution) and a constant response, the
// place latencies are exactly 5 ms + independent lognormal draws.
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
  depth_lots: 20
  book_interval: 100ms
  trade_size_lots: {median: 4, sigma: 1}
  phases:
    - {name: main, duration: 5m, trade_rate_per_s: 4, volatility_bps_per_sqrt_s: 2}
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
