import { describe, expect, it } from 'vitest';
import { parseSetFlag, parseSweepAxis } from '../../src/sim/scenario/overrides.ts';
import { spread, t975 } from '../../src/sim/sweep/sweep-summary.ts';

describe('sweep statistics', () => {
  it("spread: mean, sample standard deviation and Student's t 95% interval", () => {
    const s = spread([1, 2, 3, 4]);
    expect(s.mean).toBe(2.5);
    expect(s.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
    const half = (3.182 * Math.sqrt(5 / 3)) / 2;
    expect(s.ci95![0]).toBeCloseTo(2.5 - half, 12);
    expect(s.ci95![1]).toBeCloseTo(2.5 + half, 12);
    expect(spread([7])).toEqual({ n: 1, mean: 7, sd: null, ci95: null });
    expect(spread([])).toEqual({ n: 0, mean: null, sd: null, ci95: null });
  });

  it('t975 follows the table, then the expansion (t(0.975, 40) = 2.0211, t(0.975, 120) = 1.9799)', () => {
    expect(t975(1)).toBe(12.706);
    expect(t975(30)).toBe(2.042);
    expect(t975(40)).toBeCloseTo(2.0211, 3);
    expect(t975(120)).toBeCloseTo(1.9799, 3);
  });
});

describe('--set values', () => {
  it('reads YAML values and splits a sweep axis at commas outside brackets and quotes', () => {
    expect(parseSetFlag('strategy.spread_bps=3').value).toBe(3);
    expect(parseSetFlag('market.phases.0.name=calm').path).toEqual(['market', 'phases', 0, 'name']);
    const axis = parseSweepAxis('a.b=1,[2, 3],"x,y",true');
    expect(axis.values.map((v) => v.value)).toEqual([1, [2, 3], 'x,y', true]);
    expect(() => parseSweepAxis('a.b=1,1')).toThrow(/the value 1 is given twice/);
    expect(() => parseSetFlag('a..b=1')).toThrow(/bad part ""/);
    expect(() => parseSetFlag('a.b=')).toThrow(/--set a\.b=: no value after "="/);
  });
});
