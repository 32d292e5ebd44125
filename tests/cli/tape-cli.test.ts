// `mmsim tape` on the real CLI: the tape of a synthetic and of a replayed market, checked against the
// report of the same run (`mmsim sim`), and the real Binance tape's stylized facts (issue 14).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMarketStats } from '../../src/cli/tape-command.ts';
import type { MarketStatsReport } from '../../src/sim/market/market-stats.ts';
import { mmsim } from '../support/cli.ts';

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mmsim-tape-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

interface Tape {
  readonly stdout: string;
  readonly report: { market: { stats: MarketStatsReport; prints: number; trades: number; traded_lots: number; start_unix_us: number } };
  readonly trades: string[][];
  readonly book: string[][];
}

async function tapeOf(scenario: string, name: string): Promise<Tape> {
  const dir = join(tmp, name);
  const sim = await mmsim(['sim', scenario, '--out', join(dir, 'sim'), '--quiet']);
  expect(sim.code, sim.stderr).toBe(0);
  const tape = await mmsim(['tape', scenario, '--out', join(dir, 'tape'), '--stats']);
  expect(tape.code, tape.stderr).toBe(0);
  expect(readdirSync(join(dir, 'tape')).sort()).toEqual(['book.csv', 'trades.csv']); // no temporary file left
  const rows = (file: string) =>
    readFileSync(join(dir, 'tape', file), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => l.split(','));
  return { stdout: tape.stdout, report: JSON.parse(readFileSync(join(dir, 'sim', 'report.json'), 'utf8')), trades: rows('trades.csv'), book: rows('book.csv') };
}

const LEVEL_COLUMNS = ['bid', 'ask'].flatMap((s) => [1, 2, 3, 4, 5].flatMap((i) => [`${s}_px_${i}`, `${s}_qty_${i}`]));

function checkBook(t: Tape, time: string[]): void {
  expect(t.book[0]).toEqual([...time, ...LEVEL_COLUMNS]);
  const rows = t.book.slice(1);
  expect(rows.length).toBeGreaterThan(100);
  // Plain checks collected per row (an expect per row would cost more than the run).
  const bad: string[] = [];
  let last = -1;
  let prev = '';
  for (const r of rows) {
    const at = Number(r[0]);
    const levels = r.slice(time.length).join(',');
    const px = (i: number) => r[time.length + i]!;
    const bids = [0, 2, 4, 6, 8].map(px).filter((p) => p !== '').map(Number);
    const asks = [10, 12, 14, 16, 18].map(px).filter((p) => p !== '').map(Number);
    if (r.length !== time.length + 20) bad.push(`${r[0]}: ${r.length} cells`);
    if (!(at > last)) bad.push(`${r[0]}: not after ${last}`); // one row per instant
    if (levels === prev) bad.push(`${r[0]}: no change`); // a row only when the levels changed
    if (bids.some((b, i) => i > 0 && b >= bids[i - 1]!) || asks.some((a, i) => i > 0 && a <= asks[i - 1]!)) bad.push(`${r[0]}: levels out of order`);
    last = at;
    prev = levels;
  }
  expect(bad.slice(0, 5)).toEqual([]);
}

/** The --stats table shows the report's market.stats. */
function checkStatsTable(t: Tape): void {
  expect(t.stdout.startsWith(formatMarketStats(t.report.market.stats))).toBe(true);
}

describe('mmsim tape', () => {
  it('writes the synthetic market of burst.yaml: one row per print, the top 5 levels at each change', async () => {
    const t = await tapeOf('scenarios/burst.yaml', 'burst');
    const m = t.report.market;
    expect(t.trades[0]).toEqual(['exchange_time_us', 'price', 'qty', 'aggressor']);
    expect(t.trades.length - 1).toBe(m.prints);
    const lots = t.trades.slice(1).reduce((s, r) => s + Math.round(Number(r[2]) / 0.001), 0);
    expect(lots).toBe(m.traded_lots);
    expect(new Set(t.trades.slice(1).map((r) => r[3]))).toEqual(new Set(['buy', 'sell']));
    // Aggressive orders: prints merged at one instant and side, as market.stats counts them.
    let orders = 0;
    let key = '';
    for (const r of t.trades.slice(1)) {
      if (`${r[0]},${r[3]}` === key) continue;
      orders++;
      key = `${r[0]},${r[3]}`;
    }
    expect(orders).toBe(t.report.market.stats.orders);
    checkBook(t, ['exchange_time_us']);
    checkStatsTable(t);
  }, 120_000);

  it('writes the replayed Binance market in the same columns, with exchange epoch times, and its known facts', async () => {
    const t = await tapeOf('scenarios/replay-binance-btcusdt.yaml', 'binance');
    const m = t.report.market;
    expect(t.trades[0]).toEqual(['exchange_time_us', 'exchange_epoch_us', 'price', 'qty', 'aggressor']);
    expect(t.trades.length - 1).toBe(m.trades);
    expect(t.trades.slice(1).filter((r) => Number(r[1]) !== m.start_unix_us + Number(r[0])).length).toBe(0);
    expect(t.trades[1]!.slice(2)).toEqual(['61800.3', '0.006', 'buy']); // the recording's first trade, as printed
    const lots = t.trades.slice(1).reduce((s, r) => s + Math.round(Number(r[3]) / 0.001), 0);
    expect(lots).toBe(m.traded_lots);
    checkBook(t, ['exchange_time_us', 'exchange_epoch_us']);
    checkStatsTable(t);
    // The facts the issue measured on this recording (see docs/market-stats.md for the dispersion's bins).
    const s = t.report.market.stats;
    expect(s.count_dispersion!).toBeGreaterThan(20);
    expect(s.count_dispersion!).toBeLessThan(30);
    expect(s.sign_autocorrelation.lag_1!).toBeCloseTo(0.2, 2);
    expect(s.sign_autocorrelation.lag_20!).toBeCloseTo(0.1, 2);
    expect(s.size_p99_p50!).toBeCloseTo(238, 0);
    expect(s.one_tick_spread_share!).toBeGreaterThan(0.9);
  }, 120_000);

  it('refuses bad input with one line and exit 2, writing nothing', async () => {
    const empty = await mmsim(['tape', 'scenarios/burst.yaml', '--out', '']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/^mmsim: --out: empty/);
    const variants = await mmsim(['tape', 'scenarios/queue-models.yaml', '--out', join(tmp, 'qm')]);
    expect(variants.code).toBe(2);
    expect(variants.stderr).toMatch(/pick one with --variant NAME/);
    expect(existsSync(join(tmp, 'qm'))).toBe(false);
    const missing = await mmsim(['tape', join(tmp, 'nope.yaml'), '--out', join(tmp, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);
});
