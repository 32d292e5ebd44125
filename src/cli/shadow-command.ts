import { Registry } from 'prom-client';
import { InputError } from '../core/errors.ts';
import { runShadow } from '../live/shadow-runner.ts';
import { outputFolder } from '../sim/run/atomic-write.ts';
import { formatSummary } from '../sim/run/summary-format.ts';
import { describeFailure } from '../sim/scenario/expectations.ts';
import { loadScenario } from '../sim/scenario/load-scenario.ts';
import { parseDuration } from '../sim/scenario/duration.ts';
import { parseMetricsPort } from './args.ts';
import { writeRunOutputs } from './sim-command.ts';
import { DEFAULT_METRICS_HOST, startMetricsServer, waitForStopSignal } from './metrics-server.ts';

export interface ShadowArgs {
  readonly scenario: string;
  readonly duration: string | undefined;
  readonly out: string | undefined;
  readonly metricsPort: string | undefined;
  readonly record: string | undefined;
  readonly wsUrl: string | undefined;
  readonly restUrl: string | undefined;
  readonly quiet: boolean;
}

function parseDurationFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  let us: number;
  try {
    us = parseDuration(text);
  } catch (e) {
    throw new InputError(`--duration: ${(e as Error).message} (e.g. 30s, 10m)`, 'USAGE');
  }
  if (us <= 0) throw new InputError('--duration: must be more than 0 (e.g. 30s, 10m)', 'USAGE');
  return us;
}

/** `mmsim shadow`: a live session until its duration or SIGINT/SIGTERM, then the same outputs as `mmsim sim`. */
export async function runShadowCommand(args: ShadowArgs): Promise<number> {
  const durationUs = parseDurationFlag(args.duration);
  const metricsPort = parseMetricsPort(args.metricsPort);
  if (args.record !== undefined && args.record.trim() === '') throw new InputError('--record: empty: name a file, e.g. --record session.gz', 'USAGE');
  const scenario = await loadScenario(args.scenario);
  if (scenario.market.source !== 'live') {
    throw new InputError(`${args.scenario}: market.source is ${scenario.market.source}: mmsim shadow runs a market: {source: live, venue, symbol} scenario (run this one with mmsim sim)`);
  }
  const root = outputFolder(args.out, [scenario.name]);
  const registry = new Registry();
  const server = metricsPort === undefined ? undefined : await startMetricsServer(registry, DEFAULT_METRICS_HOST, metricsPort);
  const log = (t: string) => process.stderr.write(`${t}\n`);
  try {
    if (server) log(`serving metrics at ${server.url}`);
    const stop = waitForStopSignal().then((signal) => void log(`shadow: ${signal}: ending the session`));
    const result = await runShadow(scenario, { durationUs, wsUrl: args.wsUrl, restUrl: args.restUrl, record: args.record, registry, stop, log });
    const report = await writeRunOutputs(root, result);
    if (!args.quiet) {
      process.stdout.write(`${formatSummary(result.report)}\nwrote ${report}, metrics.prom, fills.csv, orders.csv and report.html\n`);
      if (args.record !== undefined) process.stdout.write(`recorded the session in ${args.record}\n`);
    }
    const failed = result.expectations.filter((e) => !e.ok);
    for (const e of failed) process.stderr.write(`${describeFailure(e)}\n`);
    return failed.length > 0 ? 1 : 0;
  } finally {
    await server?.close();
  }
}
