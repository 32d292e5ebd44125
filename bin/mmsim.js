#!/usr/bin/env node
// The TypeScript sources run directly through tsx (a runtime dependency), so `npm ci` is the only set-up.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
