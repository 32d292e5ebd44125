import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The CLI tests run the compiled bin: rebuild dist/ first when a source changed.
    globalSetup: ['tests/support/build-dist.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // CI also writes a machine-readable result, from which .ci/run prints its closing line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'out/vitest-results.json' }]] : ['default'],
  },
});
