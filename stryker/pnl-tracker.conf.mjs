import { mutationConfig } from './shared.mjs';

export default mutationConfig({
  name: 'pnl-tracker',
  mutate: ['src/core/pnl-tracker.ts'],
  tests: ['tests/unit/pnl-attribution.test.ts', 'tests/unit/pnl-tracker.test.ts', 'tests/unit/taker-orders.test.ts'],
});
