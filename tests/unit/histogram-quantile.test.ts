import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS_MS, RISK_RATIO_BUCKETS } from '../../src/core/bot-metrics.ts';
import { scenarioFiles } from '../support/run.ts';
import { sharedRun as runFile } from '../support/shared-runs.ts';

interface Bucket {
  le: number;
  count: number;
}

/** Cumulative buckets of one histogram series from the Prometheus text exposition. */
function buckets(prom: string, metric: string, labels: Record<string, string> = {}): Bucket[] {
  const out: Bucket[] = [];
  for (const line of prom.split('\n')) {
    const m = new RegExp(`^${metric}_bucket\\{(.*)\\} (\\S+)$`).exec(line);
    if (!m) continue;
    const lbl = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).some(([k, v]) => lbl[k] !== v)) continue;
    out.push({ le: lbl.le === '+Inf' ? Infinity : Number(lbl.le), count: Number(m[2]) });
  }
  return out.sort((a, b) => a.le - b.le);
}

/** Prometheus's histogram_quantile: linear interpolation inside the bucket where the rank q*total falls. */
function histogramQuantile(q: number, bs: Bucket[]): { value: number; lower: number; upper: number } {
  const total = bs[bs.length - 1]!.count;
  const rank = q * total;
  const i = bs.findIndex((b) => b.count >= rank);
  if (bs[i]!.le === Infinity) {
    // Prometheus returns the upper bound of the last finite bucket.
    const last = bs[bs.length - 2]!;
    return { value: last.le, lower: last.le, upper: Infinity };
  }
  const lower = i === 0 ? 0 : bs[i - 1]!.le;
  const below = i === 0 ? 0 : bs[i - 1]!.count;
  const upper = bs[i]!.le;
  const value = lower + (upper - lower) * ((rank - below) / (bs[i]!.count - below));
  return { value, lower, upper };
}

describe('Prometheus histograms agree with the exact percentiles', () => {
  for (const file of scenarioFiles()) {
    it(`${file}: for every op the bucket histogram_quantile(0.95) lands in contains the exact p95`, async () => {
      const { report, metricsText } = await runFile(file);
      for (const op of ['place', 'cancel', 'fill'] as const) {
        const bs = buckets(metricsText, 'mm_latency_ms', { op });
        expect(bs.map((b) => b.le)).toEqual([...LATENCY_BUCKETS_MS, Infinity]);
        expect(bs.at(-1)!.count).toBe(report.summary.latency_ms[op].count);
        const est = histogramQuantile(0.95, bs);
        const exact = report.summary.latency_ms[op].p95;
        expect(exact, `${op}: exact ${exact} vs estimate ${est.value}`).toBeGreaterThan(est.lower);
        expect(exact).toBeLessThanOrEqual(est.upper);
      }
      // The risk ratio too; a p95 above 1.0 lands in +Inf, where Prometheus can only say "1".
      const rs = buckets(metricsText, 'mm_risk_ratio');
      expect(rs.map((b) => b.le)).toEqual([...RISK_RATIO_BUCKETS, Infinity]);
      const est = histogramQuantile(0.95, rs);
      const exact = report.summary.risk_ratio_p95;
      expect(exact).toBeGreaterThan(est.lower);
      expect(exact).toBeLessThanOrEqual(est.upper);
    });
  }

  it('the interpolation matches a hand-computed example', () => {
    // 10 samples: 2 <= 5, 8 <= 10, 10 <= +Inf. rank 9.5 falls in the +Inf bucket -> 10 (last finite bound).
    expect(histogramQuantile(0.95, [{ le: 5, count: 2 }, { le: 10, count: 8 }, { le: Infinity, count: 10 }]).value).toBe(10);
    // rank 0.5 * 8 = 4 lies in (5, 10]: 5 + 5 * (4 - 2) / (8 - 2) = 6.666...
    expect(histogramQuantile(0.5, [{ le: 5, count: 2 }, { le: 10, count: 8 }, { le: Infinity, count: 8 }]).value).toBeCloseTo(6.6667, 4);
  });
});
