/**
 * The whole-run harness: each scenario in a fresh process, several times, reporting the median wall time
 * (of the process, and of the run alone without Node's start-up), simulated events per second and peak
 * memory. For the replays, peak memory against the length replayed (the first 60 s, 120 s, ... of the
 * recording): it must stay flat. Writes bench/results/whole-run.json.
 *
 *   npm run bench:runs                       # every scenario, 5 runs each
 *   npm run bench:runs -- --runs 9 replay    # only scenarios whose file name contains "replay"
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFilesAtomically } from '../src/sim/atomic-write.ts';

interface Sample {
  wall_ms: number;
  run_ms: number;
  events: number;
  digest: string;
  virtual_s: number;
  max_rss_mb: number;
  peak_live_heap_mb?: number;
}

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
const filters = args.filter((a, i) => !a.startsWith('--') && (runsAt < 0 || i !== runsAt + 1));
const root = join(import.meta.dirname, '..');

function once(file: string, extra: string[] = []): Sample {
  const t = performance.now();
  const flags = extra.includes('--live-heap') ? ['--expose-gc'] : [];
  const out = execFileSync(process.execPath, [...flags, '--import', 'tsx', join(root, 'bench/run-once.ts'), file, ...extra], { cwd: root, encoding: 'utf8' });
  const wall = performance.now() - t;
  return { wall_ms: wall, ...(JSON.parse(out.trim().split('\n').pop()!) as Omit<Sample, 'wall_ms'>) };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

function summarise(samples: Sample[]) {
  const run = median(samples.map((s) => s.run_ms));
  return {
    runs: samples.length,
    events: samples[0]!.events,
    virtual_s: samples[0]!.virtual_s,
    same_digest_every_run: samples.every((s) => s.digest === samples[0]!.digest),
    wall_ms_median: round(median(samples.map((s) => s.wall_ms))),
    run_ms_median: round(run),
    run_ms_min: round(Math.min(...samples.map((s) => s.run_ms))),
    run_ms_max: round(Math.max(...samples.map((s) => s.run_ms))),
    events_per_s: Math.round(samples[0]!.events / (run / 1000)),
    max_rss_mb_median: round(median(samples.map((s) => s.max_rss_mb))),
  };
}

const scenarios = readdirSync(join(root, 'scenarios'))
  .filter((f) => f.endsWith('.yaml') && (filters.length === 0 || filters.some((x) => f.includes(x))))
  .sort();
const results: Record<string, unknown> = {};
for (const f of scenarios) {
  const samples = Array.from({ length: runs }, () => once(join('scenarios', f)));
  results[f] = summarise(samples);
  process.stderr.write(`${f}: ${JSON.stringify(results[f])}\n`);
}

// Memory against length: the Binance replay cut to growing durations, same process model.
const memory: Record<string, unknown> = {};
const replay = 'scenarios/replay-binance-btcusdt.yaml';
if (filters.length === 0 || filters.some((x) => replay.includes(x))) {
  for (const d of [30, 60, 120, 240, 345]) {
    const samples = Array.from({ length: 3 }, () => once(replay, ['--duration-s', String(d), '--live-heap']));
    memory[`${d}s`] = {
      events: samples[0]!.events,
      peak_live_heap_mb: round(median(samples.map((s) => s.peak_live_heap_mb!))),
      max_rss_mb: round(median(samples.map((s) => s.max_rss_mb))),
    };
    process.stderr.write(`${replay} first ${d}s: ${JSON.stringify(memory[`${d}s`])}\n`);
  }
}

const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memory_gb: round(totalmem() / 2 ** 30), node: process.version };
const out = join(root, 'bench/results/whole-run.json');
await writeFilesAtomically([[out, `${JSON.stringify({ machine, runs_per_case: runs, scenarios: results, replay_memory_by_length: memory }, null, 2)}\n`]]);
process.stderr.write(`wrote ${out}\n`);
