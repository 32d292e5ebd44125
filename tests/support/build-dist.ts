import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * vitest globalSetup: the CLI tests spawn bin/mmsim.js, which runs the compiled dist/. Before any test
 * runs, dist/ is rebuilt if a source is newer than the last build (a walk of src/ when nothing changed),
 * so a test never passes or fails on stale compiled code.
 */
export default function setup(): void {
  const root = join(import.meta.dirname, '..', '..');
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'build-if-stale.js')], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error('dist/ could not be rebuilt (tsc failed, see above): the CLI tests would run stale code');
}
