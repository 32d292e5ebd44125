import { dirname, resolve as resolvePath } from 'node:path';
import { resolveEmpiricalFiles } from '../exchange/latency-samples.ts';
import type { LatencyChannelsConfig } from '../exchange/latency-model.ts';
import { scenarioSchema } from './schema.ts';
import type { Scenario } from './schema.ts';
import { parseYamlWithSchema, readSourceFile } from './yaml-source.ts';
import { parseYamlRuns, parseYamlVariants } from './yaml-variants.ts';
import type { YamlOverride } from './yaml-source.ts';

/**
 * A validated scenario with its external inputs resolved, ready to run: empirical latency CSVs read, a
 * replay's recording paths made absolute (they are relative to the scenario file).
 */
export type LoadedScenario = Scenario & {
  readonly resolvedLatency: LatencyChannelsConfig;
  readonly replayPaths?: readonly string[];
  /** A user's strategy module, made absolute (`strategy.module` is relative to the scenario file). */
  readonly strategyPath?: string;
  readonly variant?: string;
};

function resolve(scenario: Scenario, file: string, variant?: string): LoadedScenario {
  const dir = dirname(file);
  const m = scenario.market;
  const loaded = {
    ...scenario,
    resolvedLatency: resolveEmpiricalFiles(scenario.exchange.latency, dir),
    ...(m.source === 'replay' ? { replayPaths: m.path.map((p) => resolvePath(dir, p)) } : {}),
    ...('module' in scenario.strategy ? { strategyPath: resolvePath(dir, scenario.strategy.module) } : {}),
  };
  return variant === undefined ? loaded : { ...loaded, variant };
}

export async function loadScenario(file: string): Promise<LoadedScenario> {
  return parseScenario(await readSourceFile(file), file);
}

/** Parses scenario text; relative paths inside it are taken from the directory of `file`. */
export function parseScenario(text: string, file = '<inline>'): LoadedScenario {
  return resolve(parseYamlWithSchema(text, file, scenarioSchema), file);
}

/**
 * The runs a scenario file asks for: itself, or one per entry of its `variants:` list (the base is
 * validated first, so a bad list is reported as such).
 */
export async function loadScenarioRuns(file: string, overrides: readonly YamlOverride[] = []): Promise<LoadedScenario[]> {
  return parseScenarioRuns(await readSourceFile(file), file, overrides);
}

/**
 * loadScenarioRuns of scenario text; `overrides` (`--set`) apply to every run after its variant's own,
 * and the base is validated without them first, so that a problem of the file is reported as such.
 */
export function parseScenarioRuns(text: string, file: string, overrides: readonly YamlOverride[] = []): LoadedScenario[] {
  const base = parseScenario(text, file);
  if (overrides.length === 0) {
    if (!base.variants) return [base];
    return parseYamlVariants(text, file, scenarioSchema).map((v) => resolve(v.value, file, v.name));
  }
  return parseYamlRuns(text, file, scenarioSchema, overrides).map((v) => resolve(v.value, file, v.name));
}
