// The audit's arithmetic: imputation, the tolerance of the P&L identity, the last-8 summary.
import { describe, expect, it } from 'vitest';
import { LAST_N, TOLERANCE_BPS, auditRows, spread, tableRow, withinTolerance } from '../../src/sim/soak/audit-table.ts';
import type { AuditInput } from '../../src/sim/soak/audit-input.ts';
import { floatText, tableCsv } from '../../src/sim/soak/audit.ts';
import { fieldsFor, oldFormat } from '../support/soak-files.ts';
import type { Fields } from '../support/soak-files.ts';

const input = (iter: number, f: Fields | Record<string, unknown>): AuditInput => ({ iter, name: `ITER_SUMMARY_${iter}.json`, summary: f as AuditInput['summary'] });
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);

describe('tableRow', () => {
  it('imputes a missing (or null) gross as net + adverse_p95 + slippage_p95 + fees and flags it', () => {
    const f = fieldsFor(3);
    const { gross_bps: _g, ...noGross } = f;
    for (const s of [noGross, { ...f, gross_bps: null }]) {
      const row = tableRow(input(3, s));
      expect(row.gross_imputed).toBe(true);
      expect(row.gross_bps).toBe(f.net_bps + f.adverse_bps_p95 + f.slippage_bps_p95 + f.fees_bps!);
      expect(row.fees_bps).toBe(f.fees_bps);
    }
    expect(tableRow(input(3, f))).toMatchObject({ gross_imputed: false, gross_bps: f.gross_bps });
  });

  it('takes absent fees as 0.0, in the imputation too', () => {
    const f = fieldsFor(5);
    const row = tableRow(input(5, oldFormat(f)));
    expect(row.fees_bps).toBe(0);
    expect(row.gross_bps).toBe(f.net_bps + f.adverse_bps_p95 + f.slippage_bps_p95);
    // With gross but no fees, the identity is checked as if fees were 0: a real fee shows up as a gap.
    const { fees_bps: _fees, ...noFees } = f;
    const r = auditRows([input(5, noFees)]);
    expect(r.failures).toEqual([{ iter: 5, gap_bps: expect.closeTo(-f.fees_bps!, 12) }]);
  });
});

describe('the identity check', () => {
  it('passes a gap of exactly 0.05 bps written in decimal, fails anything visibly larger, either sign', () => {
    expect(TOLERANCE_BPS).toBe(0.05);
    expect(withinTolerance(4.45 - 4.4)).toBe(true); // 0.04999999999999982
    expect(10.05 - 10).toBeGreaterThan(0.05); // 0.05000000000000071: only the rounding slack lets it pass
    expect(withinTolerance(10.05 - 10)).toBe(true);
    expect(withinTolerance(-(10.05 - 10))).toBe(true);
    expect(withinTolerance(0.0501)).toBe(false);
    expect(withinTolerance(-0.0501)).toBe(false);
    const at = (net: number): AuditInput => input(1, { ...fieldsFor(1), gross_bps: 5, adverse_bps_p95: 1, slippage_bps_p95: 0.5, fees_bps: -0.25, net_bps: net });
    expect(auditRows([at(3.75 + 0.05)]).consistent).toBe(true);
    expect(auditRows([at(3.75 - 0.05)]).consistent).toBe(true);
    expect(auditRows([at(3.75 + 0.051)]).consistent).toBe(false);
  });

  it('handles losses (negative net) and rebates (negative fees)', () => {
    const f = { ...fieldsFor(2), gross_bps: 1.2, adverse_bps_p95: 20, slippage_bps_p95: 0.5, fees_bps: -0.25 };
    const r = auditRows([input(2, { ...f, net_bps: 1.2 - 20 - 0.5 + 0.25 })]);
    expect(r.consistent).toBe(true);
    expect(r.rows[0]!.net_bps).toBeCloseTo(-19.05, 12);
  });

  it('summarises the last 8 iterations in order: mean, sample stdev, min, max, and the identity on the means', () => {
    const inputs = range(1, 11).map((i) => input(i, fieldsFor(i)));
    const r = auditRows(inputs);
    expect(LAST_N).toBe(8);
    expect(r.lastN.iterations).toEqual(range(4, 11));
    const nets = range(4, 11).map((i) => fieldsFor(i).net_bps);
    expect(r.lastN.stats.net_bps).toEqual(spread(nets));
    expect(r.lastN.stats.rejects).toMatchObject({ min: 8, max: 22, mean: 15 });
    expect(Math.abs(r.lastN.gap_bps)).toBeLessThan(1e-12);
    expect(r.lastN.ok && r.consistent).toBe(true);
    // Fewer than 8: all of them.
    expect(auditRows(inputs.slice(0, 3)).lastN.iterations).toEqual([1, 2, 3]);
  });

  it('a failure before the last 8 fails the soak but not the last-8 check', () => {
    const inputs = range(1, 12).map((i) => input(i, i === 2 ? { ...fieldsFor(i), net_bps: 99 } : fieldsFor(i)));
    const r = auditRows(inputs);
    expect(r.consistent).toBe(false);
    expect(r.failures.map((f) => f.iter)).toEqual([2]);
    expect(r.lastN.ok).toBe(true);
    expect(r.maxAbsGap!.iter).toBe(2);
  });
});

