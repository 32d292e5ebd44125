// The pieces of a soak that need no process: file names, seeds, and the summary's P&L identity.
import { describe, expect, it } from 'vitest';
import { iterationSeed } from '../../src/sim/soak/iteration-seed.ts';
import { buildIterSummary, iterFileName, looksLikeIterFile, parseIterFileName } from '../../src/sim/soak/iter-summary.ts';
import { percentileOfSorted } from '../../src/core/percentiles.ts';
import { runFile } from '../support/run.ts';

describe('ITER_SUMMARY_<N>.json names', () => {
  it('parses the iteration number, leading zeros included, and nothing else', () => {
    expect(parseIterFileName('ITER_SUMMARY_1.json')).toBe(1);
    expect(parseIterFileName('ITER_SUMMARY_07.json')).toBe(7);
    expect(parseIterFileName('ITER_SUMMARY_120.json')).toBe(120);
    for (const bad of ['ITER_SUMMARY_.json', 'ITER_SUMMARY_-1.json', 'ITER_SUMMARY_1.5.json', 'ITER_SUMMARY_1.JSON', 'iter_summary_1.json', 'ITER_SUMMARY_1.json.bak', ' ITER_SUMMARY_1.json', 'ITER_SUMMARY_1234567890123456.json']) {
      expect(parseIterFileName(bad), bad).toBeUndefined();
    }
    expect(iterFileName(12)).toBe('ITER_SUMMARY_12.json');
    expect(looksLikeIterFile('iter_summary_2.json')).toBe(true);
    expect(looksLikeIterFile('ITER_SUMMARY_2.json')).toBe(false);
    expect(looksLikeIterFile('notes.txt')).toBe(false);
  });

  it('sorts numerically where a lexicographic sort would not (the original bot\'s bug)', () => {
    const names = ['ITER_SUMMARY_1.json', 'ITER_SUMMARY_10.json', 'ITER_SUMMARY_11.json', 'ITER_SUMMARY_2.json', 'ITER_SUMMARY_20.json', 'ITER_SUMMARY_3.json'];
    expect([...names].sort()).toEqual(names); // lexicographic: 1, 10, 11, 2, 20, 3
    expect(names.map((n) => parseIterFileName(n)!).sort((a, b) => a - b)).toEqual([1, 2, 3, 10, 11, 20]);
  });
});

describe('iterationSeed', () => {
  it('depends only on the soak seed and the iteration, and differs between iterations and soaks', () => {
    expect(iterationSeed(42, 3)).toBe(iterationSeed(42, 3));
    const seeds = new Set<number>();
    for (let i = 1; i <= 1000; i++) seeds.add(iterationSeed(42, i));
    for (let i = 1; i <= 1000; i++) seeds.add(iterationSeed(43, i));
    expect(seeds.size).toBe(2000);
    for (const s of seeds) expect(Number.isSafeInteger(s) && s >= 0 && s < 2 ** 48).toBe(true);
  });
});

describe('buildIterSummary', () => {
  it("charges the p95 costs: net = gross - adverse_p95 - slippage_p95 - fees, beside the report's mean-cost net", async () => {
    const result = await runFile('burst.yaml');
    const s = buildIterSummary(result, { scenario: 'burst', iteration: 1, seed: 42, soakSeed: 42, scenarioSha256: 'x' }).summary;
    const pnl = result.report.pnl;
    expect(s.gross_bps).toBe(pnl.gross_bps);
    expect(s.fees_bps).toBe(pnl.fees_bps);
    expect(s.adverse_bps_p95).toBe(pnl.markouts.find((m) => m.horizon_ms === pnl.adverse_horizon_ms)!.p95_bps);
    const slippage = Float64Array.from(result.fills, (f) => f.slippage_bps).sort();
    expect(s.slippage_bps_p95).toBe(percentileOfSorted(slippage, 9500));
    expect(s.net_bps).toBe(s.gross_bps - s.adverse_bps_p95 - s.slippage_bps_p95 - s.fees_bps);
    expect(s.net_bps_mean).toBe(pnl.net_bps);
    expect(s.net_bps).toBeLessThan(s.net_bps_mean); // the tail costs more than the mean
    expect(s).toMatchObject({
      maker_fill_rate: result.report.summary.maker_fill_rate,
      latency_p95_ms: result.report.summary.latency_p95_ms,
      risk_ratio_p95: result.report.summary.risk_ratio_p95,
      rejects: result.report.summary.orders_rejected,
      fills: result.fills.length,
    });
  });
});
