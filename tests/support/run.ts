import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../../src/sim/run/runner.ts';
import type { RunResult } from '../../src/sim/run/runner.ts';
import { loadScenario, parseScenario } from '../../src/sim/scenario/load-scenario.ts';

export const repoRoot = join(import.meta.dirname, '..', '..');

export const scenarioFiles = (): string[] =>
  readdirSync(join(repoRoot, 'scenarios'))
    .filter((f) => f.endsWith('.yaml'))
    .sort();

export async function runFile(file: string, seed?: number): Promise<RunResult> {
  return runScenario(await loadScenario(join(repoRoot, 'scenarios', file)), { seed });
}

export async function runText(yamlText: string, seed?: number): Promise<RunResult> {
  return runScenario(parseScenario(yamlText, 'inline.yaml'), { seed });
}
