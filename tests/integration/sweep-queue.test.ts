// A queued sweep through a real Redis (Debian's redis-server; .ci/run installs it): two `mmsim worker`
// processes serve `mmsim sweep --queue`, and the files are the bytes of a local sweep, also when a worker is
// killed with SIGKILL mid-run or the coordinator is killed and restarted with --resume. Every test starts
// its own redis-server on a free loopback port with a temporary directory, and everything started here is
// killed whatever happens.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, mmsim } from '../support/cli.ts';
import { repoRoot } from '../support/run.ts';
import { CALM_GRID, treeOf, writeSweepScenarios } from '../support/sweep-fixture.ts';
import { freePort, onPath, sleep, startGroup } from '../support/processes.ts';
import type { Proc } from '../support/processes.ts';

let started: Proc[] = [];

const start = (name: string, file: string, args: readonly string[]): Proc => startGroup(name, file, args, repoRoot, started);

async function killGroup(p: Proc, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (p.proc.pid === undefined || p.exited) return;
  try {
    process.kill(-p.proc.pid, signal);
  } catch {
    // gone already
  }
  await p.exit;
}

async function outputMatch(p: Proc, pattern: RegExp, ms = 30_000): Promise<RegExpExecArray> {
  for (let waited = 0; ; waited += 20) {
    const m = pattern.exec(p.output);
    if (m) return m;
    if (p.exited || waited > ms) throw new Error(`${p.name}: no ${pattern} in its output (exited: ${p.exited}):\n${p.output}`);
    await sleep(20);
  }
}

let tmp = '';
let scenarios: { calm: string; failing: string };
let reference: Map<string, string>;

/** A fresh redis-server of our own (no persistence, its own folder), and its URL. */
async function startRedis(): Promise<string> {
  const dir = mkdtempSync(join(tmp, 'redis-'));
  const port = await freePort();
  const redis = start('redis-server', onPath('redis-server')!, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no']);
  await outputMatch(redis, /Ready to accept connections/);
  return `redis://127.0.0.1:${port}`;
}

const startWorker = (name: string, url: string) => start(name, process.execPath, [BIN, 'worker', '--queue', url, '--concurrency', '1', '--lock-ms', '1000']);
const ready = (w: Proc) => outputMatch(w, /^serving sweep runs from /m);

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'mmsim-sweep-queue-'));
  scenarios = writeSweepScenarios(tmp);
});

