/**
 * The test suite's wall time as a developer waits for it: `npm test` is the lint (tsc --noEmit, eslint)
 * then `vitest run` (its globalSetup rebuilds dist/ when stale, so dist/ is built first, untimed). Each
 * step is timed in a child process, once (the suite takes minutes), with the scenario runs the test
 * files share emptied first, as after a change to the code; DESIGN "Performance": about 90 s on 2 quiet
 * cores. Skipped with BENCH_QUICK=1.
 *
 *   node --import tsx bench/suites/test-suite.bench.ts        (or: npm run bench -- --only test-suite)
 *
 * Cases: "npm test: lint + vitest run" (the target), "npm test: lint", "npm test: vitest run". A failing
 * step still has its time recorded, with the exit code in the notes.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFilesAtomically } from '../../src/sim/run/atomic-write.ts';
import { machineInfo } from '../support/machine.ts';
import type { CaseResult, SuiteResult } from '../support/suite.ts';
import { RESULTS_DIR } from '../support/suite.ts';

const root = join(import.meta.dirname, '..', '..');
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function timed(args: string[]): { ms: number; code: number | null } {
  const t = performance.now();
  const r = spawnSync(npx, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CI: '' } });
  return { ms: performance.now() - t, code: r.status };
}

if (process.env.BENCH_QUICK === '1') {
  process.stderr.write('test-suite: skipped with --quick (the suite takes minutes); bench/results/test-suite.json is left as it was\n');
  process.exit(0);
}
spawnSync(process.execPath, [join(root, 'scripts/build-if-stale.js')], { cwd: root, stdio: 'inherit' });
// Timed as after a change to the code: the runs the test files share start empty (tests/support/shared-runs.ts).
rmSync(join(tmpdir(), 'mmsim-test-runs'), { recursive: true, force: true });
const tsc = timed(['tsc', '--noEmit']);
const eslint = timed(['eslint', '.']);
const vitest = timed(['vitest', 'run']);
const lintMs = tsc.ms + eslint.ms;

const kase = (contender: string, ms: number): CaseResult => ({
  name: `npm test: ${contender}`,
  group: 'npm test',
  contender,
  ops: 1000 / ms,
  margin: 0,
  samples: 1,
  ns_per_op: ms * 1e6,
  median_ns_per_op: ms * 1e6,
});
const result: SuiteResult = {
  suite: 'test-suite',
  machine: machineInfo(),
  results: [kase('lint + vitest run', lintMs + vitest.ms), kase('lint', lintMs), kase('vitest run', vitest.ms)],
  notes: {
    method: 'one timing of each step in a child process, after dist/ is built; npm test = tsc --noEmit, eslint ., vitest run',
    exit_codes: { tsc: tsc.code, eslint: eslint.code, vitest: vitest.code },
    seconds: { tsc: tsc.ms / 1000, eslint: eslint.ms / 1000, vitest: vitest.ms / 1000 },
  },
};
await writeFilesAtomically([[join(RESULTS_DIR, 'test-suite.json'), `${JSON.stringify(result, null, 2)}\n`]]);
process.stderr.write(`npm test: lint ${(lintMs / 1000).toFixed(1)} s + vitest ${(vitest.ms / 1000).toFixed(1)} s\n`);