describe('spread', () => {
  it('is exact on small cases', () => {
    expect(spread([])).toEqual({ mean: 0, stdev: 0, min: 0, max: 0 });
    expect(spread([4.5])).toEqual({ mean: 4.5, stdev: 0, min: 4.5, max: 4.5 });
    expect(spread([1, 3])).toEqual({ mean: 2, stdev: Math.SQRT2, min: 1, max: 3 });
    expect(spread([2, 2, 2])).toEqual({ mean: 2, stdev: 0, min: 2, max: 2 });
  });
});

describe('the CSV', () => {
  it('prints floats with every digit and 0.0 for whole ones, integers as integers, booleans in lower case', () => {
    expect(floatText(0)).toBe('0.0');
    expect(floatText(-0)).toBe('0.0');
    expect(floatText(7)).toBe('7.0');
    expect(floatText(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(floatText(1e21)).toBe('1e+21');
    const csv = tableCsv([tableRow(input(3, { ...oldFormat(fieldsFor(3)), net_bps: 4, adverse_bps_p95: 1, slippage_bps_p95: 0.5, maker_fill_rate: 0.103, risk_ratio_p95: 0.33 }))]);
    expect(csv).toBe(
      'iter,net_bps,adverse_p95,slippage_p95,maker_fill_rate,latency_p95_ms,risk_ratio_p95,rejects,gross_bps,fees_bps,gross_imputed\r\n' +
        '3,4.0,1.0,0.5,0.103,63.0,0.33,6,5.5,0.0,true\r\n',
    );
  });
});

describe('the gaps mutation testing found', () => {
  it('the sample stdev divides by n - 1 (hand value, n = 4)', () => {
    // mean 5; squares 9 + 1 + 1 + 9 = 20; 20 / 3 = 6.666...; sqrt = 2.5819888974716116
    const s = spread([2, 4, 6, 8]);
    expect(s).toEqual({ mean: 5, stdev: Math.sqrt(20 / 3), min: 2, max: 8 });
    expect(s.stdev).toBeCloseTo(2.5819888974716, 12);
    // Unordered, negative values: min and max are not the first and last.
    expect(spread([3, -1, 7, 1])).toEqual({ mean: 2.5, stdev: Math.sqrt((0.25 + 12.25 + 20.25 + 2.25) / 3), min: -1, max: 7 });
  });

  it('a gap of exactly the tolerance plus the rounding slack passes; the next float above it fails', () => {
    const edge = 0.05 + 1e-9;
    expect(withinTolerance(edge)).toBe(true);
    expect(withinTolerance(-edge)).toBe(true);
    const above = edge + Number.EPSILON * 0.05;
    expect(above).toBeGreaterThan(edge);
    expect(withinTolerance(above)).toBe(false);
  });

  it('a failing iteration inside the last 8 fails the last-8 check too, even when the means agree', () => {
    // Iterations 9 and 10 are off by +1 and -1 bps: their gaps fail, the gap of the means is 0.
    const inputs = range(1, 12).map((i) => {
      const f = fieldsFor(i);
      return input(i, i === 9 ? { ...f, net_bps: f.net_bps + 1 } : i === 10 ? { ...f, net_bps: f.net_bps - 1 } : f);
    });
    const r = auditRows(inputs);
    expect(r.failures.map((f) => f.iter)).toEqual([9, 10]);
    expect(r.failures[0]!.gap_bps).toBeCloseTo(1, 12);
    expect(r.failures[1]!.gap_bps).toBeCloseTo(-1, 12);
    expect(Math.abs(r.lastN.gap_bps)).toBeLessThan(1e-12);
    expect(r.lastN.ok).toBe(false);
    expect(r.consistent).toBe(false);
    // The largest gap in size, the first of equal ones.
    expect(r.maxAbsGap!.iter).toBe(9);
  });

  it('the last-8 check fails on the gap of the means alone', () => {
    // Every iteration off by +0.04 (inside the tolerance each) is consistent; +0.06 each fails them all.
    const off = (d: number) => range(1, 8).map((i) => input(i, { ...fieldsFor(i), net_bps: fieldsFor(i).net_bps + d }));
    const ok = auditRows(off(0.04));
    expect(ok.failures).toEqual([]);
    expect(ok.lastN.gap_bps).toBeCloseTo(0.04, 12);
    expect(ok.lastN.ok && ok.consistent).toBe(true);
    expect(auditRows(off(0.06)).lastN.ok).toBe(false);
  });

  it('each statistic of the last 8 comes from its own column (hand values)', () => {
    const rows = range(1, 10).map((i) => input(i, fieldsFor(i)));
    const { stats } = auditRows(rows).lastN;
    const last = range(3, 10).map(fieldsFor);
    const mean = (k: keyof ReturnType<typeof fieldsFor>) => last.reduce((a, f) => a + (f[k] as number), 0) / 8;
    // maker_fill_rate 0.103 .. 0.110, latency 63 .. 70, risk 0.33 .. 0.40, rejects 6 .. 20.
    expect(stats.maker_fill_rate.min).toBeCloseTo(0.103, 12);
    expect(stats.maker_fill_rate.max).toBeCloseTo(0.11, 12);
    expect(stats.maker_fill_rate.mean).toBeCloseTo(0.1065, 12);
    expect(stats.latency_p95_ms).toEqual({ mean: 66.5, stdev: Math.sqrt(42 / 7), min: 63, max: 70 });
    expect(stats.risk_ratio_p95.min).toBeCloseTo(0.33, 12);
    expect(stats.risk_ratio_p95.max).toBeCloseTo(0.4, 12);
    expect(stats.risk_ratio_p95.mean).toBeCloseTo(0.365, 12);
    expect(stats.maker_fill_rate.stdev).toBeCloseTo(Math.sqrt(42 / 7) / 1000, 12);
    expect(stats.rejects).toEqual({ mean: 13, stdev: Math.sqrt(168 / 7), min: 6, max: 20 });
    expect(stats.gross_bps.mean).toBeCloseTo(mean('gross_bps'), 12);
    expect(stats.adverse_p95.mean).toBeCloseTo(mean('adverse_bps_p95'), 12);
    expect(stats.slippage_p95.mean).toBeCloseTo(mean('slippage_bps_p95'), 12);
    expect(stats.fees_bps).toEqual({ mean: -0.25, stdev: 0, min: -0.25, max: -0.25 });
    expect(stats.net_bps.mean).toBeCloseTo(mean('net_bps'), 12);
    expect(stats.slippage_p95.min).toBe(0.5);
    expect(stats.slippage_p95.max).toBe(0.75);
    expect(stats.adverse_p95.max).toBeCloseTo(1.7, 12);
  });

  it('lists the imputed and defaulted iterations', () => {
    const r = auditRows([input(1, fieldsFor(1)), input(2, oldFormat(fieldsFor(2))), input(3, { ...fieldsFor(3), fees_bps: null })]);
    expect(r.grossImputed).toEqual([2]);
    expect(r.feesDefaulted).toEqual([2, 3]);
    expect(r.rows.map((x) => x.iter)).toEqual([1, 2, 3]);
  });
});
