// The live registry of a soak: counters and histograms add up over iterations, gauges show the
// running iteration, and the soak's progress has its own gauges.
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { SoakMetrics } from '../../src/sim/soak/soak-metrics.ts';
import { runScenario } from '../../src/sim/run/runner.ts';
import { loadScenario } from '../../src/sim/scenario/load-scenario.ts';
import { join } from 'node:path';
import { repoRoot } from '../support/run.ts';

/** `name{labels} value` lines of an exposition, as a map. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe('SoakMetrics', () => {
  it('sums two iterations exactly as their own registries counted them, and shows progress', async () => {
    const scenario = await loadScenario(join(repoRoot, 'tests', 'fixtures', 'soak', 'short-burst.yaml'));
    const metrics = new SoakMetrics(5, 1);
    const own: Map<string, number>[] = [];
    for (const [i, seed] of [
      [2, 11],
      [3, 12],
    ] as const) {
      const registry = metrics.startIteration(i);
      const before = samples(await metrics.metrics());
      expect(before.get('mmsim_soak_iteration')).toBe(i);
      await runScenario(scenario, { seed, registry });
      own.push(samples(await registry.metrics()));
      await metrics.endIteration();
    }
    const total = samples(await metrics.metrics());
    expect(total.get('mmsim_soak_iterations')).toBe(5);
    expect(total.get('mmsim_soak_iterations_done')).toBe(3);
    expect(total.get('mmsim_soak_iteration')).toBe(0);
    const [a, b] = own as [Map<string, number>, Map<string, number>];
    for (const key of ['mm_orders_total{event="placed"}', 'mm_fills_total{liquidity="maker"}', 'mm_latency_ms_count{op="place"}', 'mm_latency_ms_bucket{le="50",op="place"}', 'mm_risk_ratio_count']) {
      expect(a.get(key), key).toBeGreaterThan(0);
      expect(total.get(key), key).toBe(a.get(key)! + b.get(key)!);
    }
    expect(total.get('mm_latency_ms_sum{op="place"}')).toBeCloseTo(a.get('mm_latency_ms_sum{op="place"}')! + b.get('mm_latency_ms_sum{op="place"}')!, 6);
    // A gauge is the last iteration's value, not a sum.
    expect(total.get('mm_connected')).toBe(b.get('mm_connected'));
    expect(metrics.contentType).toBe(new Registry().contentType);
  });
});
