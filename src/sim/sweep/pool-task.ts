// What goes to a pool thread and what comes back: plain data (structured clone), errors included, so that
// an error keeps its meaning (bad input, a failed strategy, an internal error) across the thread boundary.
import { InputError, MmsimError } from '../../core/errors.ts';
import { LoopLimitError } from '../clock/virtual-clock.ts';
import type { LoadedScenario } from '../scenario/load-scenario.ts';
import type { IterSummary } from '../soak/iter-summary.ts';
import type { SoakManifest } from '../soak/soak-manifest.ts';

export interface RunTask {
  readonly kind: 'run';
  readonly scenario: LoadedScenario;
  /** Names the scenario in messages (e.g. the run's event limit). */
  readonly file: string;
  readonly seed: number;
}

export interface SoakTask {
  readonly kind: 'soak';
  readonly scenario: LoadedScenario;
  readonly file: string;
  readonly manifest: SoakManifest;
  readonly iteration: number;
}

export type PoolTask = RunTask | SoakTask;

/** An error as it crosses threads: `input` for bad input (exit 2), the code kept for the rest. */
export interface TaskError {
  readonly code: string | undefined;
  readonly message: string;
  readonly input: boolean;
  /** A run stopped by its event limit: where (see LoopLimitError). */
  readonly loopLimit?: { readonly callbacksRun: number; readonly virtualTime: number };
}

export type RunOutcome = { readonly status: 'ok'; readonly reportJson: string } | { readonly status: 'failed'; readonly error: TaskError };
export type SoakOutcome = { readonly status: 'ok'; readonly summary: IterSummary } | { readonly status: 'failed'; readonly error: TaskError };

export function toTaskError(err: unknown): TaskError {
  if (err instanceof LoopLimitError) return { code: err.code, message: err.message, input: false, loopLimit: { callbacksRun: err.callbacksRun, virtualTime: err.virtualTime } };
  if (err instanceof MmsimError) return { code: err.code, message: err.message, input: err instanceof InputError };
  return { code: undefined, message: err instanceof Error ? err.message : String(err), input: false };
}

/** The error again, of a class the CLI maps to the same exit code and message as in one thread. */
export function fromTaskError(e: TaskError): Error {
  if (e.loopLimit) return new LoopLimitError('run', e.loopLimit.callbacksRun, e.loopLimit.virtualTime);
  if (e.input) return new InputError(e.message, e.code);
  if (e.code !== undefined) return new MmsimError(e.code, e.message);
  return new Error(e.message);
}

/** A failed run's one-line-per-problem text, as sweep.csv and the run's result hold it. */
export function describeTaskError(e: TaskError): string {
  return e.code === undefined ? `internal error: ${e.message}` : e.message;
}
