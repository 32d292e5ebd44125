import { mutationConfig } from './shared.mjs';

export default mutationConfig({
  name: 'percentiles',
  mutate: ['src/core/percentiles.ts'],
  tests: ['tests/unit/percentiles.test.ts', 'tests/unit/percentiles-exactness.test.ts'],
});
