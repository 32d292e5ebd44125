// What a sweep is: a scenario, a grid of `--set` values and N seeds per point; every run named by a hash
// of what defines it, so that a run gives the same result (and is written once) whoever runs it, whenever.
import { createHash } from 'node:crypto';
import { InputError } from '../../core/errors.ts';
import { parseScenarioRuns } from '../scenario/load-scenario.ts';
import type { LoadedScenario } from '../scenario/load-scenario.ts';
import { parseSetFlag } from '../scenario/overrides.ts';
import type { SetOverride, SweepAxis } from '../scenario/overrides.ts';
import { iterationSeed } from '../soak/iteration-seed.ts';
import { MMSIM_VERSION } from '../soak/soak-manifest.ts';
import { dataFiles } from './data-files.ts';
import type { DataFile } from './data-files.ts';

export const MAX_SEEDS = 10_000;
export const MAX_RUNS = 100_000;

/** One `--set` value of a run: the path and the value as typed. */
export interface SetValue {
  readonly path: string;
  readonly value: string;
}

export interface SweepRun {
  readonly runId: string;
  /** Index of the run's parameter point in the grid (axis 0 varies slowest). */
  readonly point: number;
  readonly sets: readonly SetValue[];
  /** 1..N */
  readonly seedIndex: number;
  readonly seed: number;
  readonly scenario: LoadedScenario;
  readonly files: readonly DataFile[];
}

export interface SweepDef {
  /** The scenario file as given (relative to the working directory, or absolute). */
  readonly file: string;
  readonly text: string;
  readonly variant: string | undefined;
  readonly axes: readonly SweepAxis[];
  readonly seeds: number;
  readonly baseSeed: number;
  readonly points: readonly (readonly SetValue[])[];
  /** Sorted by run id (the order of sweep.csv). */
  readonly runs: readonly SweepRun[];
  readonly scenarioName: string;
  readonly textSha256: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The run id: the first 24 hex digits of sha256 over the scenario text, the variant, the `--set` values,
 * the seed and the sha256 of every data file the run reads. Nothing else (not the path, the machine or
 * the sweep it belongs to) goes in.
 */
export function runId(text: string, variant: string | undefined, sets: readonly SetValue[], seed: number, files: readonly DataFile[]): string {
  const what = JSON.stringify({
    scenario_sha256: sha256(text),
    variant: variant ?? null,
    set: sets.map((s) => [s.path, s.value]),
    seed,
    data_sha256: files.map((f) => f.sha256).sort(),
  });
  return sha256(`mmsim-sweep-run/${what}`).slice(0, 24);
}

/** Every combination of the axes' values, axis 0 varying slowest. */
function grid(axes: readonly SweepAxis[]): SetOverride[][] {
  let points: SetOverride[][] = [[]];
  for (const axis of axes) points = points.flatMap((p) => axis.values.map((v) => [...p, v]));
  return points;
}

/** The one run of `text` with `sets` (and the variant, when the file has variants), validated. */
export function loadPoint(text: string, file: string, variant: string | undefined, sets: readonly SetOverride[]): LoadedScenario {
  const runs = parseScenarioRuns(text, file, sets);
  if (variant === undefined) {
    if (runs.length > 1) throw new InputError(`${file} has variants ${runs.map((r) => r.variant).join(', ')}: sweep one of them with --variant NAME`);
    return runs[0]!;
  }
  const run = runs.find((r) => r.variant === variant);
  if (!run) throw new InputError(`--variant ${variant}: ${file} has ${runs.some((r) => r.variant) ? `variants ${runs.map((r) => r.variant).join(', ')}` : 'no variants'}`);
  return run;
}

/** `--set` values as a job carries them, read back into overrides. */
export const toOverrides = (sets: readonly SetValue[]): SetOverride[] => sets.map((s) => parseSetFlag(`${s.path}=${s.value}`));

/**
 * The whole sweep, every point validated (a bad `--set` value is bad input naming the flag before
 * anything runs). Seeds are derived as a soak derives them, from the base seed and the seed index: the
 * same N seeds at every point, so that points are compared on the same markets.
 */
export async function defineSweep(opts: {
  file: string;
  text: string;
  variant: string | undefined;
  axes: readonly SweepAxis[];
  seeds: number;
  seed: number | undefined;
}): Promise<SweepDef> {
  const { file, text, variant, axes, seeds } = opts;
  if (axes.length === 0) throw new InputError('sweep: give at least one --set path=v1,v2,... (the grid to sweep)', 'USAGE');
  const base = loadPoint(text, file, variant, []);
  const baseSeed = opts.seed ?? base.seed;
  const combos = grid(axes);
  if (combos.length * seeds > MAX_RUNS) {
    throw new InputError(`sweep: ${combos.length} points x ${seeds} seeds = ${combos.length * seeds} runs, more than ${MAX_RUNS} (see docs/sweep.md)`, 'USAGE');
  }
  const runs: SweepRun[] = [];
  const points: SetValue[][] = [];
  for (const [point, combo] of combos.entries()) {
    const scenario = loadPoint(text, file, variant, combo);
    const files = await dataFiles(scenario, file);
    const sets = combo.map((o) => ({ path: o.dotted, value: o.text }));
    points.push(sets);
    for (let s = 1; s <= seeds; s++) {
      const seed = iterationSeed(baseSeed, s);
      runs.push({ runId: runId(text, variant, sets, seed, files), point, sets, seedIndex: s, seed, scenario, files });
    }
  }
  runs.sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
  return { file, text, variant, axes, seeds, baseSeed, points, runs, scenarioName: base.name, textSha256: sha256(text) };
}

export const MANIFEST_FILE = 'SWEEP_MANIFEST.json';
export const MANIFEST_SCHEMA = 'mmsim/sweep@1';

/** What a sweep folder is a sweep of; a resume continues only the same sweep. */
export interface SweepManifest {
  readonly schema: string;
  readonly scenario: string;
  readonly variant?: string;
  readonly scenario_text_sha256: string;
  /** The `--set` axes in flag order, each value as typed. */
  readonly set: readonly { readonly path: string; readonly values: readonly string[] }[];
  readonly seeds: number;
  readonly base_seed: number;
  readonly runs: number;
  readonly mmsim_version: string;
}

export function manifestOf(def: SweepDef): SweepManifest {
  return {
    schema: MANIFEST_SCHEMA,
    scenario: def.scenarioName,
    ...(def.variant === undefined ? {} : { variant: def.variant }),
    scenario_text_sha256: def.textSha256,
    set: def.axes.map((a) => ({ path: a.dotted, values: a.values.map((v) => v.text) })),
    seeds: def.seeds,
    base_seed: def.baseSeed,
    runs: def.runs.length,
    mmsim_version: MMSIM_VERSION,
  };
}
