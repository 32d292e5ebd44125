// A sweep over a BullMQ queue on Redis: the coordinator (mmsim sweep --queue) adds one job per run and waits
// for the results; workers (mmsim worker --queue) on any number of machines serve them on their own thread
// pools. Delivery is at least once: a job's id is its run id, a result is written once by run id, and a
// worker killed mid-run leaves a job whose lock expires, which BullMQ's stalled-job check puts back.
import { hostname } from 'node:os';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Job } from 'bullmq';
import { InputError } from '../../core/errors.ts';
import { MMSIM_VERSION } from '../soak/soak-manifest.ts';
import { checkDataFiles } from './data-files.ts';
import type { DataFile } from './data-files.ts';
import { toTaskError } from './pool-task.ts';
import type { RunOutcome } from './pool-task.ts';
import type { RedisAddress } from './redis-url.ts';
import { RunPool } from './run-pool.ts';
import { loadPoint, runId, toOverrides } from './sweep-plan.ts';
import type { SetValue, SweepDef, SweepRun } from './sweep-plan.ts';
import type { SweepExecutor } from './sweep-runner.ts';

export const QUEUE_NAME = 'mmsim-sweep';
/** Tries of a job that failed for a reason of the machine (e.g. a missing data file), not of the run. */
const ATTEMPTS = 3;
const KEEP_S = 7 * 24 * 3600;

/** Everything a worker needs to run one run, and to check it has the same data files. */
export interface RunJob {
  readonly schema: 'mmsim/sweep-job@1';
  readonly run_id: string;
  readonly mmsim_version: string;
  /** The scenario file as the coordinator named it; its relative paths are taken from its directory. */
  readonly scenario_file: string;
  readonly scenario_text: string;
  readonly variant: string | null;
  readonly set: readonly SetValue[];
  readonly seed: number;
  readonly files: readonly DataFile[];
}

/** One client per BullMQ object (BullMQ duplicates it for blocking commands); ours to close after it. */
function clientFor(a: RedisAddress, clients: Redis[]): Redis {
  const client = new Redis({ host: a.host, port: a.port, db: a.db, maxRetriesPerRequest: null, lazyConnect: false });
  client.on('error', () => {}); // ioredis reconnects by itself; a Redis that never answers is reported by reachable()
  clients.push(client);
  return client;
}

const disconnect = (clients: readonly Redis[]): void => {
  for (const c of clients) c.disconnect();
};
const jobIdOf = (id: string) => `run-${id}`;

/** A real-time wait (the CLI's): the simulator itself never reads a timer. */
export type Sleep = (ms: number) => Promise<void>;

const CONNECT_MS = 10_000;

/** Waits for Redis to answer, or says that it does not: bad input naming the address. */
async function reachable(ready: Promise<unknown>, address: RedisAddress, sleep: Sleep): Promise<void> {
  const timeout = sleep(CONNECT_MS).then((): never => {
    throw new InputError(`--queue ${address.url}: no Redis answered there within ${CONNECT_MS / 1000} s`, 'USAGE');
  });
  await Promise.race([ready, timeout]);
}

export function jobOf(def: SweepDef, run: SweepRun): RunJob {
  return {
    schema: 'mmsim/sweep-job@1',
    run_id: run.runId,
    mmsim_version: MMSIM_VERSION,
    scenario_file: def.file,
    scenario_text: def.text,
    variant: def.variant ?? null,
    set: run.sets,
    seed: run.seed,
    files: run.files,
  };
}

