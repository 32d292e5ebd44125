import { mutationConfig } from './shared.mjs';

export default mutationConfig({
  name: 'audit-input',
  mutate: ['src/sim/soak/audit-input.ts'],
  tests: ['tests/unit/audit-input.test.ts', 'tests/unit/audit-table.test.ts'],
});
