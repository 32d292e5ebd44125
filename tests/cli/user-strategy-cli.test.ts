// A user's strategy module written outside src/ (a temporary folder), run through the CLI: the same
// report twice, and one clear line with the right exit code for each way a strategy can fail.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mmsim } from '../support/cli.ts';
import { strategyScenario } from '../support/strategy-scenario.ts';

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A folder with `scenario.yaml` naming `file`, and the strategy source in it. */
function userFolder(file: string, source: string, params = '{}'): string {
  const dir = mkdtempSync(join(tmpdir(), 'mmsim-user-strategy-'));
  writeFileSync(join(dir, file), source);
  writeFileSync(join(dir, 'scenario.yaml'), strategyScenario(`  module: ./${file}\n  params: ${params}`));
  return dir;
}

const MEAN_REVERTER = `
import type { Strategy, StrategyContext } from 'mmsim';
// Quotes one lot a side at a random distance of 1 to 4 ticks from the touch, every 500 ms.
export default function (params: { lots: number }): Strategy {
  const requote = (ctx: StrategyContext) => {
    const book = ctx.book();
    if (!book || !book.bids[0] || !book.asks[0]) return;
    ctx.cancelAll();
    const { tickSize, lotSize } = ctx.instrument;
    const away = 1 + Math.floor(ctx.random() * 4);
    const bid = Math.round(book.bids[0].price / tickSize) - away;
    const ask = Math.round(book.asks[0].price / tickSize) + away;
    ctx.place({ side: 'buy', price: bid * tickSize, qty: params.lots * lotSize });
    ctx.place({ side: 'sell', price: ask * tickSize, qty: params.lots * lotSize });
  };
  return {
    onStart: (ctx) => ctx.setTimer('q', 500_000),
    onTimer: (ctx) => { requote(ctx); ctx.setTimer('q', 500_000); },
  };
}
`;

describe('mmsim sim with a user strategy module', () => {
  it('runs a .ts module from a folder outside src/ twice with identical reports', async () => {
    const dir = userFolder('my-strategy.ts', MEAN_REVERTER, '{lots: 5}');
    const runs = [];
    for (const out of ['a', 'b']) {
      const run = await mmsim(['sim', join(dir, 'scenario.yaml'), '--out', join(dir, out), '--quiet'], { cwd: dir });
      expect(run.code, run.stderr).toBe(0);
      runs.push(readFileSync(join(dir, out, 'report.json'), 'utf8'));
    }
    expect(runs[1]).toBe(runs[0]);
    const report = JSON.parse(runs[0]!) as { summary: { orders_placed: number; fills: number } };
    expect(report.summary.orders_placed).toBeGreaterThan(50);
    expect(report.summary.fills).toBeGreaterThan(0);
  });

  it('loads a plain .js module too', async () => {
    const dir = userFolder('s.mjs', `export default () => ({ onBook(ctx, book) { if (ctx.openOrders().length === 0) ctx.place({ side: 'buy', price: book.bids[0].price, qty: 0.001 }); } });\n`);
    const run = await mmsim(['sim', join(dir, 'scenario.yaml'), '--out', join(dir, 'out'), '--quiet']);
    expect(run.code, run.stderr).toBe(0);
  });

  const failing: [string, string, string, number, RegExp][] = [
    ['throws in onBook', 'bad.ts', `export default () => ({ onBook() { throw new Error('no book for me'); } });`, 1, /onBook: threw Error: no book for me$/],
    ['prices off the tick grid', 'bad.ts', `export default () => ({ onBook(ctx) { ctx.place({ side: 'buy', price: 100.05, qty: 0.001 }); } });`, 1, /onBook: place: price 100\.05 is off the tick grid \(tick size 0\.1/],
    ['sizes off the lot grid', 'bad.ts', `export default () => ({ onStart(ctx) { ctx.setTimer('t', 1000); }, onTimer(ctx) { ctx.place({ side: 'sell', price: 70000, qty: 0.0015 }); } });`, 1, /onTimer: place: qty 0\.0015 is off the lot grid \(lot size 0\.001/],
    ['has no default export', 'bad.ts', `export const strategy = () => ({});`, 2, /has no default export/],
    ['does not default-export a function', 'bad.js', `export default { onBook() {} };`, 2, /the default export must be a factory function/],
    ['does not parse', 'bad.ts', `export default () => ({ onBook( });`, 2, /cannot load the strategy module/],
  ];
  for (const [what, file, source, code, message] of failing) {
    it(`a module that ${what} exits ${code} with one line naming its file`, async () => {
      const dir = userFolder(file, source);
      const run = await mmsim(['sim', join(dir, 'scenario.yaml'), '--out', join(dir, 'out'), '--quiet']);
      expect(run.code, run.stderr).toBe(code);
      const lines = run.stderr.trim().split('\n');
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^mmsim: (strategy )?${esc(join(dir, file))}: `));
      expect(lines[0]).toMatch(message);
    });
  }

  it('a missing module is bad input (exit 2) naming the file', async () => {
    const dir = userFolder('other.ts', 'export default () => ({});');
    writeFileSync(join(dir, 'scenario.yaml'), strategyScenario('  module: ./missing.ts'));
    const run = await mmsim(['sim', join(dir, 'scenario.yaml'), '--out', join(dir, 'out'), '--quiet']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(`mmsim: ${join(dir, 'missing.ts')}: cannot read the strategy module (no such file)`);
  });
});