/** The coordinator's side: each run a job, its outcome the job's return value (or its final failure). */
export async function queueExecutor(address: RedisAddress, def: SweepDef, sleep: Sleep): Promise<SweepExecutor> {
  const clients: Redis[] = [];
  const queue = new Queue(QUEUE_NAME, { connection: clientFor(address, clients) });
  const events = new QueueEvents(QUEUE_NAME, { connection: clientFor(address, clients) });
  queue.on('error', () => {}); // reconnects are ioredis' business; a lost Redis shows as runs that do not finish
  events.on('error', () => {});
  try {
    await reachable(Promise.all([queue.waitUntilReady(), events.waitUntilReady()]), address, sleep);
  } catch (err) {
    await Promise.allSettled([queue.close(), events.close()]);
    disconnect(clients);
    throw err;
  }
  return {
    async run(run: SweepRun): Promise<RunOutcome> {
      const jobId = jobIdOf(run.runId);
      const old = await queue.getJob(jobId);
      // A job that failed for a reason of some machine earlier gets fresh tries; one that completed is the result.
      if (old && (await old.isFailed())) await old.remove();
      const job = await queue.add('run', jobOf(def, run), {
        jobId,
        attempts: ATTEMPTS,
        backoff: { type: 'fixed', delay: 1000 },
        removeOnComplete: { age: KEEP_S },
        removeOnFail: { age: KEEP_S },
      });
      try {
        return (await job.waitUntilFinished(events)) as RunOutcome;
      } catch (err) {
        return { status: 'failed', error: { code: 'QUEUE_FAILED', message: `after ${ATTEMPTS} tries: ${err instanceof Error ? err.message : String(err)}`, input: false } };
      }
    },
    async close() {
      await Promise.allSettled([events.close(), queue.close()]);
      disconnect(clients);
    },
  };
}

export interface WorkerOptions {
  readonly concurrency: number;
  /** How long a job's lock lasts without renewal, and how often stalled jobs are looked for (ms). */
  readonly lockMs: number;
  readonly onJob?: (event: 'start' | 'done', job: RunJob) => void;
  readonly sleep: Sleep;
}

export interface SweepWorker {
  close(): Promise<void>;
}

/**
 * A worker's side: runs jobs on a pool of `concurrency` threads (the event loop stays free to renew job
 * locks). A run that fails is a completed job whose outcome says so (it would fail again anywhere); a job
 * this machine cannot run (another mmsim version, a missing or different data file) throws, so that BullMQ
 * tries it again, on whichever worker takes it, up to its attempts.
 */
export async function startWorker(address: RedisAddress, opts: WorkerOptions): Promise<SweepWorker> {
  const pool = new RunPool(opts.concurrency);
  const clients: Redis[] = [];
  const worker = new Worker<RunJob, RunOutcome>(QUEUE_NAME, (job: Job<RunJob>) => serve(job.data, pool, opts), {
    connection: clientFor(address, clients),
    concurrency: opts.concurrency,
    lockDuration: opts.lockMs,
    stalledInterval: opts.lockMs,
    maxStalledCount: 3,
    autorun: false,
  });
  worker.on('error', () => {});
  try {
    await reachable(worker.waitUntilReady(), address, opts.sleep);
  } catch (err) {
    await Promise.allSettled([worker.close(true), pool.close()]);
    disconnect(clients);
    throw err;
  }
  void worker.run();
  return {
    async close() {
      await worker.close();
      await pool.close();
      disconnect(clients);
    },
  };
}

async function serve(job: RunJob, pool: RunPool, opts: WorkerOptions): Promise<RunOutcome> {
  const here = `worker ${hostname()} (pid ${process.pid})`;
  if (job.mmsim_version !== MMSIM_VERSION) throw new Error(`${here} runs mmsim ${MMSIM_VERSION}, the job needs ${job.mmsim_version}`);
  const missing = await checkDataFiles(job.files);
  if (missing !== undefined) throw new Error(`${here}: ${missing}`);
  opts.onJob?.('start', job);
  let scenario;
  try {
    scenario = loadPoint(job.scenario_text, job.scenario_file, job.variant ?? undefined, toOverrides(job.set));
  } catch (err) {
    return { status: 'failed', error: toTaskError(err) };
  }
  if (runId(job.scenario_text, job.variant ?? undefined, job.set, job.seed, job.files) !== job.run_id) {
    throw new Error(`${here}: the job's run id does not match what it carries`);
  }
  const outcome = await pool.run({ kind: 'run', scenario, file: job.scenario_file, seed: job.seed });
  opts.onJob?.('done', job);
  return outcome;
}
