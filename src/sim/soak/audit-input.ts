import { readdir } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../core/errors.ts';
import { parseJsonWithSchema } from '../scenario/json-file.ts';
import { readTextInput } from '../scenario/input-file.ts';
import { isTempFileOf } from '../run/atomic-write.ts';
import { MAX_ITERATIONS, SOAK_FILE, auditedSummarySchema, iterFileName, looksLikeIterFile, parseIterFileName } from './iter-summary.ts';
import type { AuditedSummary } from './iter-summary.ts';
import { MANIFEST_FILE } from './soak-manifest.ts';

/** Where the audit writes, inside the soak directory. */
export const ANALYSIS_DIR = join('reports', 'analysis');

export interface AuditInput {
  readonly iter: number;
  /** The file's name inside the soak directory. */
  readonly name: string;
  readonly summary: AuditedSummary['summary'];
}

export interface AuditScan {
  /** In numeric order of iteration. */
  readonly inputs: readonly AuditInput[];
  /** Iterations between 1 and the last one with no summary (only with allowGaps; otherwise an error). */
  readonly missing: readonly number[];
  /** Entries that are not summaries, left alone; `suspicious` ones look meant as summaries but are not named like one. */
  readonly ignored: readonly string[];
  readonly suspicious: readonly string[];
}

const MAX_SHOWN = 10;

/**
 * Reads every `ITER_SUMMARY_<N>.json` in `dir`, in numeric order of N (1, 2, 10, never 1, 10, 2).
 * Everything that makes the soak unusable is collected and thrown as one InputError, one line per
 * problem, each naming its file: an unreadable, truncated or corrupt summary, a field missing or of the
 * wrong type, two files for one iteration (ITER_SUMMARY_7 and ITER_SUMMARY_07), an `iteration` field
 * that disagrees with the name, gaps in the numbering (unless allowed), and no summary at all.
 */
export async function readSoakSummaries(dir: string, options: { allowGaps?: boolean } = {}): Promise<AuditScan> {
  const entries = await listEntries(dir);
  const problems: string[] = [];
  const byIter = new Map<number, Dirent[]>();
  const ignored: string[] = [];
  const suspicious: string[] = [];
  for (const e of entries) {
    const iter = parseIterFileName(e.name);
    if (iter === undefined) {
      if (isOwnEntry(e)) continue;
      (looksLikeIterFile(e.name) ? suspicious : ignored).push(e.name);
      continue;
    }
    if (iter === 0 || iter > MAX_ITERATIONS) {
      problems.push(`${join(dir, e.name)}: ${iter === 0 ? 'iterations are numbered from 1' : `a soak has at most ${MAX_ITERATIONS} iterations`}`);
      continue;
    }
    byIter.set(iter, [...(byIter.get(iter) ?? []), e]);
  }
  if (byIter.size === 0 && problems.length === 0) {
    const others = entries.length === 0 ? 'it is empty' : `it holds ${describeNames([...ignored, ...suspicious])}`;
    throw new InputError(`${dir}: no ITER_SUMMARY_<N>.json files to audit (${others})`, 'NO_SUMMARIES');
  }

  const inputs: AuditInput[] = [];
  for (const iter of [...byIter.keys()].sort((a, b) => a - b)) {
    const files = byIter.get(iter)!;
    if (files.length > 1) {
      problems.push(`${dir}: iteration ${iter} has ${files.length} summaries: ${files.map((f) => f.name).join(' and ')}; keep one`);
      continue;
    }
    const entry = files[0]!;
    const file = join(dir, entry.name);
    if (!entry.isFile()) {
      problems.push(`${file}: not a file`);
      continue;
    }
    try {
      const parsed = parseJsonWithSchema(await readTextInput(file), file, auditedSummarySchema, 'INVALID_SUMMARY');
      if (parsed.iteration !== undefined && parsed.iteration !== iter) {
        problems.push(`${file}: iteration: holds iteration ${parsed.iteration} but is named for iteration ${iter}`);
        continue;
      }
      inputs.push({ iter, name: entry.name, summary: parsed.summary });
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problems.push(err.message);
    }
  }

  const last = [...byIter.keys()].reduce((a, b) => Math.max(a, b), 0);
  const missing: number[] = [];
  for (let i = 1; i <= last; i++) if (!byIter.has(i)) missing.push(i);
  if (missing.length > 0 && !options.allowGaps) {
    problems.push(
      `${dir}: no summary for iteration${missing.length > 1 ? 's' : ''} ${ranges(missing)} of 1..${last} ` +
        `(${describeNames(missing.map(iterFileName))} missing): ` +
        'finish the soak with mmsim soak --resume, or pass --allow-gaps to audit the others',
    );
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_SHOWN);
    const more = problems.length - shown.length;
    throw new InputError(`${shown.join('\n')}${more > 0 ? `\nand ${more} more problems` : ''}`, 'INVALID_SUMMARY');
  }
  return { inputs, missing, ignored, suspicious };
}

/** The soak's own entries: its manifest, the audit's output folder and interrupted writes' temporaries. */
function isOwnEntry(e: Dirent): boolean {
  if (e.name === MANIFEST_FILE) return e.isFile();
  if (e.name === 'reports') return e.isDirectory();
  return isTempFileOf(e.name, SOAK_FILE);
}

async function listEntries(dir: string): Promise<Dirent[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${dir}: no such directory`, 'NO_SUMMARIES');
    if (code === 'ENOTDIR') throw new InputError(`${dir}: not a directory (name the soak's folder)`, 'NO_SUMMARIES');
    throw new InputError(`${dir}: cannot read the directory (${code ?? String(err)})`, 'NO_SUMMARIES');
  }
}

export function describeNames(names: readonly string[]): string {
  if (names.length === 0) return 'nothing else';
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

/** "3, 7-9, 12" */
export function ranges(sorted: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}
