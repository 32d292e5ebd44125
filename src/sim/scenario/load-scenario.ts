import { scenarioSchema } from './schema.ts';
import type { Scenario } from './schema.ts';
import { loadYamlFile, parseYamlWithSchema } from './yaml-source.ts';

export function loadScenario(file: string): Promise<Scenario> {
  return loadYamlFile(file, scenarioSchema);
}

export function parseScenario(text: string, file = '<inline>'): Scenario {
  return parseYamlWithSchema(text, file, scenarioSchema);
}
