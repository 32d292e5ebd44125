import { mutationConfig } from './shared.mjs';

export default mutationConfig({
  name: 'rate-limit-backoff',
  mutate: ['src/core/rate-limit-backoff.ts'],
  tests: ['tests/unit/order-session.test.ts', 'tests/unit/strategy-host.test.ts', 'tests/unit/strategy-feed.test.ts', 'tests/unit/taker-orders.test.ts', 'tests/integration/risk-limits.test.ts'],
});
