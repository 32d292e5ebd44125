import { mutationConfig } from './shared.mjs';

export default mutationConfig({
  name: 'queue-model',
  mutate: ['src/sim/exchange/queue-model.ts'],
  tests: ['tests/unit/queue-model.test.ts', 'tests/unit/queue-fill-tape.test.ts', 'tests/property/queue-invariants.test.ts'],
});
