// Runs a sweep's remaining runs on an executor (the local thread pool or a BullMQ queue) and writes each
// result once, atomically, by run id; then sweep.csv, SWEEP_SUMMARY.json and SWEEP_REPORT.html from the results on disk, so
// that the files are the same bytes whichever executor ran the runs, and however often a run was delivered.
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../core/errors.ts';
import type { Report } from '../../core/report.ts';
import { isTempFileOf, writeFilesInto } from '../run/atomic-write.ts';
import { readTextInput } from '../scenario/input-file.ts';
import { parseJsonWithSchema } from '../scenario/json-file.ts';
import { describeTaskError } from './pool-task.ts';
import type { RunOutcome } from './pool-task.ts';
import { MANIFEST_FILE, manifestOf } from './sweep-plan.ts';
import type { SweepDef, SweepRun } from './sweep-plan.ts';
import { REPORT_FILE, RESULT_FILE, failedResult, okResult, resultJson, resultSchema, sweepCsv } from './sweep-results.ts';
import type { SweepResult } from './sweep-results.ts';
import { HTML_FILE, sweepHtml } from './sweep-html.ts';
import { SUMMARY_FILE, summaryJson, sweepSummary } from './sweep-summary.ts';
import { listOutDir } from '../run/out-dir.ts';

export const CSV_FILE = 'sweep.csv';
export const RUNS_DIR = 'runs';

/** Runs one run somewhere; a run that fails deterministically is an outcome, not a rejection. */
export interface SweepExecutor {
  run(run: SweepRun): Promise<RunOutcome>;
  close(): Promise<void>;
}

export interface SweepPlan {
  readonly done: readonly SweepRun[];
  readonly todo: readonly SweepRun[];
  /** Results on disk not kept, and why. */
  readonly redo: readonly { runId: string; reason: string }[];
}

/**
 * What is left of a sweep in `dir`. A new sweep needs a folder without one; a resume needs the same sweep
 * (SWEEP_MANIFEST.json) and keeps every run whose result.json parses and matches (and, for a run that
 * succeeded, whose report.json carries the same digest); the rest run again.
 */
export async function planSweep(def: SweepDef, dir: string, resume: boolean): Promise<SweepPlan> {
  const manifest = `${JSON.stringify(manifestOf(def), null, 2)}\n`;
  const existing = await readIfPresent(join(dir, MANIFEST_FILE));
  if (existing !== undefined && !resume) throw new InputError(`${dir}: already holds a sweep: pass --resume to finish it, or choose another --out`, 'SWEEP_EXISTS');
  if (existing === undefined && resume && (await listOutDir(dir)).length > 0) {
    throw new InputError(`${join(dir, MANIFEST_FILE)}: missing, so ${dir} was not written by mmsim sweep and cannot be resumed`, 'SWEEP_EXISTS');
  }
  if (existing !== undefined && existing !== manifest) {
    throw new InputError(`${join(dir, MANIFEST_FILE)}: cannot resume: that sweep had other settings (scenario text, --set, --seeds, --seed, --variant or mmsim version); give the same ones, or another --out`, 'SWEEP_MISMATCH');
  }
  const done: SweepRun[] = [];
  const todo: SweepRun[] = [];
  const redo: { runId: string; reason: string }[] = [];
  for (const run of def.runs) {
    const why = await checkKept(dir, run);
    if (why === undefined) done.push(run);
    else {
      todo.push(run);
      if (why !== '') redo.push({ runId: run.runId, reason: why });
    }
  }
  return { done, todo, redo };
}

/** '' when the run has no result yet, a reason when its result cannot be kept, undefined when it is kept. */
async function checkKept(dir: string, run: SweepRun): Promise<string | undefined> {
  const runDir = join(dir, RUNS_DIR, run.runId);
  for (const name of await listOutDir(runDir)) {
    if (isTempFileOf(name, /^(result|report)\.json$/)) await rm(join(runDir, name), { force: true });
  }
  const file = join(runDir, RESULT_FILE);
  const text = await readIfPresent(file);
  if (text === undefined) return '';
  let result: SweepResult;
  try {
    result = parseJsonWithSchema(text, file, resultSchema, 'INVALID_RESULT');
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  if (result.run_id !== run.runId || result.seed !== run.seed) return `${file}: holds another run`;
  if (result.status === 'ok') {
    const report = await readIfPresent(join(runDir, REPORT_FILE));
    if (report === undefined || !report.includes(`"digest": "${result.row?.digest}"`)) return `${join(runDir, REPORT_FILE)}: missing or not the run's report`;
  }
  return undefined;
}

export interface SweepHooks {
  onRunDone?(run: SweepRun, result: SweepResult): void;
}

/** Runs the plan's runs on `executor`; returns the results of the whole sweep, by run id. */
export async function runSweep(def: SweepDef, dir: string, plan: SweepPlan, executor: SweepExecutor, hooks: SweepHooks = {}): Promise<SweepResult[]> {
  await writeInto(dir, [[MANIFEST_FILE, `${JSON.stringify(manifestOf(def), null, 2)}\n`]]);
  await Promise.all(
    plan.todo.map(async (run) => {
      const outcome = await executor.run(run);
      const result = await recordOutcome(dir, run, outcome);
      hooks.onRunDone?.(run, result);
    }),
  );
  const results: SweepResult[] = [];
  for (const run of def.runs) {
    const file = join(dir, RUNS_DIR, run.runId, RESULT_FILE);
    results.push(parseJsonWithSchema(await readTextInput(file), file, resultSchema, 'INVALID_RESULT'));
  }
  const summary = sweepSummary(def, results);
  await writeInto(dir, [
    [CSV_FILE, sweepCsv(def, results)],
    [SUMMARY_FILE, summaryJson(summary)],
    [HTML_FILE, sweepHtml(summary)],
  ]);
  return results;
}

/** The run's report.json (when it ran), then its result.json, which marks it done. */
async function recordOutcome(dir: string, run: SweepRun, outcome: RunOutcome): Promise<SweepResult> {
  const sub = `${RUNS_DIR}/${run.runId}`;
  if (outcome.status === 'failed') {
    const result = failedResult(run, describeTaskError(outcome.error));
    await writeInto(dir, [[`${sub}/${RESULT_FILE}`, resultJson(result)]]);
    return result;
  }
  const result = okResult(run, JSON.parse(outcome.reportJson) as Report);
  await writeInto(dir, [[`${sub}/${REPORT_FILE}`, outcome.reportJson]]);
  await writeInto(dir, [[`${sub}/${RESULT_FILE}`, resultJson(result)]]);
  return result;
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    await stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return readTextInput(file);
}

async function writeInto(dir: string, files: ReadonlyArray<readonly [string, string]>): Promise<void> {
  try {
    await writeFilesInto(dir, files);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`--out ${dir}: cannot write the sweep there (${err instanceof Error ? err.message : String(err)})`, 'USAGE');
  }
}
