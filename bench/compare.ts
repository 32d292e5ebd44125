/**
 * Compares benchmark results before and after a change: two result files, or two folders of them
 * (suites matched by name; whole-run.json with whole-run.json).
 *
 *   cp -r bench/results tmp/before      # before the change
 *   npm run bench                        # after it
 *   npm run bench:compare -- tmp/before bench/results [--threshold 5]
 *
 * Prints a table per suite group (and per scenario for whole runs): old, new, ratio and the two margins
 * of error, with a verdict per case. Exit codes: 0 no regression; 1 at least one case is slower by more
 * than the threshold (default 10%) and by more than its two margins of error added; 2 bad input (a
 * missing file, not JSON, not a result file, a bad option), one line naming the file; 3 an internal
 * error (MMSIM_DEBUG=1 prints its stack).
 */
import { BadInputError, compareResults, formatComparison, readResults } from './support/compare-results.ts';

const USAGE = 'usage: npm run bench:compare -- <old file or folder> <new file or folder> [--threshold PCT]';

function usage(message: string): never {
  process.stderr.write(`bench:compare: ${message}\n${USAGE}\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let threshold = 10;
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--threshold' || a.startsWith('--threshold=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      threshold = Number(v);
      if (v === undefined || v === '' || !Number.isFinite(threshold) || threshold < 0) usage(`--threshold needs a percentage (e.g. 5), was ${JSON.stringify(v ?? null)}`);
    } else if (a.startsWith('--')) usage(`unknown option ${a}`);
    else paths.push(a);
  }
  if (paths.length !== 2) usage(`expected two paths (old and new), got ${paths.length}`);
  const [oldPath, newPath] = paths as [string, string];
  const [o, n] = [await readResults(oldPath), await readResults(newPath)];
  if (o.folder !== n.folder) {
    const [folder, file] = o.folder ? [oldPath, newPath] : [newPath, oldPath];
    throw new BadInputError(folder, `is a folder but ${file} is a file: compare two files or two folders`);
  }
  const c = compareResults(o.results, n.results, threshold);
  process.stdout.write(formatComparison(c));
  if (c.tables.length === 0) {
    process.stderr.write(`bench:compare: ${oldPath} and ${newPath} have no suite in common\n`);
    return 2;
  }
  return c.regressions > 0 ? 1 : 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  if (e instanceof BadInputError) {
    process.stderr.write(`bench:compare: ${e.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`bench:compare: internal error: ${(e as Error).message}\n`);
    if (process.env.MMSIM_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    process.exitCode = 3;
  }
}
