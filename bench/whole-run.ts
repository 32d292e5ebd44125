/**
 * The whole-run harness: every scenario in scenarios/ (synthetic and replays) in a fresh process, several
 * times, reporting the median wall time (of the process, and of the run alone without Node's start-up),
 * simulated events per second, and peak memory; plus, in one more process per scenario, the same run
 * repeated in-process until its steady state (the median of the last 5 repeats moves < 2%: run-once.ts
 * --steady). burst.yaml also runs 16 times as long (cold, fresh processes): events/s on a 0.3 s run
 * mostly measure JIT warm-up. The Binance replay also runs as the compiled bin beside its floor (gunzip +
 * split + JSON.parse of the same file, bench/replay-floor.ts). Then memory against the run's
 * length: burst.yaml with its phases scaled 1x, 2x, 4x, and the Binance replay cut to its first 30 s,
 * 60 s, ... 345 s; the peak live heap must stay flat apart from the samples the run keeps. Writes
 * bench/results/whole-run.json (with filters, only the matching entries are replaced in it).
 *
 *   npm run bench:runs                          # every scenario, 5 runs each, then memory by length
 *   npm run bench:runs -- --runs 9 replay       # only scenarios whose file name contains "replay"
 *   npm run bench:runs -- --quick               # 3 runs, 1 long run, 1 run per length, fewer lengths
 *   npm run bench:runs -- --no-memory burst     # burst.yaml's speed only
 *
 * Options: --runs N (fresh processes per scenario, default 5), --no-steady (no steady-state process),
 * --long-runs N (processes for the 16x burst run, default 3), --memory-runs N (processes per length,
 * default 3), --no-memory, --quick.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFilesAtomically } from '../src/sim/run/atomic-write.ts';
import { machineInfo } from './support/machine.ts';
import type { LengthPoint, LongRun, MemoryByLength, ReplayFloor, ScenarioRuns, WholeRunResult } from './support/whole-run-format.ts';
import { WHERE } from './targets.ts';

const WHERE_LONG = WHERE.wholeRun.eventsScenario;
const WHERE_REPLAY = WHERE.wholeRun.replayScenario;

/** What run-once.ts prints. */
interface OnceOutput {
  variants: number;
  load_ms: number;
  sim_ms: number;
  run_ms: number;
  process_ms: number;
  steady?: { repeats: number; converged: boolean; sim_ms_median: number; sim_ms_min: number };
  events: number;
  digest: string;
  virtual_s: number;
  latency_samples: number;
  risk_samples: number;
  fills: number;
  max_rss_mb: number;
  peak_live_heap_mb?: number;
}
type Sample = OnceOutput & { wall_ms: number };

const root = join(import.meta.dirname, '..');
const OUT = join(root, 'bench/results/whole-run.json');

function parseArgs(args: string[]) {
  const quick = args.includes('--quick');
  const valueOf = (name: string, dflt: number): number => {
    const at = args.indexOf(name);
    if (at < 0) return dflt;
    const v = Number(args[at + 1]);
    if (!Number.isInteger(v) || v < 0) {
      process.stderr.write(`whole-run: ${name} needs a whole number, was ${JSON.stringify(args[at + 1])}\n`);
      process.exit(2);
    }
    return v;
  };
  const withValue = new Set(['--runs', '--memory-runs', '--long-runs']);
  const filters = args.filter((a, i) => !a.startsWith('--') && !withValue.has(args[i - 1] ?? ''));
  return {
    runs: Math.max(1, valueOf('--runs', quick ? 3 : 5)),
    steady: !args.includes('--no-steady'),
    longRuns: Math.max(1, valueOf('--long-runs', quick ? 1 : 3)),
    memoryRuns: Math.max(1, valueOf('--memory-runs', quick ? 1 : 3)),
    memory: !args.includes('--no-memory'),
    quick,
    filters,
  };
}

const opts = parseArgs(process.argv.slice(2));

function once(file: string, extra: string[] = []): Sample {
  const t = performance.now();
  const flags = extra.includes('--live-heap') ? ['--expose-gc'] : [];
  const out = execFileSync(process.execPath, [...flags, '--import', 'tsx', join(root, 'bench/run-once.ts'), file, ...extra], { cwd: root, encoding: 'utf8' });
  const wall = performance.now() - t;
  return { wall_ms: wall, ...(JSON.parse(out.trim().split('\n').pop()!) as OnceOutput) };
}

/** One process of bench/replay-floor.ts on a replay scenario's recording. */
function floorOnce(file: string): { work_ms: number; wall_ms: number } {
  const t = performance.now();
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(root, 'bench/replay-floor.ts'), file], { cwd: root, encoding: 'utf8' });
  const wall = performance.now() - t;
  const o = JSON.parse(out.trim().split('\n').pop()!) as { work_ms: number; process_ms: number };
  // The floor's own process, without tsx loading the scenario reader: Node's start-up plus the work.
  return { work_ms: o.work_ms, wall_ms: wall - o.process_ms + o.work_ms };
}

