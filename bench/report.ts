/**
 * Regenerates BENCHMARKS.md from bench/results/*.json and bench/notes.md (the hand-written "why" of
 * missed targets). Suites without results yet show as "not measured yet"; an unreadable result file is
 * listed, never silently dropped.
 *
 *   npm run bench:report [-- --results DIR] [--out FILE]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { writeFilesAtomically } from '../src/sim/run/atomic-write.ts';
import { parseNotes, renderBenchmarksMd } from './support/benchmarks-md.ts';
import { BadInputError, parseResultFile } from './support/compare-results.ts';
import type { SuiteResult } from './support/suite.ts';
import type { WholeRunResult } from './support/whole-run-format.ts';

const root = join(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const option = (name: string, dflt: string): string => {
  const at = argv.indexOf(name);
  return at >= 0 && argv[at + 1] ? argv[at + 1]! : dflt;
};
const resultsDir = option('--results', join(root, 'bench/results'));
const outFile = option('--out', join(root, 'BENCHMARKS.md'));

const suites = new Map<string, SuiteResult>();
let wholeRun: WholeRunResult | undefined;
const unreadable: string[] = [];
let files: string[] = [];
try {
  files = readdirSync(resultsDir).filter((f) => f.endsWith('.json')).sort();
} catch {
  process.stderr.write(`bench:report: no results folder ${resultsDir}: every suite shows as not measured yet\n`);
}
for (const f of files) {
  const path = join(resultsDir, f);
  const shown = relative(root, path);
  try {
    const r = parseResultFile(shown, readFileSync(path, 'utf8'));
    if (r.kind === 'suite') suites.set(r.suite.suite, r.suite);
    else wholeRun = r.wholeRun;
  } catch (e) {
    const msg = e instanceof BadInputError ? e.message : `${shown}: ${(e as Error).message}`;
    unreadable.push(msg);
    process.stderr.write(`bench:report: skipped ${msg}\n`);
  }
}
// An older whole-run.json (before memory_by_length) still shows its scenarios.
if (wholeRun && !wholeRun.memory_by_length) wholeRun = { ...wholeRun, memory_by_length: {} };

const expectedSuites = readdirSync(join(root, 'bench/suites'))
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length));
let notes = '';
try {
  notes = readFileSync(join(root, 'bench/notes.md'), 'utf8');
} catch {
  process.stderr.write('bench:report: no bench/notes.md: every "why" shows as not written yet\n');
}

const md = renderBenchmarksMd({ suites, ...(wholeRun ? { wholeRun } : {}), expectedSuites, why: parseNotes(notes), unreadable });
await writeFilesAtomically([[outFile, md]]);
process.stderr.write(`wrote ${relative(process.cwd(), outFile) || outFile} from ${files.length} result file(s)\n`);
