// `mmsim soak`: iteration summaries that do not depend on the order iterations ran in, a soak killed
// with SIGKILL and resumed to the same bytes without redoing finished iterations, half-written files
// that a resume does not trust, resumes that would mix two soaks refused, and the soak's own output
// passing its audit.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/sim/scenario/load-scenario.ts';
import { iterSummaryJson } from '../../src/sim/soak/iter-summary.ts';
import { readManifest } from '../../src/sim/soak/soak-manifest.ts';
import { runIteration } from '../../src/sim/soak/soak-runner.ts';
import { esc, expectOneError } from '../support/cli-errors.ts';
import { mmsim, startMmsim, stderrMatch } from '../support/cli.ts';
import type { CliChild, CliRun } from '../support/cli.ts';
import { repoRoot } from '../support/run.ts';

const SCENARIO = join(repoRoot, 'tests', 'fixtures', 'soak', 'short-burst.yaml');
const N = 12;
const tmp = mkdtempSync(join(tmpdir(), 'mmsim-soak-'));
const children: CliChild[] = [];
afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exit));
  rmSync(tmp, { recursive: true, force: true });
});

/** Every file of a soak folder (not the audit's), name -> bytes. */
function soakFiles(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );
}

/** An uninterrupted soak of N iterations: the reference every other way of getting there must equal. */
let reference: Map<string, string>;
let referenceRun: CliRun;
const referenceDir = join(tmp, 'reference');
beforeAll(async () => {
  referenceRun = await mmsim(['soak', SCENARIO, '--iterations', String(N), '--out', referenceDir]);
  expect(referenceRun.code, referenceRun.stderr).toBe(0);
  reference = soakFiles(referenceDir);
}, 120_000);

