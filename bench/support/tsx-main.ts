// The CLI run from its TypeScript sources through tsx, as every command ran before the compiled bin:
// what bin/mmsim.js does with dist/cli/main.js, done with src/cli/main.ts. Used by the start-up suite.
//
//   node --import tsx bench/support/tsx-main.ts --help
import { main } from '../../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
