/**
 * `npm run bench`: every bench/suites/*.bench.ts in a fresh process of its own
 * (`node --expose-gc --import tsx <file>`, one after the other, never in parallel), then the whole-run
 * harness (bench/whole-run.ts), then BENCHMARKS.md (bench/report.ts). Each step writes its
 * bench/results/<name>.json; a step that fails is reported at the end and makes the exit code 1, the
 * others still run and the report is still written.
 *
 *   npm run bench                                  # everything, a few minutes on a 2-core machine
 *   npm run bench -- --only percentiles            # one suite (comma-separated or repeated; "whole-run" too)
 *   npm run bench -- --skip whole-run              # everything but
 *   npm run bench -- --quick                       # fewer runs (suites see BENCH_QUICK=1)
 *   npm run bench -- --runs 7                      # whole-run: fresh processes per scenario (default 3, --quick 2)
 *
 * The whole-run step here uses fewer runs than `npm run bench:runs` alone (see below).
 *   npm run bench -- --no-report                   # leave BENCHMARKS.md alone
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = join(import.meta.dirname, '..');
const WHOLE_RUN = 'whole-run';
const USAGE = 'usage: npm run bench -- [--only NAME[,NAME]] [--skip NAME[,NAME]] [--quick] [--runs N] [--no-report]';

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const suiteFiles = new Map(
  readdirSync(join(root, 'bench/suites'))
    .filter((f) => f.endsWith('.bench.ts'))
    .sort()
    .map((f) => [f.slice(0, -'.bench.ts'.length), join('bench/suites', f)] as const),
);
const known = [...suiteFiles.keys(), WHOLE_RUN];

const argv = process.argv.slice(2);
const only: string[] = [];
const skip: string[] = [];
let quick = false;
let report = true;
let runs: number | undefined;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  const value = (): string => argv[++i] ?? fail(`${a} needs a value`);
  if (a === '--only') only.push(...value().split(','));
  else if (a === '--skip') skip.push(...value().split(','));
  else if (a === '--quick') quick = true;
  else if (a === '--no-report') report = false;
  else if (a === '--runs') {
    runs = Number(value());
    if (!Number.isInteger(runs) || runs < 1) fail(`--runs needs a whole number >= 1, was ${argv[i]}`);
  } else if (a === '--help' || a === '-h') {
    process.stdout.write(`${USAGE}\nsuites: ${known.join(', ')}\n`);
    process.exit(0);
  } else fail(`unknown argument ${a}`);
}
for (const n of [...only, ...skip]) if (!known.includes(n)) fail(`no suite "${n}" (known: ${known.join(', ')})`);
const selected = known.filter((n) => (only.length === 0 || only.includes(n)) && !skip.includes(n));

interface Step {
  readonly name: string;
  readonly seconds: number;
  readonly ok: boolean;
  readonly why?: string;
}

function run(name: string, args: string[], env: NodeJS.ProcessEnv = process.env): Step {
  process.stderr.write(`\n=== ${name}: node ${args.join(' ')}\n`);
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env });
  const seconds = (performance.now() - t) / 1000;
  const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : r.status !== 0 ? `exit code ${r.status}` : undefined;
  return { name, seconds, ok: why === undefined, ...(why ? { why } : {}) };
}

const steps: Step[] = [];
const env = quick ? { ...process.env, BENCH_QUICK: '1' } : process.env;
for (const name of selected) {
  if (name === WHOLE_RUN) continue;
  steps.push(run(name, ['--expose-gc', '--import', 'tsx', suiteFiles.get(name)!], env));
}
if (selected.includes(WHOLE_RUN)) {
  // Fewer runs than bench:runs' defaults keep the whole of `npm run bench` to a few minutes: 3 fresh
  // processes per scenario (their spread is bench:compare's noise), one steady-state process each, one
  // 16x burst run, and one process per length for memory (the peak live heap after GC barely moves from run to run).
  const wholeRunArgs = quick ? ['--quick', '--runs', String(runs ?? 2)] : ['--runs', String(runs ?? 3), '--long-runs', '1', '--memory-runs', '1'];
  steps.push(run(WHOLE_RUN, ['--import', 'tsx', 'bench/whole-run.ts', ...wholeRunArgs]));
}
if (report) steps.push(run('report', ['--import', 'tsx', 'bench/report.ts']));

process.stderr.write('\n=== summary\n');
for (const s of steps) process.stderr.write(`${s.ok ? 'ok    ' : 'FAILED'}  ${s.name.padEnd(14)} ${s.seconds.toFixed(1).padStart(6)} s${s.why ? `  (${s.why})` : ''}\n`);
const total = steps.reduce((t, s) => t + s.seconds, 0);
process.stderr.write(`total ${total.toFixed(0)} s; results in bench/results/${report ? ', report in BENCHMARKS.md' : ''}\n`);
process.exitCode = steps.every((s) => s.ok) ? 0 : 1;
