import { InputError } from '../core/errors.ts';
import { outputFolder } from '../sim/run/atomic-write.ts';
import { loadScenarioRuns } from '../sim/scenario/load-scenario.ts';
import { planSoak, runSoak } from '../sim/soak/soak-runner.ts';
import type { SoakHooks } from '../sim/soak/soak-runner.ts';
import { SoakMetrics } from '../sim/soak/soak-metrics.ts';
import { iterationLine, planLines } from '../sim/soak/soak-format.ts';
import { ranges } from '../sim/soak/audit-input.ts';
import { MAX_ITERATIONS } from '../sim/soak/iter-summary.ts';
import { explainEventLimit, parseCount, parseMetricsPort, parseSeed, pickVariant } from './args.ts';
import { DEFAULT_METRICS_HOST, startMetricsServer, yieldToEventLoop } from './metrics-server.ts';
import type { MetricsServer } from './metrics-server.ts';
import { terminalProgress } from './progress.ts';
import { parseSetFlags } from '../sim/scenario/overrides.ts';
import { RunPool, parseWorkers } from '../sim/sweep/run-pool.ts';

export interface SoakArgs {
  readonly scenario: string;
  readonly iterations: string | undefined;
  readonly out: string | undefined;
  readonly seed: string | undefined;
  readonly resume: boolean;
  readonly variant: string | undefined;
  readonly quiet: boolean;
  readonly metricsPort: string | undefined;
  readonly metricsHost: string | undefined;
  readonly set?: readonly string[];
  readonly workers?: string | undefined;
}

export async function runSoakCommand(args: SoakArgs): Promise<number> {
  const iterations = parseCount('iterations', args.iterations, MAX_ITERATIONS);
  const seed = parseSeed(args.seed);
  const metricsPort = parseMetricsPort(args.metricsPort);
  if (metricsPort === undefined && args.metricsHost !== undefined) throw new InputError('--metrics-host needs --metrics-port (e.g. --metrics-port 9464)');
  const workers = parseWorkers(args.workers);
  const runs = pickVariant(await loadScenarioRuns(args.scenario, parseSetFlags(args.set ?? [])), args.scenario, args.variant);
  if (runs.length > 1) throw new InputError(`${args.scenario} has variants ${runs.map((r) => r.variant).join(', ')}: soak one of them with --variant NAME`);
  const scenario = runs[0]!;
  const dir = outputFolder(args.out, [scenario.name, ...(scenario.variant ? [scenario.variant] : []), 'soak']);
  const req = { scenario, file: args.scenario, dir, iterations, seed, resume: args.resume };
  const plan = await planSoak(req);
  const total = plan.manifest.iterations;
  for (const line of planLines(plan, dir)) process.stderr.write(`${line}\n`);

  let server: MetricsServer | undefined;
  const hooks: { -readonly [K in keyof SoakHooks]: SoakHooks[K] } = {};
  const progress = args.quiet ? undefined : terminalProgress(`soak ${scenario.name}`, total, plan.done.length);
  let completed = plan.done.length;
  // Served live, the iterations run in this thread, one after the other, each registering its metrics.
  const pool = metricsPort === undefined && workers > 1 && plan.todo.length > 1 ? new RunPool(Math.min(workers, plan.todo.length)) : undefined;
  try {
    if (metricsPort !== undefined) {
      const metrics = new SoakMetrics(total, plan.done.length);
      server = await startMetricsServer(metrics, args.metricsHost ?? DEFAULT_METRICS_HOST, metricsPort);
      process.stderr.write(`serving the soak's metrics at ${server.url}\n`);
      hooks.registryFor = (i) => metrics.startIteration(i);
      hooks.pace = yieldToEventLoop;
      hooks.onIterationDone = () => metrics.endIteration();
    }
    const done = hooks.onIterationDone;
    // On a pool iterations complete in any order; their lines are printed in iteration order all the same.
    const lines = new Map<number, string>();
    let nextLine = 0;
    hooks.onIterationDone = async (s) => {
      await done?.(s);
      completed++;
      if (progress) progress.update(completed, `iteration ${s.iteration}: net ${s.summary.net_bps.toFixed(2)} bps`);
      else if (!args.quiet) {
        lines.set(s.iteration, iterationLine(s, total));
        for (let line; (line = lines.get(plan.todo[nextLine]!)) !== undefined; nextLine++) process.stdout.write(`${line}\n`);
      }
    };
    const written = await explainEventLimit(args.scenario, () => runSoak(req, plan, hooks, pool));
    progress?.stop();
    const failed = [...plan.doneFailingExpectations, ...written.filter((s) => s.summary.expectations_failed > 0).map((s) => s.iteration)].sort((a, b) => a - b);
    if (!args.quiet) {
      const kept = plan.done.length > 0 ? ` (${plan.done.length} kept from before, ${written.length} run now)` : '';
      process.stdout.write(`soak finished: ${total} iteration summaries in ${dir}${kept}\naudit it with: mmsim audit ${dir}\n`);
    }
    if (failed.length > 0) {
      process.stderr.write(`the scenario's expectations failed in iterations ${ranges(failed)} (expectations_failed in their summaries)\n`);
      return 1;
    }
    return 0;
  } finally {
    progress?.stop();
    await server?.close();
    await pool?.close();
  }
}
