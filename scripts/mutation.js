#!/usr/bin/env node
// Mutation testing of the core logic (see docs/testing.md): runs stryker/<name>.conf.mjs one after another and
// prints each file's score from the JSON reports in reports/mutation/.
//   node scripts/mutation.js                 every config, smallest first
//   node scripts/mutation.js recon-round     one (or several) by name
//   node scripts/mutation.js --summary       only print the scores of the last runs
// Environment: STRYKER_CONCURRENCY=<n> test runners (default 1), STRYKER_INCREMENTAL=1 reuses the previous results
// (reports/mutation/<name>.incremental.json) for mutants whose code and tests did not change.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Smallest first (by mutant count), so that a broken setup shows early.
const ALL = [
  'rate-limit-backoff', 'risk-monitor', 'taker-match', 'queue-model', 'recon-round', 'session-watchdog', 'live-orders',
  'maker-match', 'audit-input', 'audit-table', 'venue-rules', 'strategy-host', 'pnl-tracker', 'order-manager', 'percentiles',
];

const args = process.argv.slice(2);
const summaryOnly = args.includes('--summary');
const names = args.filter((a) => !a.startsWith('--'));
for (const name of names) {
  if (!ALL.includes(name)) {
    console.error(`mutation: unknown config '${name}' (one of: ${ALL.join(', ')})`);
    process.exit(2);
  }
}
const selected = names.length > 0 ? names : ALL;

let failed = false;
if (!summaryOnly) {
  const bin = join(root, 'node_modules', '.bin', 'stryker');
  for (const name of selected) {
    const started = Date.now();
    console.log(`\n=== mutation: ${name} ===`);
    const run = spawnSync(bin, ['run', join('stryker', `${name}.conf.mjs`)], { cwd: root, stdio: 'inherit' });
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    console.log(`=== mutation: ${name} done in ${minutes} min (exit ${run.status}) ===`);
    if (run.status !== 0) failed = true;
  }
}

/** Per mutated file: counts by status and the score (killed + timed out over all but ignored/compile errors). */
function summarize(name) {
  const file = join(root, 'reports', 'mutation', `${name}.json`);
  if (!existsSync(file)) return [];
  const report = JSON.parse(readFileSync(file, 'utf8'));
  return Object.entries(report.files).map(([path, { mutants }]) => {
    const count = (status) => mutants.filter((m) => m.status === status).length;
    const killed = count('Killed');
    const timeout = count('Timeout');
    const survived = count('Survived');
    const noCoverage = count('NoCoverage');
    const ignored = count('Ignored');
    const errors = count('CompileError') + count('RuntimeError');
    const valid = killed + timeout + survived + noCoverage;
    const score = valid === 0 ? 100 : (100 * (killed + timeout)) / valid;
    return { path, mutants: mutants.length, killed, timeout, survived, noCoverage, ignored, errors, score };
  });
}

const rows = selected.flatMap(summarize);
if (rows.length > 0) {
  console.log('\nfile | mutants | killed | timeout | survived | no cov | ignored | errors | score');
  for (const r of rows) {
    console.log(
      `${r.path} | ${r.mutants} | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.noCoverage} | ${r.ignored} | ${r.errors} | ${r.score.toFixed(1)}%`,
    );
  }
  const below = rows.filter((r) => r.score < 90);
  if (below.length > 0) console.log(`\nbelow 90%: ${below.map((r) => r.path).join(', ')}`);
}
process.exit(failed ? 1 : 0);
