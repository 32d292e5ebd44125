import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import { InputError } from '../../core/errors.ts';
import { isTempFileOf, writeFilesInto } from '../run/atomic-write.ts';
import { runScenario } from '../run/runner.ts';
import type { LoadedScenario } from '../scenario/load-scenario.ts';
import { parseJsonWithSchema } from '../scenario/json-file.ts';
import { readTextInput } from '../scenario/input-file.ts';
import { iterationSeed } from './iteration-seed.ts';
import { fromTaskError } from '../sweep/pool-task.ts';
import type { RunPool } from '../sweep/run-pool.ts';
import { SOAK_FILE, buildIterSummary, iterFileName, iterSummaryJson, parseIterFileName, soakSummarySchema } from './iter-summary.ts';
import type { IterSummary } from './iter-summary.ts';
import { MANIFEST_FILE, MANIFEST_SCHEMA, MMSIM_VERSION, manifestJson, readManifest, scenarioSha256 } from './soak-manifest.ts';
import type { SoakManifest } from './soak-manifest.ts';
import { listOutDir } from '../run/out-dir.ts';

export interface SoakRequest {
  readonly scenario: LoadedScenario;
  /** The scenario file, naming it in messages (e.g. a run's event limit). */
  readonly file?: string;
  readonly dir: string;
  /** Required for a new soak; on a resume it defaults to the soak's own and may only grow. */
  readonly iterations?: number | undefined;
  /** Defaults to the scenario's seed (on a resume: the soak's own). */
  readonly seed?: number | undefined;
  readonly resume: boolean;
}

/** A summary on disk that a resume does not trust, and why; its iteration runs again. */
export interface Redo {
  readonly iteration: number;
  readonly reason: string;
}

export interface SoakPlan {
  readonly manifest: SoakManifest;
  /** Iterations already complete on disk (kept as they are). */
  readonly done: readonly number[];
  /** Those of them whose run failed the scenario's expectations. */
  readonly doneFailingExpectations: readonly number[];
  /** Iterations to run, ascending. */
  readonly todo: readonly number[];
  readonly redo: readonly Redo[];
  /** Temporary files of writes a killed soak left behind, removed. */
  readonly removedTemps: readonly string[];
}

export interface SoakHooks {
  /** A registry for iteration i's bot metrics (e.g. one served live); a fresh one when absent. */
  registryFor?(iteration: number): Registry;
  onIterationDone?(summary: IterSummary): void | Promise<void>;
  /** Awaited between slices of every run (see RunOptions.pace). */
  readonly pace?: () => Promise<void>;
}

/**
 * Works out what a soak in `dir` has left to do. A new soak needs an empty (or absent) directory; a
 * resume keeps every summary that parses and belongs to this soak (same scenario, iteration and seed)
 * and runs the rest again. Summaries are written atomically, so a kill leaves at worst a temporary
 * file, which is removed; a summary that is nevertheless unreadable is run again, never trusted.
 */
export async function planSoak(req: SoakRequest): Promise<SoakPlan> {
  const entries = await listOutDir(req.dir);
  const existing = await readManifest(req.dir);
  const summaries = entries.filter((n) => parseIterFileName(n) !== undefined);
  if (!req.resume && (existing || summaries.length > 0)) {
    throw new InputError(
      `${req.dir}: already holds a soak (${summaries.length} iteration summaries): pass --resume to finish it, or choose another --out`,
      'SOAK_EXISTS',
    );
  }
  if (req.resume && !existing && summaries.length > 0) {
    throw new InputError(`${join(req.dir, MANIFEST_FILE)}: missing, so ${req.dir} was not written by mmsim soak and cannot be resumed`, 'SOAK_EXISTS');
  }
  const manifest = existing ? checkResumable(existing, req) : newManifest(req);

  const removedTemps: string[] = [];
  for (const name of entries) {
    if (isTempFileOf(name, SOAK_FILE)) {
      await rm(join(req.dir, name), { force: true });
      removedTemps.push(name);
    }
  }
  const done: number[] = [];
  const doneFailingExpectations: number[] = [];
  const todo: number[] = [];
  const redo: Redo[] = [];
  const present = new Set(summaries);
  for (let i = 1; i <= manifest.iterations; i++) {
    const name = iterFileName(i);
    if (!present.has(name)) {
      todo.push(i);
      continue;
    }
    const kept = await checkSummary(join(req.dir, name), i, manifest);
    if (typeof kept === 'string') {
      todo.push(i);
      redo.push({ iteration: i, reason: kept });
    } else {
      done.push(i);
      if (kept.summary.expectations_failed > 0) doneFailingExpectations.push(i);
    }
  }
  return { manifest, done, doneFailingExpectations, todo, redo, removedTemps };
}

/**
 * Runs the plan's remaining iterations, writing each summary atomically as it completes: in order in this
 * thread, or side by side on `pool` (every summary the same bytes either way; they may complete in any
 * order). Returns the summaries written, by iteration.
 */
