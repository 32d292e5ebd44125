import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { outputFolder, writeFilesInto } from '../sim/run/atomic-write.ts';
import { runScenario } from '../sim/run/runner.ts';
import type { RunOptions, RunResult } from '../sim/run/runner.ts';
import { loadScenarioRuns } from '../sim/scenario/load-scenario.ts';
import { explainEventLimit, parseMetricsPort, parseSeed, pickVariant } from './args.ts';
import type { LoadedScenario } from '../sim/scenario/load-scenario.ts';
import { variantsCsv } from '../sim/run/variants-csv.ts';
import { describeFailure } from '../sim/scenario/expectations.ts';
import { formatSummary } from '../sim/run/summary-format.ts';
import { InputError } from '../core/errors.ts';
import { parseSetFlags } from '../sim/scenario/overrides.ts';
import { DEFAULT_METRICS_HOST, startMetricsServer, waitForStopSignal, yieldToEventLoop } from './metrics-server.ts';
import { runProgress } from './progress.ts';

export interface SimArgs {
  readonly scenario: string;
  readonly seed: string | undefined;
  readonly out: string | undefined;
  readonly quiet: boolean;
  readonly metricsPort?: string | undefined;
  readonly metricsHost?: string | undefined;
  readonly hold?: boolean;
  /** Run only this variant of a scenario with `variants:`. */
  readonly variant?: string | undefined;
  /** `--set path=value` overrides, applied to every run. */
  readonly set?: readonly string[];
}

export async function runSimCommand(args: SimArgs): Promise<number> {
  const seed = parseSeed(args.seed);
  const metricsPort = parseMetricsPort(args.metricsPort);
  if (metricsPort === undefined && (args.hold || args.metricsHost !== undefined)) {
    throw new InputError(`${args.hold ? '--hold' : '--metrics-host'} needs --metrics-port (e.g. --metrics-port 9464)`);
  }
  const runs = pickVariant(await loadScenarioRuns(args.scenario, parseSetFlags(args.set ?? [])), args.scenario, args.variant);
  const root = outRoot(args, runs[0]!); // a bad --out is bad input before the run, not after it
  if (!args.quiet && replacesEarlierRun(root)) process.stderr.write(`replacing the earlier run in ${root}\n`);
  if (runs.length > 1) {
    if (metricsPort !== undefined) throw new InputError('--metrics-port serves one run: pick a variant with --variant NAME');
    return runVariants(args, runs, seed);
  }
  const scenario = runs[0]!;
  if (metricsPort === undefined) return finishRun(args, scenario, await explainEventLimit(args.scenario, () => runShown(scenario, { seed })));
  // Served live: the run yields to the event loop between slices so the server can answer meanwhile.
  const registry = new Registry();
  const server = await startMetricsServer(registry, args.metricsHost ?? DEFAULT_METRICS_HOST, metricsPort);
  try {
    process.stderr.write(`serving metrics at ${server.url}\n`);
    const result = await explainEventLimit(args.scenario, () => runShown(scenario, { seed, registry, pace: yieldToEventLoop }));
    const code = await finishRun(args, scenario, result);
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

/** A report.json (or a variants run's variants.csv) in the folder: this run overwrites an earlier one. */
function replacesEarlierRun(root: string): boolean {
  return existsSync(join(root, 'report.json')) || existsSync(join(root, 'variants.csv'));
}

/** The market's length in virtual time, when the scenario states it (a replay may not). */
function marketLengthUs(scenario: LoadedScenario): number | undefined {
  const m = scenario.market;
  return m.source === 'synthetic' ? m.phases.reduce((t, p) => t + p.duration, 0) : m.duration;
}

/** Runs the scenario with a progress bar on stderr when it is a terminal and the run lasts (progress.ts). */
async function runShown(scenario: LoadedScenario, options: RunOptions): Promise<RunResult> {
  const label = scenario.variant === undefined ? scenario.name : `${scenario.name}/${scenario.variant}`;
  const progress = runProgress(label, marketLengthUs(scenario));
  if (!progress) return runScenario(scenario, options);
  const pace = options.pace;
  try {
    return await runScenario(scenario, {
      ...options,
      pace: pace ? async () => (await pace(), progress.pace()) : progress.pace,
      observer: progress.observer,
    });
  } finally {
    progress.stop();
  }
}

/** The output folder: --out, or out/<scenario name> (variants get a subfolder each, see finishRun). */
function outRoot(args: SimArgs, scenario: LoadedScenario): string {
  return outputFolder(args.out, [scenario.name]);
}

/** Runs every variant one after the other, each into its own directory, then writes the comparison. */
async function runVariants(args: SimArgs, runs: LoadedScenario[], seed: number | undefined): Promise<number> {
  let code = 0;
  const results: [string, RunResult][] = [];
  for (const scenario of runs) {
    if (!args.quiet) process.stdout.write(`\n== variant ${scenario.variant} ==\n`);
    const result = await explainEventLimit(args.scenario, () => runShown(scenario, { seed }));
    code = Math.max(code, await finishRun(args, scenario, result));
    results.push([scenario.variant!, result]);
  }
  const root = outRoot(args, runs[0]!);
  const csv = variantsCsv(results.map(([name, r]) => [name, r.report]));
  const [file] = await writeInto(root, [['variants.csv', csv]]);
  if (!args.quiet) process.stdout.write(`\n${csv}wrote ${file}\n`);
  return code;
}

/** Writes report.json, metrics.prom, fills.csv, orders.csv and report.html, prints the summary and any failed expectation; returns the exit code. */
async function finishRun(args: SimArgs, scenario: LoadedScenario, result: RunResult): Promise<number> {
  const root = outRoot(args, scenario);
  const report = await writeRunOutputs(root, result, scenario.variant === undefined ? '' : `${scenario.variant}/`);
  if (!args.quiet) {
    process.stdout.write(`${formatSummary(result.report)}\nwrote ${report}, metrics.prom, fills.csv, orders.csv and report.html\n`);
  }
  const failed = result.expectations.filter((e) => !e.ok);
  for (const e of failed) process.stderr.write(`${describeFailure(e)}\n`);
  if (!args.quiet && result.expectations.length > 0 && failed.length === 0) {
    process.stdout.write(`expectations: all ${result.expectations.length} met\n`);
  }
  return failed.length > 0 ? 1 : 0;
}

/** Writes report.json, metrics.prom, fills.csv, orders.csv and report.html into `root/sub` (atomically); returns report.json's path. */
export async function writeRunOutputs(root: string, result: RunResult, sub = ''): Promise<string> {
  const [report] = await writeInto(root, [
    [`${sub}report.json`, result.reportJson],
    [`${sub}metrics.prom`, result.metricsText],
    [`${sub}fills.csv`, result.fillsCsv],
    [`${sub}orders.csv`, result.ordersCsv],
    [`${sub}report.html`, result.reportHtml],
  ]);
  return report!;
}

/** Writes into the output folder; a folder that cannot be written is bad input naming it. */
async function writeInto(root: string, files: ReadonlyArray<readonly [string, string]>): Promise<string[]> {
  try {
    return await writeFilesInto(root, files);
  } catch (err) {
    if (err instanceof InputError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new InputError(`--out ${root}: cannot write the report there (${reason})`);
  }
}
