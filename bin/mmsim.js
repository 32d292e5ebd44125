#!/usr/bin/env node
// Runs the compiled CLI in dist/, which `npm ci` (the prepare script) and `npm run build` write.
// In a checkout, `npm run sim` and the tests rebuild dist/ first when a source changed
// (scripts/build-if-stale.js); tsx is loaded only for users' own .ts strategies.
import { existsSync } from 'node:fs';
import { URL, fileURLToPath } from 'node:url';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('mmsim: dist/ is missing: run `npm run build` (npm ci and npm install run it)\n');
  process.exit(2);
}
// `mmsim schema | head` closes the pipe early: that is the reader's choice, not an error to print.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const { main: run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
