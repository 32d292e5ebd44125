import { InputError, MmsimError } from '../core/errors.ts';

/** Prints one line for an error and returns the exit code: 2 for bad input, 1 otherwise. Never a stack trace. */
export function reportError(err: unknown): number {
  if (err instanceof InputError || (err instanceof MmsimError && err.code === 'LOOP_LIMIT')) {
    process.stderr.write(`mmsim: ${err.message}\n`);
    return 2;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`mmsim: internal error (please report it): ${message}\n`);
  if (process.env.MMSIM_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return 1;
}
