// A pool of worker threads for runs (piscina): soak iterations and sweep runs side by side on every core.
// A run's result does not depend on the thread it ran in, nor on how many there are (DESIGN: "Time, order
// and randomness"), so a pool only changes how long a batch takes.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { InputError } from '../../core/errors.ts';
import type { PoolTask, RunOutcome, RunTask, SoakOutcome, SoakTask } from './pool-task.ts';

export const MAX_WORKERS = 256;

/** `--workers K`: a whole number from 1 to MAX_WORKERS; absent, the machine's cores. */
export function parseWorkers(text: string | undefined, flag = '--workers'): number {
  if (text === undefined) return defaultWorkers();
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new InputError(`${flag}: expected a whole number from 1 to ${MAX_WORKERS}, was "${text}"`, 'USAGE');
  }
  return n;
}

export const defaultWorkers = (): number => Math.max(1, Math.min(MAX_WORKERS, availableParallelism()));

// The compiled pool-worker.js beside this file; under tsx or vitest (sources), the .ts one, loaded by tsx.
const here = import.meta.url;
const fromSource = here.endsWith('.ts');
const WORKER_FILE = new URL(fromSource ? './pool-worker.ts' : './pool-worker.js', here).href;

export class RunPool {
  readonly threads: number;
  private readonly piscina: Piscina;

  constructor(threads: number) {
    this.threads = threads;
    this.piscina = new Piscina({
      filename: WORKER_FILE,
      minThreads: threads,
      maxThreads: threads,
      // One run at a time per thread: runs are CPU-bound.
      concurrentTasksPerWorker: 1,
      idleTimeout: 60_000,
      ...(fromSource ? { execArgv: ['--import', 'tsx'] } : {}),
    });
  }

  run(task: RunTask): Promise<RunOutcome> {
    return this.piscina.run(task satisfies PoolTask) as Promise<RunOutcome>;
  }

  soak(task: SoakTask): Promise<SoakOutcome> {
    return this.piscina.run(task satisfies PoolTask) as Promise<SoakOutcome>;
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}
