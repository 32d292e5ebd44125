/**
 * Start-up: the CLI as whole processes, the way a user waits for it, through the compiled bin
 * (`node bin/mmsim.js`, which imports dist/cli/main.js) against tsx on the sources
 * (`node --import tsx bench/support/tsx-main.ts`, the same main() from src/cli/main.ts: how every
 * command ran before the package was built). Two commands: `mmsim --help` (start-up alone) and the
 * main job, `mmsim sim scenarios/burst.yaml --quiet` into a temporary folder.
 *
 * Each case runs RUNS times (BENCH_QUICK=1: 3), the contenders interleaved run by run so that a busy
 * spell of a shared machine hits both; dist/ is rebuilt first if a source is newer
 * (scripts/build-if-stale.js). Reported per case: the median wall time of the process; `ops` is its
 * inverse, and the "± margin" is half the min-max spread of the runs in percent of the median (not
 * benny's confidence interval: these are a handful of processes, not benny samples).
 *
 *   node --import tsx bench/suites/startup.bench.ts        # or: npm run bench -- --only startup
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFilesAtomically } from '../../src/sim/run/atomic-write.ts';
import { machineInfo } from '../support/machine.ts';
import { RESULTS_DIR } from '../support/suite.ts';
import type { CaseResult, SuiteResult } from '../support/suite.ts';

const root = join(import.meta.dirname, '../..');
const RUNS = process.env.BENCH_QUICK === '1' ? 3 : 7;

const CONTENDERS = {
  'compiled bin (dist)': ['bin/mmsim.js'],
  'tsx on the sources': ['--import', 'tsx', 'bench/support/tsx-main.ts'],
} as const;

function wallMs(args: readonly string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return ms;
}

const build = spawnSync(process.execPath, ['scripts/build-if-stale.js'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) throw new Error('scripts/build-if-stale.js failed: dist/ cannot be built');

const tmp = mkdtempSync(join(tmpdir(), 'mmsim-startup-'));
const commands = {
  'mmsim --help': ['--help'],
  'sim burst.yaml': ['sim', 'scenarios/burst.yaml', '--quiet', '--out', join(tmp, 'burst')],
} as const;

const results: CaseResult[] = [];
try {
  for (const [group, command] of Object.entries(commands)) {
    const times = new Map<string, number[]>(Object.keys(CONTENDERS).map((c) => [c, []]));
    for (const prefix of Object.values(CONTENDERS)) wallMs([...prefix, ...command]); // warm the disk cache
    for (let i = 0; i < RUNS; i++) {
      for (const [contender, prefix] of Object.entries(CONTENDERS)) times.get(contender)!.push(wallMs([...prefix, ...command]));
    }
    for (const [contender, ms] of times) {
      const sorted = [...ms].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      const mean = ms.reduce((s, x) => s + x, 0) / ms.length;
      results.push({
        name: `${group}: ${contender}`,
        group,
        contender,
        ops: 1000 / median,
        margin: ((sorted.at(-1)! - sorted[0]!) / 2 / median) * 100,
        samples: ms.length,
        ns_per_op: mean * 1e6,
        median_ns_per_op: median * 1e6,
      });
      process.stdout.write(`${group.padEnd(16)} ${contender.padEnd(22)} median ${median.toFixed(0).padStart(6)} ms  [${sorted[0]!.toFixed(0)}-${sorted.at(-1)!.toFixed(0)}]\n`);
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const result: SuiteResult = {
  suite: 'startup',
  machine: machineInfo(),
  results,
  notes: {
    workload: `whole processes, ${RUNS} runs per case interleaved, after one warm-up run each; wall time from spawn to exit`,
    margin: 'half the min-max spread of the runs, percent of the median',
    compiled: 'node bin/mmsim.js <args> (dist/cli/main.js, built by tsc -p tsconfig.build.json)',
    tsx: 'node --import tsx bench/support/tsx-main.ts <args> (src/cli/main.ts through tsx)',
  },
};
await writeFilesAtomically([[join(RESULTS_DIR, 'startup.json'), `${JSON.stringify(result, null, 2)}\n`]]);