export async function runSoak(req: SoakRequest, plan: SoakPlan, hooks: SoakHooks = {}, pool?: RunPool): Promise<IterSummary[]> {
  await writeInto(req.dir, MANIFEST_FILE, manifestJson(plan.manifest));
  const written: IterSummary[] = [];
  const finish = async (summary: IterSummary) => {
    await writeInto(req.dir, iterFileName(summary.iteration), iterSummaryJson(summary));
    written.push(summary);
    await hooks.onIterationDone?.(summary);
  };
  if (pool && !hooks.registryFor && !hooks.pace) {
    const file = req.file ?? req.scenario.name;
    await Promise.all(
      plan.todo.map(async (iteration) => {
        const outcome = await pool.soak({ kind: 'soak', scenario: req.scenario, file, manifest: plan.manifest, iteration });
        if (outcome.status === 'failed') throw fromTaskError(outcome.error);
        await finish(outcome.summary);
      }),
    );
    return written.sort((a, b) => a.iteration - b.iteration);
  }
  for (const i of plan.todo) await finish(await runIteration(req.scenario, plan.manifest, i, hooks));
  return written;
}

/** Runs iteration i of a soak: the same summary whenever, wherever and in whatever order it runs. */
export async function runIteration(scenario: LoadedScenario, manifest: SoakManifest, iteration: number, hooks: SoakHooks = {}): Promise<IterSummary> {
  const seed = iterationSeed(manifest.soak_seed, iteration);
  const registry = hooks.registryFor?.(iteration);
  const result = await runScenario(scenario, { seed, ...(registry ? { registry } : {}), ...(hooks.pace ? { pace: hooks.pace } : {}) });
  return buildIterSummary(result, {
    scenario: scenario.name,
    variant: scenario.variant,
    iteration,
    seed,
    soakSeed: manifest.soak_seed,
    scenarioSha256: manifest.scenario_sha256,
  });
}

function newManifest(req: SoakRequest): SoakManifest {
  if (req.iterations === undefined) throw new InputError('--iterations: say how many iterations to run, e.g. --iterations 20', 'USAGE');
  return {
    schema: MANIFEST_SCHEMA,
    scenario: req.scenario.name,
    ...(req.scenario.variant === undefined ? {} : { variant: req.scenario.variant }),
    scenario_sha256: scenarioSha256(req.scenario),
    soak_seed: req.seed ?? req.scenario.seed,
    iterations: req.iterations,
    mmsim_version: MMSIM_VERSION,
  };
}

/** A resume must be of the same soak; it may only ask for more iterations. */
function checkResumable(m: SoakManifest, req: SoakRequest): SoakManifest {
  const file = join(req.dir, MANIFEST_FILE);
  const refuse = (why: string): never => {
    throw new InputError(`${file}: cannot resume: ${why}`, 'SOAK_MISMATCH');
  };
  const variant = req.scenario.variant;
  if (m.scenario !== req.scenario.name || m.variant !== variant) {
    refuse(`the soak ran scenario ${m.scenario}${m.variant ? ` (variant ${m.variant})` : ''}, not ${req.scenario.name}${variant ? ` (variant ${variant})` : ''}`);
  }
  if (m.scenario_sha256 !== scenarioSha256(req.scenario)) refuse(`the scenario ${req.scenario.name} has changed since the soak began; resuming would mix runs of two scenarios`);
  if (req.seed !== undefined && req.seed !== m.soak_seed) refuse(`the soak's seed is ${m.soak_seed}, not ${req.seed}`);
  if (m.mmsim_version !== MMSIM_VERSION) refuse(`the soak began with mmsim ${m.mmsim_version}; this is ${MMSIM_VERSION}`);
  if (req.iterations !== undefined && req.iterations < m.iterations) refuse(`the soak has ${m.iterations} iterations; --iterations may add more, not fewer (${req.iterations})`);
  return { ...m, iterations: req.iterations ?? m.iterations };
}

/** A summary on disk that belongs to this soak, or why it cannot be kept. */
async function checkSummary(file: string, iteration: number, m: SoakManifest): Promise<z.output<typeof soakSummarySchema> | string> {
  let s;
  try {
    s = parseJsonWithSchema(await readTextInput(file), file, soakSummarySchema, 'INVALID_SUMMARY');
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  const seed = iterationSeed(m.soak_seed, iteration);
  if (s.iteration !== iteration) return `${file}: holds iteration ${s.iteration}`;
  if (s.soak_seed !== m.soak_seed || s.seed !== seed) return `${file}: ran with seed ${s.seed} of soak seed ${s.soak_seed}, expected ${seed} of ${m.soak_seed}`;
  if (s.scenario_sha256 !== m.scenario_sha256) return `${file}: is from another version of the scenario`;
  return s;
}

/** Writes one file of the soak atomically; a folder that cannot be written is bad input, not a crash. */
async function writeInto(dir: string, name: string, text: string): Promise<void> {
  try {
    await writeFilesInto(dir, [[name, text]]);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`--out ${dir}: cannot write the soak there (${err instanceof Error ? err.message : String(err)})`, 'USAGE');
  }
}
