import { join } from 'node:path';
import { writeFilesAtomically } from '../sim/atomic-write.ts';
import { runScenario } from '../sim/runner.ts';
import { loadScenario } from '../sim/scenario/load-scenario.ts';
import { describeFailure } from '../sim/expectations.ts';
import { formatSummary } from '../sim/summary-format.ts';
import { InputError } from '../core/errors.ts';

export interface SimArgs {
  readonly scenario: string;
  readonly seed: string | undefined;
  readonly out: string | undefined;
  readonly quiet: boolean;
}

export async function runSimCommand(args: SimArgs): Promise<number> {
  const seed = parseSeed(args.seed);
  const scenario = await loadScenario(args.scenario);
  const result = await runScenario(scenario, { seed });
  const out = args.out ?? join('out', scenario.name);
  try {
    await writeFilesAtomically([
      [join(out, 'report.json'), result.reportJson],
      [join(out, 'metrics.prom'), result.metricsText],
    ]);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new InputError(`--out ${out}: cannot write the report there (${reason})`);
  }
  if (!args.quiet) {
    process.stdout.write(`${formatSummary(result.report)}\nwrote ${join(out, 'report.json')} and ${join(out, 'metrics.prom')}\n`);
  }
  const failed = result.expectations.filter((e) => !e.ok);
  for (const e of failed) process.stderr.write(`${describeFailure(e)}\n`);
  if (!args.quiet && result.expectations.length > 0 && failed.length === 0) {
    process.stdout.write(`expectations: all ${result.expectations.length} met\n`);
  }
  return failed.length > 0 ? 1 : 0;
}

function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seed = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(seed)) {
    throw new InputError(`--seed: expected a non-negative integer, was "${text}"`);
  }
  return seed;
}
