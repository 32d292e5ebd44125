// scenarios/queue-models.yaml is a demo of queue models: the bot must really join the best bid and
// offer (behind quantity already there), the variants must differ by their queue model (and in the
// direction the models' rules imply), and the README's table must be the one the golden runs give.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.ts';
import { runScenario } from '../../src/sim/run/runner.ts';
import { loadScenarioRuns } from '../../src/sim/scenario/load-scenario.ts';
import { variantsCsv } from '../../src/sim/run/variants-csv.ts';
import { variantsTable } from '../../scripts/variants-table.ts';
import { repoRoot } from '../support/run.ts';

const VARIANTS = ['risk_averse', 'power1', 'power2', 'power3', 'log'] as const;
const golden = (v: string): Report => JSON.parse(readFileSync(join(repoRoot, 'tests/golden', `queue-models.${v}.report.json`), 'utf8'));
const ex = (r: Report) => r.exchange as { fills_queue: number; fills_cross: number };

describe('queue-models.yaml', () => {
  it('places its orders on the exchange best bid or offer, behind quantity already there', async () => {
    const runs = await loadScenarioRuns(join(repoRoot, 'scenarios/queue-models.yaml'));
    for (const scenario of runs.filter((s) => s.variant === 'risk_averse' || s.variant === 'log')) {
      const rows = (parse((await runScenario(scenario)).ordersCsv, { columns: true }) as Record<string, string>[]).filter((r) => r.outcome === 'accepted');
      const atTouch = rows.filter((r) => r.price === (r.side === 'buy' ? r.arrival_best_bid : r.arrival_best_ask) && Number(r.arrival_ahead_qty) > 0);
      expect(rows.length, scenario.variant).toBeGreaterThan(200);
      // A few arrive while the spread is 3 ticks wide, just after a level emptied (the quote is then a tick
      // inside), or just after the touch moved (a tick behind).
      expect(atTouch.length / rows.length, scenario.variant).toBeGreaterThanOrEqual(0.92);
    }
  });

  it('its variants differ by the queue model: risk_averse fills least, then power1, then log; few cross fills, the same in each', () => {
    const r = Object.fromEntries(VARIANTS.map((v) => [v, golden(v)]));
    // Cross fills do not depend on the queue model: the same few orders (left alone at a price the market
    // had left) are crossed under every model, and they are under 4 % of the fills (3.2 % under risk_averse, seed 42).
    const cross = ex(r.risk_averse!).fills_cross;
    for (const v of VARIANTS) {
      expect(Math.abs(ex(r[v]!).fills_cross - cross), v).toBeLessThanOrEqual(1);
      expect(ex(r[v]!).fills_cross, v).toBeLessThan(0.04 * r[v]!.summary.fills);
    }
    const queue = (v: string) => ex(r[v]!).fills_queue;
    const rate = (v: string) => r[v]!.summary.maker_fill_rate;
    for (const v of ['power1', 'power2', 'power3', 'log']) expect(queue(v), v).toBeGreaterThan(queue('risk_averse'));
    expect(queue('log')).toBeGreaterThan(queue('power1') * 1.2);
    expect(queue('power1')).toBeGreaterThan(queue('risk_averse') * 1.2);
    expect(rate('power1') - rate('risk_averse')).toBeGreaterThan(0.03);
    expect(rate('log') - rate('power1')).toBeGreaterThan(0.03);
  });

  it("README's table is the one the golden reports give (regenerate: see the command above it)", () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const m = /<!-- queue-models table:[^\n]*-->\n([\s\S]*?)\n<!-- end of queue-models table -->/.exec(readme);
    expect(m, 'README.md has the queue-models table markers').not.toBeNull();
    expect(m![1]).toBe(variantsTable(variantsCsv(VARIANTS.map((v) => [v, golden(v)]))));
  });
});