describe('mmsim soak', () => {
  it('writes one summary per iteration and a manifest, and prints one line per iteration off a terminal', async () => {
    expect([...reference.keys()]).toEqual([...Array.from({ length: N }, (_, i) => `ITER_SUMMARY_${i + 1}.json`)].sort().concat('SOAK_MANIFEST.json').sort());
    const s = JSON.parse(reference.get('ITER_SUMMARY_3.json')!);
    expect(s).toMatchObject({ schema: 'mmsim/iter-summary@1', iteration: 3, scenario: 'short-burst', soak_seed: 42 });
    const m = s.summary;
    for (const k of ['net_bps', 'gross_bps', 'fees_bps', 'adverse_bps_p95', 'slippage_bps_p95', 'maker_fill_rate', 'latency_p95_ms', 'risk_ratio_p95', 'rejects']) {
      expect(typeof m[k], k).toBe('number');
    }
    expect(m.fills).toBeGreaterThan(20);
    expect(m.adverse_bps_p95).toBeGreaterThan(0);
    expect(Math.abs(m.net_bps - (m.gross_bps - m.adverse_bps_p95 - m.slippage_bps_p95 - m.fees_bps))).toBeLessThan(1e-9);
    // Every iteration has its own seed, so its own market.
    const seeds = new Set([...reference.values()].map((t) => JSON.parse(t).seed));
    expect(seeds.size).toBe(N + 1); // N seeds and the manifest's undefined
    const digests = new Set([...reference.entries()].filter(([f]) => f.startsWith('ITER')).map(([, t]) => JSON.parse(t).execution.digest));
    expect(digests.size).toBe(N);
    // stderr is not a terminal here: no progress bar, one line per iteration on stdout instead.
    expect(referenceRun.stderr).toBe('');
    const lines = referenceRun.stdout.trim().split('\n');
    expect(lines.slice(0, N).map((l) => /^iteration (\d+)\/12 \(seed \d+\): net -?\d+\.\d\d bps = gross /.exec(l)?.[1])).toEqual(
      Array.from({ length: N }, (_, i) => String(i + 1)),
    );
    expect(lines.slice(N)).toEqual([`soak finished: ${N} iteration summaries in ${referenceDir}`, `audit it with: mmsim audit ${referenceDir}`]);
  });

  it("passes its own audit", async () => {
    const r = await mmsim(['audit', referenceDir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^verdict: consistent/m);
    const csv = readFileSync(join(referenceDir, 'reports', 'analysis', 'POST_SOAK_ITER_TABLE.csv'), 'utf8').trim().split('\r\n');
    expect(csv).toHaveLength(N + 1);
    expect(csv.slice(1).every((line) => line.endsWith(',false'))).toBe(true); // nothing imputed
  });

  it('gives the same summaries whatever order the iterations run in', async () => {
    const scenario = await loadScenario(SCENARIO);
    const manifest = (await readManifest(referenceDir))!;
    for (const i of [N, 5, 1, 9]) {
      expect(iterSummaryJson(await runIteration(scenario, manifest, i))).toBe(reference.get(`ITER_SUMMARY_${i}.json`));
    }
  });

  it('killed with SIGKILL mid-way, --resume finishes it to the same bytes without redoing a finished iteration', async () => {
    const dir = join(tmp, 'killed');
    const many = 60;
    const child = startMmsim(['soak', SCENARIO, '--iterations', String(many), '--out', dir]);
    children.push(child);
    const done = (): number => (existsSync(dir) ? readdirSync(dir).filter((f) => /^ITER_SUMMARY_\d+\.json$/.test(f)).length : 0);
    while (done() < 3 && child.proc.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    child.proc.kill('SIGKILL');
    expect((await child.exit).signal).toBe('SIGKILL');
    const survivors = readdirSync(dir).filter((f) => /^ITER_SUMMARY_\d+\.json$/.test(f));
    expect(survivors.length).toBeGreaterThanOrEqual(3);
    expect(survivors.length).toBeLessThan(many);
    const before = new Map(survivors.map((f) => [f, statSync(join(dir, f))]));

    const r = await mmsim(['soak', SCENARIO, '--out', dir, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    // On a pool of worker threads the iterations finished when it was killed need not be the first ones.
    expect(r.stderr).toMatch(/^resuming: iterations [\d, -]+ are done; running [\d, -]+$/m);
    // Kept as they were: the same file (inode) never rewritten (mtime).
    for (const [f, st] of before) {
      const now = statSync(join(dir, f));
      expect([now.ino, now.mtimeMs], f).toEqual([st.ino, st.mtimeMs]);
    }
    const files = soakFiles(dir);
    expect(files.size).toBe(many + 1);
    for (let i = 1; i <= N; i++) expect(files.get(`ITER_SUMMARY_${i}.json`), `iteration ${i}`).toBe(reference.get(`ITER_SUMMARY_${i}.json`));
    // The first iteration the resume ran, and the last, are what an uninterrupted soak writes.
    const scenario = await loadScenario(SCENARIO);
    const manifest = (await readManifest(dir))!;
    const firstRerun = Array.from({ length: many }, (_, k) => k + 1).find((i) => !before.has(`ITER_SUMMARY_${i}.json`))!;
    for (const i of [firstRerun, many]) {
      expect(files.get(`ITER_SUMMARY_${i}.json`), `iteration ${i}`).toBe(iterSummaryJson(await runIteration(scenario, manifest, i)));
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // And the manifest says 60, as it did.
    expect(JSON.parse(files.get('SOAK_MANIFEST.json')!).iterations).toBe(many);
  }, 120_000);

  it('does not trust a truncated summary or a temporary file on resume, and grows a soak with a larger --iterations', async () => {
    const dir = join(tmp, 'spoiled');
    expect((await mmsim(['soak', SCENARIO, '--iterations', '8', '--out', dir, '--quiet'])).code).toBe(0);
    const full = readFileSync(join(dir, 'ITER_SUMMARY_4.json'), 'utf8');
    writeFileSync(join(dir, 'ITER_SUMMARY_4.json'), full.slice(0, 200));
    writeFileSync(join(dir, 'ITER_SUMMARY_6.json'), full); // iteration 4's summary under 6's name
    writeFileSync(join(dir, '.ITER_SUMMARY_7.json.4242.tmp'), full.slice(0, 50));
    unlinkSync(join(dir, 'ITER_SUMMARY_7.json'));
    const r = await mmsim(['soak', SCENARIO, '--iterations', String(N), '--out', dir, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^removed ${esc(join(dir, '.ITER_SUMMARY_7.json.4242.tmp'))}: the temporary file of an interrupted write$`, 'm'));
    expect(r.stderr).toMatch(/^not kept, running iteration 4 again: .*ITER_SUMMARY_4\.json:\d+:\d+: not valid JSON/m);
    expect(r.stderr).toMatch(/^not kept, running iteration 6 again: .*ITER_SUMMARY_6\.json: holds iteration 4$/m);
    expect(r.stderr).toMatch(/^resuming: iterations 1-3, 5, 8 are done; running 4, 6-7, 9-12$/m);
    expect(soakFiles(dir)).toEqual(reference);
  }, 120_000);

  it('refuses what would mix two soaks or lose one: exit 2, one message', async () => {
    const dir = join(tmp, 'guarded');
    expect((await mmsim(['soak', SCENARIO, '--iterations', '3', '--out', dir, '--quiet'])).code).toBe(0);
    const manifest = join(dir, 'SOAK_MANIFEST.json');
    const before = soakFiles(dir);
    const changed = join(tmp, 'changed.yaml');
    const text = readFileSync(SCENARIO, 'utf8');
    writeFileSync(changed, text.replace(/spread_bps: \d+/, 'spread_bps: 9'));
    expect(readFileSync(changed, 'utf8')).not.toBe(text);
    // Each refusal is its own process and none writes anything: they run side by side.
    const [held, seed, fewer, edited, other, noCount, zero, ten, variants, underFile] = await Promise.all([
      mmsim(['soak', SCENARIO, '--iterations', '3', '--out', dir]),
      mmsim(['soak', SCENARIO, '--out', dir, '--resume', '--seed', '7']),
      mmsim(['soak', SCENARIO, '--out', dir, '--resume', '--iterations', '2']),
      mmsim(['soak', changed, '--out', dir, '--resume']),
      mmsim(['soak', join(repoRoot, 'scenarios', 'calm.yaml'), '--out', dir, '--resume']),
      mmsim(['soak', SCENARIO, '--out', join(tmp, 'n')]),
      mmsim(['soak', SCENARIO, '--iterations', '0', '--out', join(tmp, 'n')]),
      mmsim(['soak', SCENARIO, '--iterations', 'ten', '--out', join(tmp, 'n')]),
      mmsim(['soak', join(repoRoot, 'scenarios', 'queue-models.yaml'), '--iterations', '2', '--out', join(tmp, 'n')]),
      mmsim(['soak', SCENARIO, '--iterations', '2', '--out', join(SCENARIO, 'x')]),
    ]);
    expectOneError(held!, /already holds a soak \(3 iteration summaries\): pass --resume to finish it, or choose another --out$/);
    expectOneError(seed!, new RegExp(`${esc(manifest)}: cannot resume: the soak's seed is 42, not 7$`));
    expectOneError(fewer!, /cannot resume: the soak has 3 iterations; --iterations may add more, not fewer \(2\)$/);
    expectOneError(edited!, /cannot resume: the scenario short-burst has changed since the soak began/);
    expectOneError(other!, /cannot resume: the soak ran scenario short-burst, not calm$/);
    expect(soakFiles(dir)).toEqual(before);

    expectOneError(noCount!, /^mmsim: --iterations: say how many iterations to run, e.g. --iterations 20$/);
    expectOneError(zero!, /--iterations: expected a whole number of at least 1, was "0"$/);
    expectOneError(ten!, /--iterations: expected a whole number of at least 1, was "ten"$/);
    expectOneError(variants!, /queue-models\.yaml has variants .*: soak one of them with --variant NAME$/);
    expectOneError(underFile!, /--out .*short-burst\.yaml\/x: part of that path is a file, not a directory$/);
    expect(existsSync(join(tmp, 'n'))).toBe(false);
    // A resume of nothing is a start.
    const fresh = join(tmp, 'fresh');
    const r = await mmsim(['soak', SCENARIO, '--iterations', '2', '--out', fresh, '--resume', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(soakFiles(fresh).get('ITER_SUMMARY_2.json')).toBe(reference.get('ITER_SUMMARY_2.json'));
  }, 120_000);

  it('serves the soak\'s metrics live with --metrics-port: totals grow over iterations', async () => {
    const dir = join(tmp, 'served');
    const child = startMmsim(['soak', SCENARIO, '--iterations', '500', '--out', dir, '--metrics-port', '0', '--quiet']);
    children.push(child);
    const url = (await stderrMatch(child, /^serving the soak's metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)$/m))[1]!;
    const scrape = async (): Promise<Map<string, number>> => {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      return new Map(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]));
    };
    const first = await scrape();
    expect(first.get('mmsim_soak_iterations')).toBe(500);
    let later = first;
    while ((later.get('mmsim_soak_iterations_done') ?? 0) < 3) later = await scrape();
    expect(later.get('mm_orders_total{event="placed"}')).toBeGreaterThan(first.get('mm_orders_total{event="placed"}') ?? 0);
    expect(later.get('mm_latency_ms_count{op="place"}')).toBeGreaterThan(0);
    child.proc.kill('SIGKILL');
    await child.exit;
  }, 120_000);
});
