// `mmsim shadow`: the bot on a live feed, here the loopback mock venue (tests/support/mock-venue.ts) serving a
// real recording in Binance's and Bybit's documented live message shapes. Never the internet.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mmsim, startMmsim, stderrMatch } from '../support/cli.ts';
import { startMockVenue } from '../support/mock-venue.ts';
import { repoRoot } from '../support/run.ts';
import { sharedData } from '../support/shared-data.ts';

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mmsim-shadow-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

type Json = Record<string, unknown>;
const readJson = (p: string): Json => JSON.parse(readFileSync(p, 'utf8')) as Json;

/** The example scenario with its market swapped for `market` (YAML lines). */
function scenarioWith(example: string, name: string, market: string): string {
  const text = readFileSync(join(repoRoot, 'examples', example), 'utf8');
  const out = text.replace(/^name: .*$/m, `name: ${name}`).replace(/^market:\n(?: {2}.*\n)+/m, `market:\n${market}\n`);
  const file = join(tmp, `${name}.yaml`);
  writeFileSync(file, out);
  return file;
}

describe('mmsim shadow against the mock Binance USD-M venue', () => {
  it('trades, serves /metrics while it runs, reports a dropped connection and a gap, and its recording replays to the same book', async () => {
    const venue = await startMockVenue({
      venue: 'binance_usdm',
      recording: sharedData('binance-usdm-btcusdt-20240808.gz'),
      symbol: 'BTCUSDT',
      speed: 20,
      dropConnectionAfter: 6000,
      skipDiffAt: 1200,
    });
    const out = join(tmp, 'usdm');
    const record = join(tmp, 'usdm.gz');
    try {
      const child = startMmsim([
        'shadow',
        join(repoRoot, 'examples/shadow-binance-btcusdt.yaml'),
        '--duration',
        '7s',
        '--ws-url',
        venue.wsUrl,
        '--rest-url',
        venue.restUrl,
        '--metrics-port',
        '0',
        '--out',
        out,
        '--record',
        record,
      ]);
      const url = (await stderrMatch(child, /^serving metrics at (http:\S+)$/m))[1]!;
      await stderrMatch(child, /feed back/);
      const scrape = await (await fetch(url)).text();
      expect(scrape).toMatch(/^mm_orders_total\{event="sent"\} [1-9]/m);
      const { code } = await child.exit;
      expect(code, child.stderr).toBe(0);
      const stats = venue.stats();
      expect(stats.drops).toBe(1);
      expect(stats.skippedDiffs).toBe(1);

      const report = readJson(join(out, 'report.json'));
      const exec = report.execution as Json;
      expect(exec.mode).toBe('shadow');
      expect((report.shadow as Json).venue).toBe('binance_usdm');
      expect((report.summary as Json).orders_sent).toBeGreaterThan(0);
      expect((report.summary as Json).fills).toBeGreaterThan(0);
      const market = report.market as Json;
      const conn = market.connection as Json;
      expect(conn.disconnects).toBe(1);
      expect(conn.reconnects).toBe(1);
      expect(conn.gaps).toBeGreaterThanOrEqual(1);
      expect(conn.resyncs).toBeGreaterThanOrEqual(1);
      expect(conn.snapshot_requests).toBeGreaterThanOrEqual(2);
      expect((conn.outages as unknown[]).length).toBe(1);
      for (const f of ['metrics.prom', 'fills.csv', 'orders.csv', 'report.html']) expect(readFileSync(join(out, f), 'utf8').length).toBeGreaterThan(0);
      expect(readFileSync(join(out, 'fills.csv'), 'utf8').split('\n').length).toBeGreaterThan(2);

      // The recording replays through mmsim sim with the book the session saw.
      const replay = scenarioWith(
        'shadow-binance-btcusdt.yaml',
        'shadow-replay',
        `  source: replay\n  format: binance_usdm\n  path: ${JSON.stringify(record)}\n  symbol: BTCUSDT\n  feed_latency: recorded`,
      );
      const sim = await mmsim(['sim', replay, '--out', join(tmp, 'replayed'), '--quiet']);
      expect(sim.code, sim.stderr).toBe(0);
      const rm = readJson(join(tmp, 'replayed', 'report.json')).market as Json;
      expect(rm.final_best_bid).toBe(market.final_best_bid);
      expect(rm.final_best_ask).toBe(market.final_best_ask);
      expect(market.final_best_bid).not.toBeNull();
      expect((rm.book_updates as number) - (rm.snapshots as number)).toBe(market.applied_diffs);
      expect(market.applied_diffs).toBeGreaterThan(100);
      expect(rm.trades).toBe(market.trades);
    } finally {
      await venue.close();
    }
  }, 60_000);
});

