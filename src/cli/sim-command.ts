import { join } from 'node:path';
import { Registry } from 'prom-client';
import { writeFilesAtomically } from '../sim/atomic-write.ts';
import { runScenario } from '../sim/runner.ts';
import type { RunResult } from '../sim/runner.ts';
import { loadScenario } from '../sim/scenario/load-scenario.ts';
import type { Scenario } from '../sim/scenario/schema.ts';
import { describeFailure } from '../sim/expectations.ts';
import { formatSummary } from '../sim/summary-format.ts';
import { InputError } from '../core/errors.ts';
import { DEFAULT_METRICS_HOST, startMetricsServer, waitForStopSignal, yieldToEventLoop } from './metrics-server.ts';

export interface SimArgs {
  readonly scenario: string;
  readonly seed: string | undefined;
  readonly out: string | undefined;
  readonly quiet: boolean;
  readonly metricsPort?: string | undefined;
  readonly metricsHost?: string | undefined;
  readonly hold?: boolean;
}

export async function runSimCommand(args: SimArgs): Promise<number> {
  const seed = parseSeed(args.seed);
  const metricsPort = parseMetricsPort(args.metricsPort);
  if (metricsPort === undefined && (args.hold || args.metricsHost !== undefined)) {
    throw new InputError(`${args.hold ? '--hold' : '--metrics-host'} needs --metrics-port (e.g. --metrics-port 9464)`);
  }
  const scenario = await loadScenario(args.scenario);
  if (metricsPort === undefined) return finishRun(args, scenario, await runScenario(scenario, { seed }));
  // Served live: the run yields to the event loop between slices so the server can answer meanwhile.
  const registry = new Registry();
  const server = await startMetricsServer(registry, args.metricsHost ?? DEFAULT_METRICS_HOST, metricsPort);
  try {
    process.stderr.write(`serving metrics at ${server.url}\n`);
    const code = await finishRun(args, scenario, await runScenario(scenario, { seed, registry, pace: yieldToEventLoop }));
    if (args.hold) {
      // Listen before announcing: whoever reads the line may signal at once.
      const stopped = waitForStopSignal();
      process.stderr.write(`run finished; still serving metrics at ${server.url} until SIGINT or SIGTERM (Ctrl-C)\n`);
      await stopped;
    }
    return code;
  } finally {
    await server.close();
  }
}

/** Writes report.json and metrics.prom, prints the summary and any failed expectation; returns the exit code. */
async function finishRun(args: SimArgs, scenario: Scenario, result: RunResult): Promise<number> {
  const out = args.out ?? join('out', scenario.name);
  try {
    await writeFilesAtomically([
      [join(out, 'report.json'), result.reportJson],
      [join(out, 'metrics.prom'), result.metricsText],
      [join(out, 'fills.csv'), result.fillsCsv],
    ]);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new InputError(`--out ${out}: cannot write the report there (${reason})`);
  }
  if (!args.quiet) {
    process.stdout.write(`${formatSummary(result.report)}\nwrote ${join(out, 'report.json')}, metrics.prom and fills.csv\n`);
  }
  const failed = result.expectations.filter((e) => !e.ok);
  for (const e of failed) process.stderr.write(`${describeFailure(e)}\n`);
  if (!args.quiet && result.expectations.length > 0 && failed.length === 0) {
    process.stdout.write(`expectations: all ${result.expectations.length} met\n`);
  }
  return failed.length > 0 ? 1 : 0;
}

function parseMetricsPort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65535) {
    throw new InputError(`--metrics-port: expected a port number from 0 to 65535 (0: any free port), was "${text}"`);
  }
  return port;
}

function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seed = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(seed)) {
    throw new InputError(`--seed: expected a non-negative integer, was "${text}"`);
  }
  return seed;
}
