/**
 * Sweep throughput, as a user sees it: whole `mmsim sweep` processes (start-up, pool, runs, files) on a
 * 4x4 grid of calm.yaml cut to 2 minutes (16 runs, 1 seed), timed by wall clock, median of a few.
 *
 *   node --import tsx bench/suites/sweep.bench.ts        (BENCH_QUICK=1: one timing each)
 *
 * Cases ("<group>: <contender>", per run):
 *   "sweep 16 runs: 1 worker", "sweep 16 runs: 2 workers": the local pool (--workers).
 *   "sweep 16 runs, calm.yaml 10m: 1 worker", "...: 2 workers": the same grid on calm.yaml as shipped (runs
 *     five times longer), to show how much of the short grid's time is each worker's start-up and warm-up.
 *   "sweep 16 runs: queue, 2 workers": --queue on a redis-server of our own (free loopback port, temporary
 *     folder, killed at the end) served by two `mmsim worker --concurrency 1`; skipped without redis-server.
 * Notes: the speed-up of 2 workers over 1 (target >= 1.8 on 2 cores), runs per second per core, and the
 * queue's overhead per run against the local 2-thread pool (same number of threads).
 * Runs bin/mmsim.js, so dist/ must be current (npm run build).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFilesAtomically } from '../../src/sim/run/atomic-write.ts';
import { machineInfo } from '../support/machine.ts';
import type { CaseResult, SuiteResult } from '../support/suite.ts';
import { RESULTS_DIR } from '../support/suite.ts';

const root = join(import.meta.dirname, '..', '..');
const BIN = join(root, 'bin', 'mmsim.js');
const QUICK = process.env.BENCH_QUICK === '1';
const REPS = QUICK ? 1 : 3;
const GRID = ['--set', 'strategy.spread_bps=1,2,3,4', '--set', 'strategy.size_usd=100,200,300,400'];
const RUNS = 16;

const tmp = mkdtempSync(join(tmpdir(), 'mmsim-bench-sweep-'));
const scenario = join(tmp, 'calm2m.yaml');
writeFileSync(scenario, readFileSync(join(root, 'scenarios', 'calm.yaml'), 'utf8').replace('duration: 10m', 'duration: 2m'));
const children: ChildProcess[] = [];

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

let outCount = 0;
/** Wall ms of one whole sweep process. */
function timeSweep(extra: readonly string[], on = scenario): number {
  const out = join(tmp, `out-${++outCount}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, 'sweep', on, ...GRID, '--quiet', '--out', out, ...extra], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`mmsim sweep ${extra.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function result(contender: string, times: number[], group = `sweep ${RUNS} runs`): CaseResult {
  const ms = median(times);
  return {
    name: `${group}: ${contender}`,
    group,
    contender,
    ops: 1000 / ms,
    margin: 0,
    samples: times.length,
    ns_per_op: ms * 1e6,
    median_ns_per_op: ms * 1e6,
    unit: 'run',
    units_per_op: RUNS,
    ns_per_unit: (ms * 1e6) / RUNS,
  };
}

async function waitFor(p: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  let text = '';
  await new Promise<void>((done, fail) => {
    const on = (d: Buffer) => {
      text += d.toString();
      if (pattern.test(text)) done();
    };
    p.stdout?.on('data', on);
    p.stderr?.on('data', on);
    p.on('exit', () => fail(new Error(`${what} exited: ${text}`)));
  });
}

async function queueTimes(): Promise<number[] | undefined> {
  const redis = onPath('redis-server');
  if (!redis) return undefined;
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  const r = spawn(redis, ['--port', String(port), '--bind', '127.0.0.1', '--dir', tmp, '--save', '', '--appendonly', 'no']);
  children.push(r);
  await waitFor(r, /Ready to accept connections/, 'redis-server');
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 2; i++) {
    const w = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--concurrency', '1', '--quiet']);
    children.push(w);
    await waitFor(w, /serving sweep runs/, 'mmsim worker');
  }
  const times: number[] = [];
  // Each timing on its own seed, so that no result is already in Redis from the timing before.
  for (let i = 0; i < REPS; i++) times.push(timeSweep(['--queue', url, '--seed', String(1000 + i)]));
  return times;
}

try {
  const one: number[] = [];
  const two: number[] = [];
  for (let i = 0; i < REPS; i++) {
    one.push(timeSweep(['--workers', '1']));
    two.push(timeSweep(['--workers', '2']));
  }
  const fullCalm = join(root, 'scenarios', 'calm.yaml');
  const longOne: number[] = [];
  const longTwo: number[] = [];
  for (let i = 0; i < REPS; i++) {
    longOne.push(timeSweep(['--workers', '1'], fullCalm));
    longTwo.push(timeSweep(['--workers', '2'], fullCalm));
  }
  const longGroup = `sweep ${RUNS} runs, calm.yaml 10m`;
  const results = [result('1 worker', one), result('2 workers', two), result('1 worker', longOne, longGroup), result('2 workers', longTwo, longGroup)];
  const queued = await queueTimes();
  if (queued) results.push(result('queue, 2 workers', queued));
  const m1 = median(one);
  const m2 = median(two);
  const notes: Record<string, unknown> = {
    scenario: 'calm.yaml cut to 2m, 4x4 grid of strategy.spread_bps x strategy.size_usd, 1 seed',
    reps: REPS,
    speedup_2_workers: m1 / m2,
    speedup_2_workers_calm_10m: median(longOne) / median(longTwo),
    runs_per_s_per_core_1_worker: RUNS / (m1 / 1000),
    runs_per_s_2_workers: RUNS / (m2 / 1000),
    ...(queued ? { queue_overhead_ms_per_run: (median(queued) - m2) / RUNS } : { queue: 'skipped: redis-server is not on PATH' }),
  };
  for (const r of results) process.stdout.write(`${r.name}: ${(r.ns_per_op / 1e6).toFixed(0)} ms, ${(r.ns_per_unit! / 1e6).toFixed(1)} ms per run\n`);
  process.stdout.write(`${JSON.stringify(notes, null, 2)}\n`);
  const suite: SuiteResult = { suite: 'sweep', machine: machineInfo(), results, notes };
  await writeFilesAtomically([[join(RESULTS_DIR, 'sweep.json'), `${JSON.stringify(suite, null, 2)}\n`]]);
} finally {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
}
