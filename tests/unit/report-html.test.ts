import { describe, expect, it } from 'vitest';
import { DownsampledSeries, keepIndices } from '../../src/sim/run/series.ts';
import { runFile } from '../support/run.ts';

describe('DownsampledSeries', () => {
  it('keeps every point of a short series', () => {
    const s = new DownsampledSeries(10, 1_000);
    [5, 3, 8].forEach((v, i) => s.add(i * 2_000, v));
    expect(s.points()).toEqual({ t: [0, 2_000, 4_000], v: [5, 3, 8] });
  });

  it('stays bounded, keeps the extremes and the last point, and is the same however it is fed', () => {
    const s = new DownsampledSeries(50, 1_000);
    const vs: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      const v = Math.sin(i / 700) * 100 + (i === 61_234 ? 1_000 : 0) - (i === 7_777 ? 1_000 : 0);
      vs.push(v);
      s.add(i * 1_000, v);
    }
    expect(s.size).toBeLessThanOrEqual(50);
    const p = s.points();
    expect(p.t.length).toBeLessThanOrEqual(200);
    expect(Math.max(...p.v)).toBe(Math.max(...vs));
    expect(Math.min(...p.v)).toBe(Math.min(...vs));
    expect(p.t[p.t.length - 1]).toBe(99_999 * 1_000);
    expect(p.v[p.v.length - 1]).toBe(vs[vs.length - 1]);
    // Times ascend and every kept point is a real one.
    p.t.forEach((t, i) => {
      if (i > 0) expect(t).toBeGreaterThan(p.t[i - 1]!);
      expect(p.v[i]).toBe(vs[t / 1_000]);
    });
  });
});

describe('keepIndices', () => {
  it('keeps all indices of a short series and each bucket’s ends and extremes of a long one', () => {
    expect(keepIndices([1, 2, 3], [[1, 2, 3]], 10)).toEqual([0, 1, 2]);
    const xs = Array.from({ length: 10_000 }, (_, i) => i);
    const ys = xs.map((x) => (x === 4_321 ? 99 : x % 7));
    const keep = keepIndices(xs, [ys], 100);
    expect(keep.length).toBeLessThanOrEqual(400);
    expect(keep).toContain(4_321);
    expect(keep[0]).toBe(0);
    expect(keep[keep.length - 1]).toBe(9_999);
  });
});

describe('report.html', () => {
  it('is deterministic, self-contained and carries the report’s own numbers', async () => {
    const a = await runFile('burst.yaml');
    const b = await runFile('burst.yaml');
    expect(a.reportHtml).toBe(b.reportHtml);
    const html = a.reportHtml;
    // No address to fetch from: no src/href attributes pointing anywhere, no @import, no url( in styles.
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).not.toContain('/work/');
    expect(html).toContain(a.report.execution.digest);
    const data = JSON.parse(/<script type="application\/json" id="chart-data">(.*?)<\/script>/s.exec(html)![1]!) as {
      id: string;
      x: number[];
      series: { label: string; values: (number | null)[] }[];
      markers?: { x: number }[];
    }[];
    const chart = (id: string) => data.find((c) => c.id === id)!;
    // The cumulative net ends at report.json's pnl.net_usd; inventory P&L at pnl.inventory_mtm_usd.
    const net = chart('pnl').series.find((s) => s.label === 'net')!.values;
    expect(net[net.length - 1]).toBeCloseTo(a.report.pnl.net_usd, 6);
    const inv = chart('position').series[1]!.values;
    expect(inv[inv.length - 1]).toBeCloseTo(a.report.pnl.inventory_mtm_usd, 6);
    // Latency markers are the report's percentiles; the histogram counts every sample.
    const place = a.report.summary.latency_ms.place;
    expect(chart('latency-place').markers!.map((m) => m.x)).toEqual([place.p50, place.p95, place.p99]);
    expect(chart('latency-place').series[0]!.values.reduce((s: number, v) => s + v!, 0)).toBe(place.count);
    // Markouts straight from the report; rejects by reason too.
    expect(chart('markouts').series[0]!.values).toEqual(a.report.pnl.markouts.map((m) => m.mean_bps));
    expect(chart('rejects').series[0]!.values).toEqual(Object.values(a.report.summary.rejects_by_reason));
    // Bounded series.
    for (const c of data) expect(c.x.length, c.id).toBeLessThanOrEqual(4_000);
    // The report.json bytes do not depend on whether the page was built.
    expect(a.reportJson).toBe(b.reportJson);
  });
});