afterEach(async () => {
  await Promise.all(started.map((p) => killGroup(p)));
  started = [];
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// CI (.ci/run installs Debian's redis-server) must run these tests: a missing binary there is a failure.
const mustRun = Boolean(process.env.CI);
const available = onPath('redis-server') !== undefined;
if (!available && !mustRun) {
  console.warn(
    "SKIPPED tests/integration/sweep-queue.test.ts: redis-server is not on PATH. Install Debian's package " +
      '(sudo apt-get install -y redis-server) or run .ci/run to include the queued-sweep tests.',
  );
}

describe.skipIf(!available && !mustRun)('mmsim sweep --queue served by mmsim worker (BullMQ on a real Redis)', () => {
  beforeAll(async () => {
    if (!available) throw new Error("redis-server is not on PATH: run .ci/run (it installs it) or: sudo apt-get install -y redis-server");
    const r = await mmsim(['sweep', scenarios.calm, ...CALM_GRID, '--workers', '1', '--out', join(tmp, 'local')]);
    expect(r.code, r.stderr).toBe(0);
    reference = treeOf(join(tmp, 'local'));
  }, 60_000);

  it('two worker processes give the bytes of a local sweep, each run served', { timeout: 90_000 }, async () => {
    const url = await startRedis();
    const workers = [startWorker('worker-a', url), startWorker('worker-b', url)];
    await Promise.all(workers.map(ready));
    const out = join(tmp, 'queued');
    const r = await mmsim(['sweep', scenarios.calm, ...CALM_GRID, '--queue', url, '--out', out], { timeoutMs: 80_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(treeOf(out)).toEqual(reference);
    const finished = workers.flatMap((w) => [...w.output.matchAll(/^finished (\w+)$/gm)].map((m) => m[1]));
    expect(new Set(finished).size).toBe(8);
  });

  it('a worker killed with SIGKILL mid-run loses nothing: its job runs again and the sweep completes identically', { timeout: 90_000 }, async () => {
    const url = await startRedis();
    const a = startWorker('worker-a', url);
    const b = startWorker('worker-b', url);
    await Promise.all([ready(a), ready(b)]);
    const out = join(tmp, 'worker-killed');
    const coordinator = start('coordinator', process.execPath, [BIN, 'sweep', scenarios.calm, ...CALM_GRID, '--queue', url, '--out', out]);
    const victim = (await outputMatch(a, /^running (\w+)$/m))[1]!;
    await killGroup(a, 'SIGKILL');
    expect(a.output).not.toMatch(new RegExp(`^finished ${victim}$`, 'm'));
    const end = await coordinator.exit;
    expect(end.code, coordinator.output).toBe(0);
    expect(treeOf(out)).toEqual(reference);
    // The survivor ran the job the dead worker held (BullMQ's stalled-job recovery).
    expect(b.output).toMatch(new RegExp(`^finished ${victim}$`, 'm'));
  });

  it('a run that fails deterministically is run once and recorded as failed with its error', { timeout: 90_000 }, async () => {
    const url = await startRedis();
    const workers = [startWorker('worker-a', url), startWorker('worker-b', url)];
    await Promise.all(workers.map(ready));
    const local = join(tmp, 'failing-local');
    const l = await mmsim(['sweep', scenarios.failing, '--set', 'strategy.params.fail=false,true', '--seeds', '2', '--workers', '1', '--out', local]);
    expect(l.code, l.stderr).toBe(1);
    const out = join(tmp, 'failing-queued');
    const r = await mmsim(['sweep', scenarios.failing, '--set', 'strategy.params.fail=false,true', '--seeds', '2', '--queue', url, '--out', out], { timeoutMs: 80_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(treeOf(out)).toEqual(treeOf(local));
    const rows = readFileSync(join(out, 'sweep.csv'), 'utf8').trim().split('\n').slice(1);
    const failedIds = rows.filter((l) => l.includes(',failed,')).map((l) => l.split(',')[0]!);
    expect(failedIds).toHaveLength(2);
    for (const id of failedIds) {
      const runs = workers.reduce((n, w) => n + [...w.output.matchAll(new RegExp(`^running ${id}$`, 'gm'))].length, 0);
      expect(runs, `${id} served`).toBe(1);
      expect(rows.find((l) => l.startsWith(id))).toMatch(/told to fail/);
    }
  });

  it('a coordinator killed with SIGKILL and restarted with --resume finishes the sweep identically', { timeout: 120_000 }, async () => {
    const url = await startRedis();
    const workers = [startWorker('worker-a', url), startWorker('worker-b', url)];
    await Promise.all(workers.map(ready));
    const out = join(tmp, 'coordinator-killed');
    const first = start('coordinator', process.execPath, [BIN, 'sweep', scenarios.calm, ...CALM_GRID, '--queue', url, '--out', out]);
    const done = () => (existsSync(join(out, 'runs')) ? readdirSync(join(out, 'runs')).filter((id) => existsSync(join(out, 'runs', id, 'result.json'))).length : 0);
    while (done() < 2 && !first.exited) await sleep(5);
    await killGroup(first, 'SIGKILL');
    expect(done()).toBeLessThan(8);
    const r = await mmsim(['sweep', scenarios.calm, ...CALM_GRID, '--queue', url, '--out', out, '--resume'], { timeoutMs: 80_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^resuming: \d of 8 runs are done; running \d$/m);
    expect(treeOf(out)).toEqual(reference);
  });
});
