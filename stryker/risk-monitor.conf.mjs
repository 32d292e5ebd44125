import { mutationConfig } from './shared.mjs';

export default mutationConfig({
  name: 'risk-monitor',
  mutate: ['src/core/risk-monitor.ts', 'src/core/risk-samples.ts'],
  tests: ['tests/unit/risk-monitor.test.ts', 'tests/unit/execution-loop.test.ts'],
});
