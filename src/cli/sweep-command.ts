import { outputFolder } from '../sim/run/atomic-write.ts';
import { readSourceFile } from '../sim/scenario/yaml-source.ts';
import { parseSweepAxes } from '../sim/scenario/overrides.ts';
import { MAX_SEEDS, defineSweep } from '../sim/sweep/sweep-plan.ts';
import { CSV_FILE, planSweep, runSweep } from '../sim/sweep/sweep-runner.ts';
import type { SweepExecutor } from '../sim/sweep/sweep-runner.ts';
import { HTML_FILE } from '../sim/sweep/sweep-html.ts';
import { SUMMARY_FILE } from '../sim/sweep/sweep-summary.ts';
import { localExecutor } from '../sim/sweep/local-executor.ts';
import { parseWorkers } from '../sim/sweep/run-pool.ts';
import { queueExecutor } from '../sim/sweep/queue.ts';
import { parseRedisUrl } from '../sim/sweep/redis-url.ts';
import { parseCount, parseSeed } from './args.ts';
import { terminalProgress } from './progress.ts';
import { join } from 'node:path';
import { sleepUnref } from './worker-command.ts';

export interface SweepArgs {
  readonly scenario: string;
  readonly set: readonly string[];
  readonly seeds: string | undefined;
  readonly seed: string | undefined;
  readonly workers: string | undefined;
  readonly queue: string | undefined;
  readonly out: string | undefined;
  readonly resume: boolean;
  readonly variant: string | undefined;
  readonly quiet: boolean;
}

export async function runSweepCommand(args: SweepArgs): Promise<number> {
  const seeds = parseCount('seeds', args.seeds, MAX_SEEDS) ?? 1;
  const seed = parseSeed(args.seed);
  const workers = parseWorkers(args.workers);
  const queue = args.queue === undefined ? undefined : parseRedisUrl(args.queue, '--queue');
  const axes = parseSweepAxes(args.set);
  const text = await readSourceFile(args.scenario);
  const def = await defineSweep({ file: args.scenario, text, variant: args.variant, axes, seeds, seed });
  const dir = outputFolder(args.out, [def.scenarioName, ...(def.variant ? [def.variant] : []), 'sweep']);
  const plan = await planSweep(def, dir, args.resume);
  for (const r of plan.redo) process.stderr.write(`not kept, running ${r.runId} again: ${r.reason.split('\n')[0]}\n`);
  if (plan.done.length > 0) process.stderr.write(`resuming: ${plan.done.length} of ${def.runs.length} runs are done; running ${plan.todo.length}\n`);
  const total = def.runs.length;
  const where = queue ? `the queue at ${queue.url}` : `${Math.min(workers, Math.max(1, plan.todo.length))} worker threads`;
  if (!args.quiet) process.stderr.write(`sweep ${def.scenarioName}: ${def.points.length} points x ${seeds} seeds = ${total} runs on ${where}\n`);
  const progress = args.quiet ? undefined : terminalProgress(`sweep ${def.scenarioName}`, total, plan.done.length);
  let completed = plan.done.length;
  let executor: SweepExecutor | undefined;
  try {
    executor = queue ? await queueExecutor(queue, def, sleepUnref) : localExecutor(args.scenario, Math.min(workers, Math.max(1, plan.todo.length)));
    const results = await runSweep(def, dir, plan, executor, {
      onRunDone: (run, result) => {
        completed++;
        const note = result.status === 'ok' ? `${run.runId}: net ${result.row!.net_bps.toFixed(2)} bps` : `${run.runId}: failed`;
        progress?.update(completed, note);
      },
    });
    progress?.stop();
    const failed = results.filter((r) => r.status === 'failed');
    for (const f of failed) process.stderr.write(`run ${f.run_id} (${f.set.map((s) => `${s.path}=${s.value}`).join(' ')}, seed ${f.seed}) failed: ${f.error}\n`);
    if (!args.quiet) {
      const kept = plan.done.length > 0 ? ` (${plan.done.length} kept from before, ${plan.todo.length} run now)` : '';
      process.stdout.write(`sweep finished: ${total} runs${kept}; wrote ${join(dir, CSV_FILE)}, ${join(dir, SUMMARY_FILE)} and ${join(dir, HTML_FILE)}\n`);
    }
    return failed.length > 0 ? 1 : 0;
  } finally {
    progress?.stop();
    await executor?.close();
  }
}
