/**
 * burst.yaml (or any scenario) repeated in this process until the median of the runs so far moves less
 * than 2% between repeats (at least --min runs): the steady-state events per second, once V8 has compiled
 * the hot code. Prints one JSON line.
 *
 *   node --import tsx bench/steady-state.ts scenarios/burst.yaml [--dist [DIR]] [--min 12] [--max 60]
 *   node --cpu-prof --cpu-prof-dir /tmp/prof --import tsx bench/steady-state.ts scenarios/burst.yaml --max 20
 */
import { performance } from 'node:perf_hooks';
import type * as Runner from '../src/sim/run/runner.ts';
import type * as Load from '../src/sim/scenario/load-scenario.ts';

const argv = process.argv.slice(2);
const file = argv[0] ?? 'scenarios/burst.yaml';
const opt = (name: string, dflt: number): number => {
  const at = argv.indexOf(name);
  return at < 0 ? dflt : Number(argv[at + 1]);
};
// --dist runs the compiled build (what `mmsim sim` runs); without it, the sources through tsx, whose
// keepNames transform adds a __name() call per closure created and distorts a profile.
// --dist DIR: another build (e.g. of the previous commit, for a before/after in one session).
const distAt = argv.indexOf('--dist');
const distDir = distAt >= 0 && argv[distAt + 1] && !argv[distAt + 1]!.startsWith('--') ? argv[distAt + 1]! : 'dist';
const base = distAt >= 0 ? new URL(`../${distDir}`, import.meta.url).href : '../src';
const ext = distAt >= 0 ? 'js' : 'ts';
const { runScenario } = (await import(`${base}/sim/run/runner.${ext}`)) as typeof Runner;
const { loadScenarioRuns } = (await import(`${base}/sim/scenario/load-scenario.${ext}`)) as typeof Load;
const minRuns = opt('--min', 12);
const maxRuns = opt('--max', 60);

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const scenarios = await loadScenarioRuns(file);
const times: number[] = [];
// CPU time of the process per run too: on a loaded machine it moves far less than wall time.
const cpu: number[] = [];
let events = 0;
let digest = '';
let prev = Infinity;
for (let i = 0; i < maxRuns; i++) {
  const t = performance.now();
  const c = process.cpuUsage();
  events = 0;
  for (const s of scenarios) {
    const r = (await runScenario(s)).report;
    events += r.execution.events;
    digest = r.execution.digest;
  }
  times.push(performance.now() - t);
  const dc = process.cpuUsage(c);
  cpu.push((dc.user + dc.system) / 1000);
  // Steady state: the median of the second half (the JIT's warm-up left behind) moves < 2%.
  const m = median(times.slice(times.length >> 1));
  if (times.length >= minRuns && Math.abs(m - prev) / prev < 0.02) break;
  prev = m;
}
const steady = median(times.slice(times.length >> 1));
const steadyCpu = median(cpu.slice(cpu.length >> 1));
process.stdout.write(
  `${JSON.stringify({
    file,
    runs: times.length,
    events,
    digest,
    cold_ms: Math.round(times[0]! * 10) / 10,
    steady_ms: Math.round(steady * 100) / 100,
    steady_events_per_s: Math.round(events / (steady / 1000)),
    steady_cpu_ms: Math.round(steadyCpu * 100) / 100,
    steady_events_per_cpu_s: Math.round(events / (steadyCpu / 1000)),
    cold_events_per_s: Math.round(events / (times[0]! / 1000)),
  })}\n`,
);