/** Wall ms of `node bin/mmsim.js sim <file> --quiet` into a temporary folder (dist/ must be current). */
function binOnce(file: string): number {
  const out = mkdtempSync(join(tmpdir(), 'mmsim-bench-run-'));
  try {
    const t = performance.now();
    execFileSync(process.execPath, [join(root, 'bin/mmsim.js'), 'sim', file, '--quiet', '--out', out], { cwd: root, stdio: 'ignore' });
    return performance.now() - t;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
const perS = (events: number, ms: number): number => Math.round(events / (ms / 1000));

function summarise(kind: 'synthetic' | 'replay', samples: Sample[], warm: Sample | undefined): ScenarioRuns {
  const st = warm?.steady;
  const s0 = samples[0]!;
  const col = (f: (s: Sample) => number) => samples.map(f);
  const run = col((s) => s.run_ms);
  const wall = col((s) => s.wall_ms);
  const sim = col((s) => s.sim_ms);
  return {
    kind,
    variants: s0.variants,
    runs: samples.length,
    events: s0.events,
    virtual_s: s0.virtual_s,
    same_digest_every_run: samples.every((s) => s.digest === s0.digest) && (warm === undefined || warm.digest === s0.digest),
    wall_ms_median: round(median(wall)),
    wall_ms_min: round(Math.min(...wall)),
    wall_ms_max: round(Math.max(...wall)),
    run_ms_median: round(median(run)),
    run_ms_min: round(Math.min(...run)),
    run_ms_max: round(Math.max(...run)),
    load_ms_median: round(median(col((s) => s.load_ms))),
    sim_ms_median: round(median(sim)),
    events_per_s: perS(s0.events, median(run)),
    events_per_s_min: perS(s0.events, Math.max(...run)),
    events_per_s_max: perS(s0.events, Math.min(...run)),
    events_per_s_sim: perS(s0.events, median(sim)),
    events_per_s_process: perS(s0.events, median(wall)),
    ...(st
      ? { steady: { repeats: st.repeats, converged: st.converged, sim_ms_median: round(st.sim_ms_median), sim_ms_min: round(st.sim_ms_min), events_per_s: perS(s0.events, st.sim_ms_median) } }
      : {}),
    max_rss_mb_median: round(median(col((s) => s.max_rss_mb))),
  };
}

function memoryByLength(file: string, how: string, lengths: readonly { label: string; args: string[] }[]): MemoryByLength {
  const points: LengthPoint[] = [];
  for (const l of lengths) {
    const samples = Array.from({ length: opts.memoryRuns }, () => once(file, [...l.args, '--live-heap']));
    const s0 = samples[0]!;
    const point: LengthPoint = {
      length: l.label,
      virtual_s: s0.virtual_s,
      events: s0.events,
      samples: s0.latency_samples + s0.risk_samples + s0.fills,
      latency_samples: s0.latency_samples,
      risk_samples: s0.risk_samples,
      fills: s0.fills,
      peak_live_heap_mb: round(median(samples.map((s) => s.peak_live_heap_mb!))),
      max_rss_mb: round(median(samples.map((s) => s.max_rss_mb))),
    };
    points.push(point);
    process.stderr.write(`${file} ${l.label}: ${JSON.stringify(point)}\n`);
  }
  const a = points[0]!;
  const b = points[points.length - 1]!;
  const growthBytes = (b.peak_live_heap_mb - a.peak_live_heap_mb) * 2 ** 20;
  return {
    how,
    runs_per_length: opts.memoryRuns,
    points,
    growth: {
      from: a.length,
      to: b.length,
      length_ratio: round(b.virtual_s / a.virtual_s, 2),
      events_ratio: round(b.events / a.events, 2),
      peak_live_heap_ratio: round(b.peak_live_heap_mb / a.peak_live_heap_mb, 2),
      peak_live_heap_mb: round(b.peak_live_heap_mb - a.peak_live_heap_mb),
      bytes_per_extra_event: b.events > a.events ? Math.round(growthBytes / (b.events - a.events)) : null,
      bytes_per_extra_sample: b.samples > a.samples ? Math.round(growthBytes / (b.samples - a.samples)) : null,
    },
  };
}

function readPrevious(): WholeRunResult | undefined {
  if (!existsSync(OUT)) return undefined;
  try {
    const prev = JSON.parse(readFileSync(OUT, 'utf8')) as WholeRunResult;
    return prev.scenarios && prev.memory_by_length ? prev : undefined; // an older format: start afresh
  } catch {
    return undefined;
  }
}

const matches = (f: string): boolean => opts.filters.length === 0 || opts.filters.some((x) => f.includes(x));
const scenarioFiles = readdirSync(join(root, 'scenarios'))
  .filter((f) => f.endsWith('.yaml') && matches(f))
  .sort();
if (scenarioFiles.length === 0) {
  process.stderr.write(`whole-run: no scenario in scenarios/ matches ${opts.filters.join(', ')}\n`);
  process.exit(2);
}

const started = performance.now();
const scenarios: Record<string, ScenarioRuns> = {};
for (const f of scenarioFiles) {
  const file = join('scenarios', f);
  const samples = Array.from({ length: opts.runs }, () => once(file));
  const warm = opts.steady ? once(file, ['--steady']) : undefined;
  const kind = /^\s*source:\s*replay\b/m.test(readFileSync(join(root, file), 'utf8')) ? 'replay' : 'synthetic';
  scenarios[f] = summarise(kind, samples, warm);
  process.stderr.write(`${f}: ${JSON.stringify(scenarios[f])}\n`);
}

// The replay against its floor (gunzip + split + JSON.parse of the same recording), both as whole
// processes: the replay as a user runs it (the compiled bin, `mmsim sim --quiet`), the floor in plain Node.
let replayFloor: ReplayFloor | undefined;
if (matches(WHERE_REPLAY)) {
  execFileSync(process.execPath, [join(root, 'scripts/build-if-stale.js')], { cwd: root, stdio: 'inherit' }); // the bin runs dist/
  const file = join('scenarios', WHERE_REPLAY);
  const floors = Array.from({ length: opts.runs }, () => floorOnce(file));
  const bins = Array.from({ length: opts.runs }, () => binOnce(file));
  replayFloor = {
    scenario: WHERE_REPLAY,
    runs: opts.runs,
    floor_work_ms_median: round(median(floors.map((f) => f.work_ms))),
    floor_wall_ms_median: round(median(floors.map((f) => f.wall_ms))),
    bin_wall_ms_median: round(median(bins)),
    bin_wall_ms_min: round(Math.min(...bins)),
    bin_wall_ms_max: round(Math.max(...bins)),
  };
  process.stderr.write(`replay floor: ${JSON.stringify(replayFloor)}\n`);
}

// Events/s on a run long enough for the JIT warm-up to be a small part of it.
const LONG_SCALE = 16;
const longRuns: Record<string, LongRun> = {};
if (matches(WHERE_LONG)) {
  const file = join('scenarios', WHERE_LONG);
  const samples = Array.from({ length: opts.longRuns }, () => once(file, ['--scale', String(LONG_SCALE)]));
  const s0 = samples[0]!;
  const run = median(samples.map((x) => x.run_ms));
  const wall = median(samples.map((x) => x.wall_ms));
  const key = `${WHERE_LONG} x${LONG_SCALE}`;
  longRuns[key] = {
    scenario: WHERE_LONG,
    scale: LONG_SCALE,
    runs: samples.length,
    events: s0.events,
    virtual_s: s0.virtual_s,
    run_ms_median: round(run),
    wall_ms_median: round(wall),
    events_per_s: perS(s0.events, run),
    events_per_s_process: perS(s0.events, wall),
  };
  process.stderr.write(`${key}: ${JSON.stringify(longRuns[key])}\n`);
}

// Memory against length, for a synthetic scenario (phases scaled) and a recording (cut shorter).
const memory: Record<string, MemoryByLength> = {};
if (opts.memory) {
  if (matches('burst.yaml')) {
    const scales = opts.quick ? [1, 4] : [1, 2, 4];
    memory['burst.yaml'] = memoryByLength(
      'scenarios/burst.yaml',
      `every phase scaled ${scales.map((k) => `${k}x`).join(', ')} (${scales.map((k) => 5 * k).join(', ')} virtual minutes)`,
      scales.map((k) => ({ label: `${k}x`, args: ['--scale', String(k)] })),
    );
  }
  const replay = 'replay-binance-btcusdt.yaml';
  if (matches(replay)) {
    const seconds = opts.quick ? [60, 345] : [30, 60, 120, 240, 345];
    memory[replay] = memoryByLength(
      join('scenarios', replay),
      `the recording's first ${seconds.join(', ')} s`,
      seconds.map((d) => ({ label: `${d}s`, args: ['--duration-s', String(d)] })),
    );
  }
}

// With filters, the other entries of the previous file stay as they were.
const prev = opts.filters.length > 0 ? readPrevious() : undefined;
const result: WholeRunResult = {
  machine: machineInfo(),
  runs_per_case: opts.runs,
  steady_state: opts.steady ? 'the simulation repeated in one process after a cold run until the median of the last 5 moves < 2% (at most 60); the last 5' : 0,
  harness_s: round((performance.now() - started) / 1000),
  scenarios: Object.fromEntries(Object.entries({ ...prev?.scenarios, ...scenarios }).sort(([a], [b]) => (a < b ? -1 : 1))),
  long_runs: { ...prev?.long_runs, ...longRuns },
  ...(replayFloor ? { replay_floor: replayFloor } : prev?.replay_floor ? { replay_floor: prev.replay_floor } : {}),
  memory_by_length: { ...prev?.memory_by_length, ...memory },
};
await writeFilesAtomically([[OUT, `${JSON.stringify(result, null, 2)}\n`]]);
process.stderr.write(`wrote ${OUT} in ${result.harness_s} s\n`);
