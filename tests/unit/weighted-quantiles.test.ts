import { describe, expect, it } from 'vitest';
import { WeightedQuantiles } from '../../src/sim/market/flow-stats.ts';

function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/** The definition, on a plain list: the smallest value whose weight at or below it reaches q of the total. */
function reference(values: [number, number][], qBp: number): number | null {
  const byValue = new Map<number, number>();
  for (const [v, w] of values) if (w > 0) byValue.set(v, (byValue.get(v) ?? 0) + w);
  const sorted = [...byValue].sort((a, b) => a[0] - b[0]);
  const total = values.reduce((t, [, w]) => t + (w > 0 ? w : 0), 0);
  if (total === 0) return null;
  let cum = 0;
  for (const [v, w] of sorted) if ((cum += w) * 10_000 >= qBp * total - 1e-6 * total) return v;
  return sorted[sorted.length - 1]![0];
}

describe('WeightedQuantiles', () => {
  it('small whole values (kept by index) and any others (kept in a map) rank together', () => {
    const rnd = lcg(3);
    for (let t = 0; t < 50; t++) {
      const q = new WeightedQuantiles();
      const added: [number, number][] = [];
      for (let i = 0; i < 300; i++) {
        const k = rnd();
        const v = k < 0.5 ? Math.floor(rnd() * 200) : k < 0.7 ? Math.floor(rnd() * 200_000) : k < 0.85 ? rnd() * 50 : -Math.floor(rnd() * 10);
        const w = Math.floor(rnd() * 5); // weight 0 adds nothing
        q.add(v, w);
        added.push([v, w]);
      }
      const bps = [1, 5000, 9900, 10_000];
      expect(q.quantiles(bps)).toEqual(bps.map((b) => reference(added, b)));
    }
    expect(new WeightedQuantiles().quantiles([5000])).toEqual([null]);
  });
});
