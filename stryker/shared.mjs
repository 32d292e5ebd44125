// Shared settings of the per-file mutation-testing configs (stryker/<name>.conf.mjs), run by scripts/mutation.js.
// Each config mutates one source file (or a small pair) and runs only the test files that import it, so that
// each run stays within a few minutes on 2 cores. See docs/testing.md.

/**
 * @param {{ name: string, mutate: string[], tests: string[] }} spec
 * @returns {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export function mutationConfig({ name, mutate, tests }) {
  // Read by stryker/vitest.config.mjs in the test-runner processes (children inherit the environment).
  process.env.MMSIM_MUTATION_TESTS = tests.join(',');
  const concurrency = Number(process.env.STRYKER_CONCURRENCY ?? 1);
  return {
    mutate,
    testRunner: 'vitest',
    vitest: { configFile: 'stryker/vitest.config.mjs', related: false },
    coverageAnalysis: 'perTest',
    // Static mutants (module-level constants) would need every test rerun per mutant: skipped, and counted as
    // "ignored" in the report, not as survivors or kills.
    ignoreStatic: true,
    concurrency: Number.isInteger(concurrency) && concurrency > 0 ? concurrency : 1,
    incremental: process.env.STRYKER_INCREMENTAL === '1',
    incrementalFile: `reports/mutation/${name}.incremental.json`,
    reporters: ['clear-text', 'progress', 'html', 'json'],
    htmlReporter: { fileName: `reports/mutation/${name}.html` },
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true },
    tempDirName: '.stryker-tmp',
    cleanTempDir: 'always',
    // Not needed by the unit tests these configs run (the CLI tests, which need dist/, are not run).
    ignorePatterns: ['dist', 'out', 'runs', 'soaks', 'tapes', 'coverage', 'tmp', 'reports', 'bench/results'],
    timeoutMS: 10_000,
    timeoutFactor: 2,
    thresholds: { high: 90, low: 80, break: null },
    disableTypeChecks: 'src/**/*.ts',
  };
}
