#!/usr/bin/env node
// Rebuilds dist/ when a source is newer than the last build, so that `npm run sim` and the tests never run
// stale compiled code. The check is a walk of src/ comparing modification times (a few milliseconds);
// only when something changed does it pay for `tsc -p tsconfig.build.json` (incremental: about 3 s of CPU
// after a one-file edit, 8 s from nothing). A deleted or renamed file changes its folder's time, so it
// counts as a change too.
//
//   node scripts/build-if-stale.js          # exit 0 when dist/ is current (built or not), 1 when tsc failed
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
// tsc writes this file on every build that emits; it is touched after every successful build as well.
const stamp = join(root, 'dist', '.tsbuildinfo');

function newestMtime(dir) {
  let newest = statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function builtAt() {
  try {
    return statSync(stamp).mtimeMs;
  } catch {
    return -Infinity;
  }
}

function newestInput() {
  return Math.max(newestMtime(join(root, 'src')), ...['tsconfig.json', 'tsconfig.build.json'].map((f) => statSync(join(root, f)).mtimeMs));
}

const inputs = newestInput();
if (inputs > builtAt()) {
  const startedAt = Date.now();
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  process.stderr.write('mmsim: sources changed since the last build; rebuilding dist/ (tsc -p tsconfig.build.json)\n');
  const run = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (run.status !== 0) {
    process.stderr.write('mmsim: the build failed (see the errors above); dist/ may be stale\n');
    process.exit(1);
  }
  // An edit that leaves the content as it was (a touch, a checkout) makes tsc emit nothing: mark the
  // build current anyway, or every later check would run tsc again. The stamp is the time the build
  // started, so a file saved while tsc ran counts as changed next time; a source dated in the future
  // (a clock skew, an extracted archive) would be newer than that for ever, so it takes its time then.
  const at = new Date(Math.max(startedAt, Math.ceil(inputs) + 1)); // + 1: a Date has whole milliseconds, mtimes finer
  closeSync(openSync(stamp, 'a'));
  utimesSync(stamp, at, at);
}
