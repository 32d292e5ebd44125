import { mutationConfig } from './shared.mjs';

export default mutationConfig({
  name: 'audit-table',
  mutate: ['src/sim/soak/audit-table.ts'],
  tests: ['tests/unit/audit-table.test.ts'],
});
