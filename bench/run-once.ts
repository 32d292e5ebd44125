/**
 * One whole run in this (fresh) process, for bench/whole-run.ts: loads the scenario file, runs it (every
 * variant when it has `variants:`, as `mmsim sim` does), builds report.json (writes nothing) and prints
 * one JSON line: the run's own wall time (file read to report, without Node's start-up), its events, how
 * many samples it kept, and the process's peak resident memory.
 *
 *   node --import tsx bench/run-once.ts scenarios/burst.yaml [--scale 4] [--repeat 4]
 *   node --import tsx bench/run-once.ts scenarios/replay-binance-btcusdt.yaml [--duration-s 60]
 *   node --expose-gc --import tsx bench/run-once.ts ... --live-heap   # also the peak live heap (slower)
 *
 * --scale K        a synthetic scenario with every phase K times as long (faults stay where they are):
 *                  memory against length for the synthetic market.
 * --duration-s N   a replay cut to its first N seconds: memory against length for a recording.
 * --repeat N       run the simulation N times in this process: the first run is cold (what a user sees),
 *                  the others are printed as `warm_sim_ms`.
 * --steady         after the cold run, repeat the simulation in this process until it reaches its steady
 *                  state: the median of the last 5 repeats moves by less than 2% from one repeat to the
 *                  next (at most 60 repeats; `steady.converged` says whether it got there). Runs keep
 *                  getting faster until about the 8th, so a median of the first few is not the steady state.
 * --live-heap      collects garbage between slices of the run and records the largest heap still in use:
 *                  what the run really keeps (peak RSS also shows how lazily V8 gives memory back).
 *
 * Times: `load_ms` reads and validates the scenario, `sim_ms` runs it and builds the report (runScenario),
 * `run_ms` = both, `process_ms` = from the process's start (Node and tsx start-up included) to the end.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { runScenario } from '../src/sim/run/runner.ts';
import type { LoadedScenario } from '../src/sim/scenario/load-scenario.ts';
import { loadScenarioRuns } from '../src/sim/scenario/load-scenario.ts';

const USAGE = 'usage: run-once.ts <scenario.yaml> [--scale K | --duration-s N] [--repeat N | --steady] [--live-heap]';

function fail(message: string): never {
  process.stderr.write(`run-once: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const argv = process.argv.slice(2);
function numberOption(name: string): number | undefined {
  const at = argv.indexOf(name);
  if (at < 0) return undefined;
  const v = Number(argv[at + 1]);
  if (!(v > 0)) fail(`${name} needs a positive number, was ${JSON.stringify(argv[at + 1])}`);
  return v;
}
const file = argv[0];
if (!file || file.startsWith('--')) fail('no scenario file');
const scale = numberOption('--scale');
const durationS = numberOption('--duration-s');
const repeat = Math.floor(numberOption('--repeat') ?? 1);
const liveHeap = argv.includes('--live-heap');
const steady = argv.includes('--steady');
if (steady && repeat > 1) fail('--steady or --repeat, not both');
if (liveHeap && steady) fail('--live-heap measures one run: no --steady');
const gc = (globalThis as { gc?: () => void }).gc;
if (liveHeap && !gc) fail('--live-heap needs node --expose-gc');
if (liveHeap && repeat > 1) fail('--live-heap measures one run: no --repeat');

let peakLive = 0;
const pace = liveHeap
  ? async () => {
      gc!();
      peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
    }
  : undefined;

/** The same scenario over a longer or shorter run: the same code path, only the length changes. */
function resize(s: LoadedScenario): LoadedScenario {
  const m = s.market;
  if (scale !== undefined) {
    if (m.source !== 'synthetic') fail(`--scale is for synthetic scenarios; ${file} is a replay (use --duration-s)`);
    return { ...s, market: { ...m, phases: m.phases.map((p) => ({ ...p, duration: Math.round(p.duration * scale) })) } };
  }
  if (durationS !== undefined) {
    if (m.source !== 'replay') fail(`--duration-s is for replays; ${file} is synthetic (use --scale)`);
    return { ...s, market: { ...m, duration: Math.round(durationS * 1e6) } };
  }
  return s;
}

const start = performance.now();
const scenarios = (await loadScenarioRuns(file)).map(resize);
const loadMs = performance.now() - start;

async function simulate() {
  const t = performance.now();
  const reports = [];
  for (const s of scenarios) reports.push((await runScenario(s, { pace })).report);
  return { ms: performance.now() - t, reports };
}

const first = await simulate();
const runMs = performance.now() - start;
if (liveHeap) {
  // A short run may never pause between slices: the heap at the end (report included) is a floor.
  gc!();
  peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
}
const warm: number[] = [];
for (let i = 1; i < repeat; i++) warm.push((await simulate()).ms);

const STEADY_WINDOW = 5;
const STEADY_TOLERANCE = 0.02;
const STEADY_MAX = 60;
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
/** Repeats until the median of the last STEADY_WINDOW runs moves by less than STEADY_TOLERANCE between two repeats. */
async function steadyState(): Promise<{ repeats: number; converged: boolean; sim_ms_median: number; sim_ms_min: number; sim_ms: number[] }> {
  const ms: number[] = [];
  let prev = NaN;
  let converged = false;
  while (ms.length < STEADY_MAX) {
    ms.push((await simulate()).ms);
    if (ms.length < STEADY_WINDOW) continue;
    const m = median(ms.slice(-STEADY_WINDOW));
    if (Math.abs(m - prev) < STEADY_TOLERANCE * prev) {
      converged = true;
      break;
    }
    prev = m;
  }
  const last = ms.slice(-STEADY_WINDOW);
  return { repeats: ms.length, converged, sim_ms_median: median(last), sim_ms_min: Math.min(...last), sim_ms: ms };
}
const steadyResult = steady ? await steadyState() : undefined;

const reports = first.reports;
const sum = (f: (r: (typeof reports)[number]) => number): number => reports.reduce((t, r) => t + f(r), 0);
const digests = reports.map((r) => r.execution.digest);
process.stdout.write(
  `${JSON.stringify({
    variants: reports.length,
    load_ms: loadMs,
    sim_ms: first.ms,
    run_ms: runMs,
    process_ms: performance.now(),
    ...(warm.length > 0 ? { warm_sim_ms: warm } : {}),
    ...(steadyResult ? { steady: steadyResult } : {}),
    events: sum((r) => r.execution.events),
    // One digest for the file: the run's own, or a hash of the variants' digests in their order.
    digest: digests.length === 1 ? digests[0] : createHash('sha256').update(digests.join('\n')).digest('hex'),
    virtual_s: sum((r) => r.execution.duration_s),
    latency_samples: sum((r) => Object.values(r.summary.latency_ms).reduce((t, l) => t + l.count, 0)),
    risk_samples: sum((r) => r.summary.risk_samples),
    fills: sum((r) => r.summary.fills),
    max_rss_mb: process.resourceUsage().maxRSS / 1024,
    heap_used_mb: process.memoryUsage().heapUsed / 2 ** 20,
    ...(liveHeap ? { peak_live_heap_mb: peakLive / 2 ** 20 } : {}),
  })}\n`,
);
