/**
 * One whole run in this (fresh) process, for bench/whole-run.ts: loads the scenario, runs it, builds
 * report.json (writes nothing) and prints one JSON line: the run's own wall time (file read to report,
 * without Node's start-up), its events, and the process's peak resident memory.
 *
 *   node --import tsx bench/run-once.ts scenarios/burst.yaml [--duration-s 60]
 *   node --expose-gc --import tsx bench/run-once.ts ... --live-heap   # also the peak live heap (slower)
 *
 * --live-heap collects garbage between slices of the run and records the largest heap still in use: what
 * the run really keeps (peak RSS also shows how lazily V8 gives memory back).
 */
import { performance } from 'node:perf_hooks';
import { runScenario } from '../src/sim/runner.ts';
import { loadScenario } from '../src/sim/scenario/load-scenario.ts';

const argv = process.argv.slice(2);
const file = argv[0];
if (!file) throw new Error('usage: run-once.ts <scenario.yaml> [--duration-s N] [--live-heap]');
const durationAt = argv.indexOf('--duration-s');
const liveHeap = argv.includes('--live-heap');
const gc = (globalThis as { gc?: () => void }).gc;
if (liveHeap && !gc) throw new Error('--live-heap needs node --expose-gc');
let peakLive = 0;
const pace = liveHeap
  ? async () => {
      gc!();
      peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
    }
  : undefined;
const start = performance.now();
const loaded = await loadScenario(file);
// A replay cut to its first N seconds: the same code path, a shorter recording (memory against length).
const scenario =
  durationAt >= 0 && loaded.market.source === 'replay' ? { ...loaded, market: { ...loaded.market, duration: Number(argv[durationAt + 1]) * 1e6 } } : loaded;
const result = await runScenario(scenario, { pace });
const runMs = performance.now() - start;
if (liveHeap) {
  // A short replay may never pause between slices: the heap at the end (report included) is a floor.
  gc!();
  peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
}
process.stdout.write(
  `${JSON.stringify({
    run_ms: runMs,
    events: result.report.execution.events,
    digest: result.report.execution.digest,
    virtual_s: result.report.execution.duration_s,
    max_rss_mb: process.resourceUsage().maxRSS / 1024,
    heap_used_mb: process.memoryUsage().heapUsed / 2 ** 20,
    ...(liveHeap ? { peak_live_heap_mb: peakLive / 2 ** 20 } : {}),
  })}\n`,
);
