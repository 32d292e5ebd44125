// The files a run reads besides its scenario text (replay recordings, empirical latency CSVs, a strategy
// module): a queued run carries each one's path and sha256, and a worker checks that it has the same file
// at the same relative path before it runs (a worker never runs on other data than the coordinator's).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { InputError } from '../../core/errors.ts';
import type { LoadedScenario } from '../scenario/load-scenario.ts';

export interface DataFile {
  /** Relative to the working directory (absolute when the file lies outside it). */
  readonly path: string;
  readonly sha256: string;
}

/** Every `file:` under exchange.latency (empirical distributions), relative to the scenario file. */
function latencyFiles(node: unknown, out: string[]): void {
  if (Array.isArray(node)) for (const n of node) latencyFiles(n, out);
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'file' && typeof value === 'string') out.push(value);
      else latencyFiles(value, out);
    }
  }
}

/** The absolute paths of the files `scenario` (loaded from `file`) reads, sorted, each once. */
export function dataFilePaths(scenario: LoadedScenario, file: string): string[] {
  const dir = dirname(resolve(file));
  const rel: string[] = [];
  latencyFiles(scenario.exchange.latency, rel);
  const paths = [...rel.map((p) => resolve(dir, p)), ...(scenario.replayPaths ?? []), ...(scenario.strategyPath ? [scenario.strategyPath] : [])];
  return [...new Set(paths)].sort();
}

export async function sha256File(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/** The data files of a run, as the coordinator has them. */
export async function dataFiles(scenario: LoadedScenario, file: string, cwd = process.cwd()): Promise<DataFile[]> {
  const out: DataFile[] = [];
  for (const abs of dataFilePaths(scenario, file)) {
    const rel = relative(cwd, abs);
    let sha256: string;
    try {
      sha256 = await sha256File(abs);
    } catch (err) {
      throw new InputError(`${file}: cannot read ${abs} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    out.push({ path: rel.startsWith('..') || isAbsolute(rel) ? abs : rel, sha256 });
  }
  return out;
}

/** Why this machine cannot run a job with `files` (missing or different files), or undefined when it can. */
export async function checkDataFiles(files: readonly DataFile[], cwd = process.cwd()): Promise<string | undefined> {
  const problems: string[] = [];
  for (const f of files) {
    const abs = resolve(cwd, f.path);
    let sha: string;
    try {
      sha = await sha256File(abs);
    } catch (err) {
      problems.push(`${f.path}: missing here (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      continue;
    }
    if (sha !== f.sha256) problems.push(`${f.path}: differs from the coordinator's (sha256 ${sha.slice(0, 12)}..., expected ${f.sha256.slice(0, 12)}...)`);
  }
  return problems.length === 0 ? undefined : `data files (relative to ${cwd}): ${problems.join('; ')}`;
}
