import { mutationConfig } from './shared.mjs';

export default mutationConfig({
  name: 'taker-match',
  mutate: ['src/sim/exchange/taker-match.ts'],
  tests: ['tests/unit/exchange-rules.test.ts', 'tests/unit/sim-exchange.test.ts', 'tests/unit/queue-fill-tape.test.ts', 'tests/unit/taker-orders.test.ts', 'tests/unit/strategy-feed.test.ts'],
});
