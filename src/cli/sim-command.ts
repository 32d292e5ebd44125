import { join } from 'node:path';
import { writeFilesAtomically } from '../sim/atomic-write.ts';
import { runScenario } from '../sim/runner.ts';
import { loadScenario } from '../sim/scenario/load-scenario.ts';
import { formatSummary } from '../sim/summary-format.ts';
import { InputError } from '../core/errors.ts';

export interface SimArgs {
  readonly scenario: string;
  readonly seed: number | undefined;
  readonly out: string | undefined;
  readonly quiet: boolean;
}

export async function runSimCommand(args: SimArgs): Promise<number> {
  if (args.seed !== undefined && (!Number.isSafeInteger(args.seed) || args.seed < 0)) {
    throw new InputError(`--seed: expected a non-negative integer, was ${args.seed}`);
  }
  const scenario = await loadScenario(args.scenario);
  const result = await runScenario(scenario, { seed: args.seed });
  const out = args.out ?? join('out', scenario.name);
  await writeFilesAtomically([
    [join(out, 'report.json'), result.reportJson],
    [join(out, 'metrics.prom'), result.metricsText],
  ]);
  if (!args.quiet) {
    process.stdout.write(`${formatSummary(result.report)}\nwrote ${join(out, 'report.json')} and ${join(out, 'metrics.prom')}\n`);
  }
  return 0;
}
