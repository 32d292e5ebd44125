import { InputError } from '../core/errors.ts';
import { startWorker } from '../sim/sweep/queue.ts';
import { parseRedisUrl } from '../sim/sweep/redis-url.ts';
import { parseWorkers } from '../sim/sweep/run-pool.ts';
import { waitForStopSignal } from './metrics-server.ts';

export interface WorkerArgs {
  readonly queue: string | undefined;
  readonly concurrency: string | undefined;
  readonly lockMs: string | undefined;
  readonly quiet: boolean;
}

const DEFAULT_LOCK_MS = 30_000;

/** A wait that does not keep the process alive on its own. */
export const sleepUnref = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

export async function runWorkerCommand(args: WorkerArgs): Promise<number> {
  if (args.queue === undefined) throw new InputError('worker: name the queue, e.g. mmsim worker --queue redis://127.0.0.1:6379', 'USAGE');
  const address = parseRedisUrl(args.queue, '--queue');
  const concurrency = parseWorkers(args.concurrency, '--concurrency');
  let lockMs = DEFAULT_LOCK_MS;
  if (args.lockMs !== undefined) {
    lockMs = Number(args.lockMs);
    if (!/^\d+$/.test(args.lockMs.trim()) || lockMs < 500 || lockMs > 3_600_000) throw new InputError(`--lock-ms: expected a whole number of milliseconds from 500 to 3600000, was "${args.lockMs}"`, 'USAGE');
  }
  const stopped = waitForStopSignal();
  const worker = await startWorker(address, {
    concurrency,
    lockMs,
    sleep: sleepUnref,
    onJob: args.quiet ? undefined : (event, job) => process.stderr.write(`${event === 'start' ? 'running' : 'finished'} ${job.run_id}\n`),
  });
  process.stderr.write(`serving sweep runs from ${address.url} with ${concurrency} threads; stop with SIGINT or SIGTERM (Ctrl-C)\n`);
  await stopped;
  process.stderr.write('stopping: finishing the runs in hand\n');
  await worker.close();
  return 0;
}