describe('mmsim shadow against the mock Bybit linear venue', () => {
  it('syncs orderbook.50 on subscribe, resubscribes after a gap, reconnects after a drop; the bybit_v5 recording replays to the same book', async () => {
    const venue = await startMockVenue({
      venue: 'bybit_linear',
      recording: sharedData('bybit-xrpusdt-ob500-20241201.data.zip'),
      symbol: 'XRPUSDT',
      speed: 2,
      dropConnectionAfter: 25,
      skipDiffAt: 10,
    });
    const out = join(tmp, 'bybit');
    const record = join(tmp, 'bybit.jsonl');
    try {
      const run = await mmsim(['shadow', join(repoRoot, 'examples/shadow-bybit-xrpusdt.yaml'), '--duration', '4s', '--ws-url', venue.wsUrl, '--out', out, '--record', record, '--quiet']);
      expect(run.code, run.stderr).toBe(0);
      expect(venue.stats().subscriptions).toEqual(expect.arrayContaining(['orderbook.50.XRPUSDT', 'publicTrade.XRPUSDT']));
      const market = readJson(join(out, 'report.json')).market as Json;
      const conn = market.connection as Json;
      expect(conn.reconnects).toBe(1);
      expect(conn.gaps).toBe(1);
      expect(conn.resyncs).toBeGreaterThanOrEqual(1);
      expect(market.record_format).toBe('bybit_v5');

      const replay = scenarioWith('shadow-bybit-xrpusdt.yaml', 'bybit-replay', `  source: replay\n  format: bybit_v5\n  path: ${JSON.stringify(record)}\n  symbol: XRPUSDT\n  feed_latency: recorded`);
      const sim = await mmsim(['sim', replay, '--out', join(tmp, 'bybit-replayed'), '--quiet']);
      expect(sim.code, sim.stderr).toBe(0);
      const rm = readJson(join(tmp, 'bybit-replayed', 'report.json')).market as Json;
      expect(rm.final_best_bid).toBe(market.final_best_bid);
      expect(rm.final_best_ask).toBe(market.final_best_ask);
      expect((rm.book_updates as number) - (rm.snapshots as number)).toBe(market.applied_diffs);
    } finally {
      await venue.close();
    }
  }, 60_000);
});

describe('mmsim shadow and sim refuse the other kind of scenario', () => {
  it('sim on a live scenario exits 2 pointing to mmsim shadow; shadow on a replay scenario exits 2', async () => {
    const sim = await mmsim(['sim', join(repoRoot, 'examples/shadow-binance-btcusdt.yaml'), '--out', join(tmp, 'x')]);
    expect(sim.code).toBe(2);
    expect(sim.stderr).toMatch(/mmsim shadow/);
    expect(sim.stderr).not.toMatch(/\n\s+at /);
    const shadow = await mmsim(['shadow', join(repoRoot, 'scenarios/replay-binance-btcusdt.yaml'), '--duration', '1s']);
    expect(shadow.code).toBe(2);
    expect(shadow.stderr).toMatch(/market\.source is replay/);
    const bad = await mmsim(['shadow', join(repoRoot, 'examples/shadow-binance-btcusdt.yaml'), '--duration', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--duration/);
  });

  it('ends cleanly on SIGTERM with the outputs written', async () => {
    const venue = await startMockVenue({ venue: 'binance_usdm', recording: sharedData('binance-usdm-btcusdt-20240808.gz'), symbol: 'BTCUSDT', speed: 10 });
    const out = join(tmp, 'sigterm');
    try {
      const child = startMmsim(['shadow', join(repoRoot, 'examples/shadow-binance-btcusdt.yaml'), '--ws-url', venue.wsUrl, '--rest-url', venue.restUrl, '--out', out]);
      await stderrMatch(child, /connecting to/);
      await new Promise((r) => setTimeout(r, 2500));
      child.proc.kill('SIGTERM');
      const { code } = await child.exit;
      expect(code, child.stderr).toBe(0);
      const report = readJson(join(out, 'report.json'));
      expect((report.execution as Json).mode).toBe('shadow');
      expect(((report.market as Json).applied_diffs as number) > 0).toBe(true);
    } finally {
      await venue.close();
    }
  }, 30_000);
});
