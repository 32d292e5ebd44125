// The vitest config of the mutation runs: only the test files listed by the stryker/<name>.conf.mjs being run
// (passed in MMSIM_MUTATION_TESTS), and no globalSetup (no dist/ build: the CLI tests are not part of these runs).
import { defineConfig } from 'vitest/config';

const tests = (process.env.MMSIM_MUTATION_TESTS ?? '').split(',').filter(Boolean);
if (tests.length === 0) throw new Error('stryker/vitest.config.mjs: MMSIM_MUTATION_TESTS is empty (run it through scripts/mutation.js)');

export default defineConfig({
  test: {
    include: tests,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
