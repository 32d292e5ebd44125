// SWEEP_REPORT.html's heatmap on a hand-made summary: cells hold the summary's numbers, colours follow the sign.
import { describe, expect, it } from 'vitest';
import { cellColor, heatmapHtml, sweepHeatmaps, sweepHtml } from '../../src/sim/sweep/sweep-html.ts';
import { spread } from '../../src/sim/sweep/sweep-summary.ts';
import type { PointSummary, SweepSummary } from '../../src/sim/sweep/sweep-summary.ts';

const none = spread([]);

function point(n: number, set: Record<string, string>, net: number[], failed = 0): PointSummary {
  const s = spread(net);
  return { point: n, set, runs: net.length + failed, failed, expectations_failed: 0, net_bps: s, gross_bps: s, adverse_bps: none, fees_bps: none, maker_fill_rate: none, fills: none, risk_ratio_p95: none, total_usd: none };
}

function summary(axes: { path: string; values: string[] }[], points: PointSummary[]): SweepSummary {
  const ranked = [...points].sort((a, b) => (b.net_bps.mean ?? -Infinity) - (a.net_bps.mean ?? -Infinity));
  return {
    schema: 'mmsim/sweep-summary@1',
    scenario: 'hand',
    scenario_text_sha256: 'ab'.repeat(32),
    set: axes,
    seeds: 2,
    base_seed: 1,
    runs: points.reduce((n, p) => n + p.runs, 0),
    mmsim_version: '0.0.0',
    runs_failed: points.reduce((n, p) => n + p.failed, 0),
    ranked_by: 'net_bps mean across seeds (higher first)',
    points,
    ranking: ranked.map((p, i) => ({ rank: i + 1, point: p.point, set: p.set, net_bps_mean: p.net_bps.mean, net_bps_ci95: p.net_bps.ci95, runs_ok: p.runs - p.failed })),
  };
}

const rgb = (c: string): number[] => c.match(/\d+/g)!.map(Number);

describe('SWEEP_REPORT.html heatmap', () => {
  it('two axes: rows the first, columns the second; cells carry the mean, sd and interval; colour by sign', () => {
    const s = summary(
      [
        { path: 'a', values: ['1', '2'] },
        { path: 'b', values: ['x', 'y'] },
      ],
      // Point 4 (a=2, b=y) is left out of the summary; point 3 has only failed runs.
      [point(1, { a: '1', b: 'x' }, [2, 4]), point(2, { a: '1', b: 'y' }, [-1, -3]), point(3, { a: '2', b: 'x' }, [], 2)],
    );
    const [h, ...more] = sweepHeatmaps(s);
    expect(more).toEqual([]);
    expect(h!.rowAxis).toBe('a');
    expect(h!.colAxis).toBe('b');
    expect(h!.rows).toEqual(['1', '2']);
    expect(h!.cols).toEqual(['x', 'y']);
    const [[pos, neg], [failed, missing]] = h!.cells as [[never, never], [never, never]];
    const c = (x: { mean: number | null; color: string; point: PointSummary | undefined }) => x;
    expect(c(pos).mean).toBe(3);
    expect(c(pos).point!.net_bps.sd).toBe(s.points[0]!.net_bps.sd);
    expect(c(neg).mean).toBe(-2);
    // The largest |mean| (3) is the full colour; positive is green, negative red.
    expect(c(pos).color).toBe('rgb(46,157,91)');
    const [r, g] = rgb(c(neg).color);
    expect(r).toBeGreaterThan(g!);
    expect(c(neg).color).not.toBe('rgb(214,69,69)');
    expect(c(failed).mean).toBeNull();
    expect(c(failed).point!.point).toBe(3);
    expect(c(missing).point).toBeUndefined();
    expect(c(failed).color).toBe(c(missing).color);
    const html = heatmapHtml(h!);
    expect(html).toContain('<b>3.000</b>');
    expect(html).toContain(`sd ${s.points[0]!.net_bps.sd!.toFixed(3)}`);
    expect(html).toContain(`95% [${s.points[0]!.net_bps.ci95![0].toFixed(3)}, ${s.points[0]!.net_bps.ci95![1].toFixed(3)}]`);
    expect(html).toContain('0/2 runs ok');
    expect(html).toContain('no point');
  });

  it('cellColor: white at 0, green above, red below, grey without a mean', () => {
    expect(cellColor(0, 5)).toBe('rgb(255,255,255)');
    const [pr, pg] = rgb(cellColor(1, 5));
    expect(pg).toBeGreaterThan(pr!);
    const [nr, ng] = rgb(cellColor(-1, 5));
    expect(nr).toBeGreaterThan(ng!);
    expect(cellColor(-10, 5)).toBe('rgb(214,69,69)');
    expect(cellColor(null, 5)).toBe('#e4e6eb');
  });

  it('one axis is a single row; a third axis gives one heatmap per value', () => {
    const one = sweepHeatmaps(summary([{ path: 'a', values: ['1', '2', '3'] }], [point(1, { a: '1' }, [1]), point(2, { a: '2' }, [2]), point(3, { a: '3' }, [-1])]));
    expect(one).toHaveLength(1);
    expect(one[0]!.rows).toEqual(['']);
    expect(one[0]!.cols).toEqual(['1', '2', '3']);
    expect(one[0]!.cells[0]!.map((c) => c.mean)).toEqual([1, 2, -1]);
    const axes = [
      { path: 'a', values: ['1'] },
      { path: 'b', values: ['x'] },
      { path: 'c', values: ['p', 'q'] },
    ];
    const three = sweepHeatmaps(summary(axes, [point(1, { a: '1', b: 'x', c: 'p' }, [5]), point(2, { a: '1', b: 'x', c: 'q' }, [-5])]));
    expect(three.map((h) => h.title)).toEqual(['c = p', 'c = q']);
    expect(three.map((h) => h.cells[0]![0]!.mean)).toEqual([5, -5]);
  });

  it('the page: the ranking table in rank order, escaped values, the same bytes twice', () => {
    const s = summary([{ path: 'strategy.name', values: ['<b>', 'ok'] }], [point(1, { 'strategy.name': '<b>' }, [1, 2]), point(2, { 'strategy.name': 'ok' }, [3, 4])]);
    const html = sweepHtml(s);
    expect(html).toBe(sweepHtml(s));
    expect(html).not.toContain('<th><b></th>');
    expect(html).toContain('&lt;b&gt;');
    const ranking = html.slice(html.indexOf('<h2>Ranking</h2>'));
    expect(ranking.indexOf('<td>ok</td>')).toBeLessThan(ranking.indexOf('<td>&lt;b&gt;</td>'));
  });
});
