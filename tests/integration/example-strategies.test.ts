// The two commented strategies in examples/strategies/, each run through a whole scenario as a user's
// module (loaded by file, as `mmsim sim` does).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BookTop, PlaceRequest } from '../../src/core/types.ts';
import { runScenario } from '../../src/sim/run/runner.ts';
import { loadScenario } from '../../src/sim/scenario/load-scenario.ts';
import { repoRoot } from '../support/run.ts';
import { strategyScenario } from '../support/strategy-scenario.ts';

async function runExample(file: string, params: string, observe?: Parameters<typeof runScenario>[1]) {
  const dir = mkdtempSync(join(tmpdir(), 'mmsim-example-'));
  const scenario = join(dir, 'scenario.yaml');
  writeFileSync(scenario, strategyScenario(`  module: ${join(repoRoot, 'examples', 'strategies', file)}\n  params: ${params}`));
  return runScenario(await loadScenario(scenario), observe);
}

describe('examples/strategies', () => {
  it('join-touch.ts quotes exactly the touch of the book it was handed', async () => {
    let sent: PlaceRequest[] = [];
    let checked = 0;
    const result = await runExample('join-touch.ts', '{qty: 0.005}', {
      observer: {
        onRequest: (r) => {
          if (r.type === 'place') sent.push(r);
        },
        // Seen after the bot handled the book: every order sent meanwhile was priced from it.
        onMarketData: (book: BookTop) => {
          for (const p of sent) expect(p.priceTicks).toBe(p.side === 'buy' ? book.bidTicks : book.askTicks);
          checked += sent.length;
          sent = [];
        },
      },
    });
    const s = result.report.summary;
    expect(checked).toBeGreaterThan(50);
    expect(s.orders_placed).toBeGreaterThan(50);
    expect(s.orders_filled).toBeGreaterThan(0);
    expect(result.fills.length).toBeGreaterThan(0);
  });

  it('skewed-ladder.ts keeps its levels quoted (at most twice over while replaced orders await their cancel) and is deterministic', async () => {
    const params = '{levels: 3, spread_bps: 1, step_bps: 0.5, size_usd: 300, skew_bps: 3, max_position_usd: 5000, refresh_ms: 1000}';
    // Orders resting at the venue (acknowledged) with no cancel sent. Orders in flight are not counted: the
    // order manager sends no cancel before the ack, so in a fast market several generations may be in
    // flight at once; each is cancelled on its ack if the strategy no longer wants it.
    const sideOf = new Map<string, 'buy' | 'sell'>();
    const cancelSent = new Set<string>();
    const resting = new Map<string, 'buy' | 'sell'>();
    let most = 0;
    const first = await runExample('skewed-ladder.ts', params, {
      observer: {
        onRequest: (r) => {
          if (r.type === 'cancel') {
            cancelSent.add(r.clientId);
            resting.delete(r.clientId);
          }
          if (r.type === 'place') sideOf.set(r.clientId, r.side);
        },
        onExecution: (e) => {
          if (e.type === 'accepted' && !cancelSent.has(e.clientId)) {
            resting.set(e.clientId, sideOf.get(e.clientId)!);
            most = Math.max(most, ...(['buy', 'sell'] as const).map((s) => [...resting.values()].filter((x) => x === s).length));
          }
          if (e.type === 'canceled' || e.type === 'rejected' || (e.type === 'fill' && e.leavesLots === 0)) resting.delete(e.clientId);
        },
      },
    });
    const again = await runExample('skewed-ladder.ts', params);
    expect(first.report.summary.orders_filled).toBeGreaterThan(0);
    // One per wanted price, three a side, plus replaced ones acknowledged just before the strategy moved on.
    expect(most).toBeGreaterThanOrEqual(3);
    expect(most).toBeLessThanOrEqual(6);
    expect(again.reportJson.replace(/"digest": "[^"]*"/, '')).toBe(first.reportJson.replace(/"digest": "[^"]*"/, ''));
  });
});
