// Small sweeps for the sweep tests: calm.yaml cut to 20 s, and a user strategy that fails when told to.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './run.ts';
import { strategyScenario } from './strategy-scenario.ts';

/** Writes calm20.yaml and failing.yaml (+ its strategy module) into `dir`. */
export function writeSweepScenarios(dir: string): { calm: string; failing: string } {
  const full = readFileSync(join(repoRoot, 'scenarios', 'calm.yaml'), 'utf8');
  // 20 s of calm.yaml, without its expect: block (its bounds describe the whole 10 minutes, and a quote
  // set wide by --set may not fill at all in 20 s).
  const calm = full.replace('duration: 10m', 'duration: 20s').replace(/\nexpect:\n(?: .*\n)*/, '\n');
  if (!calm.includes('duration: 20s') || calm.includes('\nexpect:')) throw new Error('calm.yaml changed: the sweep fixture cannot cut it to 20 s');
  writeFileSync(join(dir, 'calm20.yaml'), calm);
  writeFileSync(
    join(dir, 'fail-on-book.js'),
    `export default function failOnBook(params) {
  return {
    onBook(ctx, book) {
      if (params.fail === true) throw new Error('told to fail');
      if (book.bids[0] && ctx.openOrders().length === 0) ctx.place({ side: 'buy', price: book.bids[0].price, qty: ctx.instrument.lotSize });
    },
  };
}
`,
  );
  writeFileSync(join(dir, 'failing.yaml'), strategyScenario('  module: ./fail-on-book.js\n  params: {fail: false}', 'failing'));
  return { calm: join(dir, 'calm20.yaml'), failing: join(dir, 'failing.yaml') };
}

export const CALM_GRID = ['--set', 'strategy.spread_bps=1,2', '--set', 'strategy.size_usd=200,400', '--seeds', '2'];

/** Every file under `dir` (relative path -> content), for byte-for-byte comparison of two sweeps. */
export function treeOf(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}
