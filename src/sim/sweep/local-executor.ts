// Runs a sweep's runs on this machine's pool of worker threads.
import type { RunOutcome } from './pool-task.ts';
import { RunPool } from './run-pool.ts';
import type { SweepExecutor } from './sweep-runner.ts';
import type { SweepRun } from './sweep-plan.ts';

export function localExecutor(file: string, threads: number): SweepExecutor {
  const pool = new RunPool(threads);
  return {
    run: (run: SweepRun): Promise<RunOutcome> => pool.run({ kind: 'run', scenario: run.scenario, file, seed: run.seed }),
    close: () => pool.close(),
  };
}
