// mmsim sweep on local worker threads: the same bytes for any --workers, --set errors naming the flag,
// a deterministic failure recorded once with its error, and --resume after kill -9.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mmsim, startMmsim } from '../support/cli.ts';
import type { CliChild } from '../support/cli.ts';
import { CALM_GRID, treeOf, writeSweepScenarios } from '../support/sweep-fixture.ts';

let tmp = '';
let scenarios: { calm: string; failing: string };
const children: CliChild[] = [];

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mmsim-sweep-'));
  scenarios = writeSweepScenarios(tmp);
});

afterAll(() => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

describe('mmsim sweep', () => {
  it('--workers 1 and --workers 2 write byte-identical sweep.csv, SWEEP_SUMMARY.json, SWEEP_REPORT.html and reports', { timeout: 120_000 }, async () => {
    const one = join(tmp, 'w1');
    const two = join(tmp, 'w2');
    // Two independent sweeps into two folders: side by side.
    const [r1, r2] = await Promise.all([
      mmsim(['sweep', scenarios.calm, ...CALM_GRID, '--workers', '1', '--out', one]),
      mmsim(['sweep', scenarios.calm, ...CALM_GRID, '--workers', '2', '--out', two]),
    ]);
    expect(r1.code, r1.stderr).toBe(0);
    expect(r2.code, r2.stderr).toBe(0);
    const a = treeOf(one);
    expect(treeOf(two)).toEqual(a);
    expect(a.has('SWEEP_REPORT.html')).toBe(true);
    const csv = a.get('sweep.csv')!.trim().split('\n');
    expect(csv[0]).toMatch(/^run_id,strategy\.spread_bps,strategy\.size_usd,seed_index,seed,status,fills,maker_fill_rate,latency_p95_place_ms,/);
    expect(csv).toHaveLength(1 + 8);
    const ids = csv.slice(1).map((l) => l.split(',')[0]!);
    expect(ids).toEqual([...ids].sort());
    expect(new Set(ids).size).toBe(8);
    for (const id of ids) expect(a.has(`runs/${id}/report.json`), id).toBe(true);
    // The same 2 seeds at every point, different from each other.
    const seeds = new Set(csv.slice(1).map((l) => l.split(',')[4]));
    expect(seeds.size).toBe(2);
    // A run's report is what mmsim sim writes for the same --set values and seed.
    const [id, spread, size, , seed] = csv[1]!.split(',');
    const sim = await mmsim(['sim', scenarios.calm, '--set', `strategy.spread_bps=${spread}`, '--set', `strategy.size_usd=${size}`, '--seed', seed!, '--quiet', '--out', join(tmp, 'one-run')]);
    expect(sim.code, sim.stderr).toBe(0);
    expect(readFileSync(join(tmp, 'one-run', 'report.json'), 'utf8')).toBe(a.get(`runs/${id}/report.json`));
    const summary = JSON.parse(a.get('SWEEP_SUMMARY.json')!);
    expect(summary.points).toHaveLength(4);
    expect(summary.points[0].set).toEqual({ 'strategy.spread_bps': '1', 'strategy.size_usd': '200' });
    expect(summary.points[0].net_bps.n).toBe(2);
    expect(summary.ranking.map((r: { net_bps_mean: number }) => r.net_bps_mean)).toEqual(
      [...summary.points.map((p: { net_bps: { mean: number } }) => p.net_bps.mean)].sort((x: number, y: number) => y - x),
    );
    // The page shows the summary's means: a 2 × 2 heatmap, one cell per point.
    const html = a.get('SWEEP_REPORT.html')!;
    expect(html.match(/<td data-point="\d+"/g)).toHaveLength(4);
    for (const p of summary.points as { net_bps: { mean: number } }[]) expect(html).toContain(`<b>${p.net_bps.mean.toFixed(3)}</b>`);
  });

  it('soak --workers 1 and --workers 2 write byte-identical summaries', { timeout: 60_000 }, async () => {
    const one = join(tmp, 'soak-w1');
    const two = join(tmp, 'soak-w2');
    for (const [dir, k] of [[one, '1'], [two, '2']] as const) {
      const r = await mmsim(['soak', scenarios.calm, '--iterations', '4', '--workers', k, '--set', 'strategy.spread_bps=1', '--out', dir]);
      expect(r.code, r.stderr).toBe(0);
      // Lines in iteration order whatever order the threads finished in.
      expect([...r.stdout.matchAll(/^iteration (\d)\/4 /gm)].map((m) => m[1])).toEqual(['1', '2', '3', '4']);
    }
    expect(treeOf(two)).toEqual(treeOf(one));
    expect(treeOf(one).size).toBe(5);
  });

  it('a --set with a bad path or value is exit 2 naming the flag, for sweep, sim and soak', async () => {
    const [bad, path, soak] = await Promise.all([
      mmsim(['sweep', scenarios.calm, '--set', 'strategy.spread_bps=1,abc', '--out', join(tmp, 'bad')]),
      mmsim(['sim', scenarios.calm, '--set', 'strategy.spred_bps=3', '--out', join(tmp, 'bad-sim')]),
      mmsim(['soak', scenarios.calm, '--iterations', '2', '--set', 'seed.x=1', '--out', join(tmp, 'bad-soak')]),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('mmsim: --set strategy.spread_bps=abc: strategy.spread_bps: expected number, was "abc"\n');
    expect(path.code).toBe(2);
    expect(path.stderr).toMatch(/^mmsim: --set strategy\.spred_bps=3: strategy: unknown field "spred_bps" \(allowed: /);
    expect(soak.code).toBe(2);
    expect(soak.stderr).toBe('mmsim: --set seed.x=1: seed is a single value, not a section with a field "x"\n');
    expect(existsSync(join(tmp, 'bad'))).toBe(false);
  });

  it('--set on sim changes the run as the same value written in the file does', { timeout: 60_000 }, async () => {
    const written = join(tmp, 'calm20-spread3.yaml');
    const text = readFileSync(scenarios.calm, 'utf8');
    writeFileSync(written, text.replace('  spread_bps: 2\n', '  spread_bps: 3\n'));
    const [r, inFile, plain] = await Promise.all([
      mmsim(['sim', scenarios.calm, '--set', 'strategy.spread_bps=3', '--quiet', '--out', join(tmp, 'set3')]),
      mmsim(['sim', written, '--quiet', '--out', join(tmp, 'set-file')]),
      mmsim(['sim', scenarios.calm, '--quiet', '--out', join(tmp, 'set-none')]),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(inFile.code, inFile.stderr).toBe(0);
    expect(plain.code, plain.stderr).toBe(0);
    const report = (d: string) => readFileSync(join(tmp, d, 'report.json'), 'utf8');
    expect(report('set3')).toBe(report('set-file'));
    expect(report('set3')).not.toBe(report('set-none'));
  });

  it('a run that fails deterministically is recorded once, as failed, with its error; exit 1', { timeout: 60_000 }, async () => {
    const out = join(tmp, 'failing');
    const r = await mmsim(['sweep', scenarios.failing, '--set', 'strategy.params.fail=false,true', '--seeds', '2', '--out', out]);
    expect(r.code, r.stderr).toBe(1);
    const rows = readFileSync(join(out, 'sweep.csv'), 'utf8').trim().split('\n').slice(1);
    const failed = rows.filter((l) => l.includes(',failed,'));
    expect(failed).toHaveLength(2);
    for (const l of failed) expect(l).toMatch(/,true,\d+,\d+,failed,.*strategy .*fail-on-book\.js: onBook: .*told to fail/);
    expect(rows.filter((l) => l.includes(',ok,'))).toHaveLength(2);
    expect(r.stderr.match(/failed: strategy /g)).toHaveLength(2);
    const summary = JSON.parse(readFileSync(join(out, 'SWEEP_SUMMARY.json'), 'utf8'));
    expect(summary.runs_failed).toBe(2);
    expect(summary.ranking.at(-1).set).toEqual({ 'strategy.params.fail': 'true' });
  });

  it('killed with SIGKILL mid-sweep, --resume keeps the finished runs and writes the same files', { timeout: 180_000 }, async () => {
    const reference = join(tmp, 'w1');
    const dir = join(tmp, 'killed');
    const child = startMmsim(['sweep', scenarios.calm, ...CALM_GRID, '--workers', '1', '--out', dir]);
    children.push(child);
    const done = () => (existsSync(join(dir, 'runs')) ? readdirSync(join(dir, 'runs')).filter((id) => existsSync(join(dir, 'runs', id, 'result.json'))) : []);
    while (done().length < 2 && child.proc.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    child.proc.kill('SIGKILL');
    expect((await child.exit).signal).toBe('SIGKILL');
    const kept = done();
    expect(kept.length).toBeGreaterThanOrEqual(2);
    expect(kept.length).toBeLessThan(8);
    const before = new Map(kept.map((id) => [id, statSync(join(dir, 'runs', id, 'result.json')).mtimeMs]));
    const r = await mmsim(['sweep', scenarios.calm, ...CALM_GRID, '--workers', '2', '--out', dir, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^resuming: ${kept.length} of 8 runs are done; running ${8 - kept.length}$`, 'm'));
    for (const [id, mtime] of before) expect(statSync(join(dir, 'runs', id, 'result.json')).mtimeMs, id).toBe(mtime);
    expect(treeOf(dir)).toEqual(treeOf(reference));
    // Without --resume the folder is refused, not overwritten.
    const again = await mmsim(['sweep', scenarios.calm, ...CALM_GRID, '--out', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a sweep: pass --resume/);
  });
});
