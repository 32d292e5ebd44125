import { InputError, MmsimError } from '../core/errors.ts';

/** A bad command line: the message is yargs' (or ours), followed by a pointer to --help. */
export class UsageError extends InputError {
  constructor(message: string) {
    super(message, 'USAGE');
  }
}

/** Prints one line for an error and returns the exit code: 2 for bad input, 1 otherwise. Never a stack trace. */
export function reportError(err: unknown): number {
  if (err instanceof UsageError) {
    process.stderr.write(`mmsim: ${err.message}\nRun "mmsim --help" for usage.\n`);
    return 2;
  }
  if (err instanceof InputError || (err instanceof MmsimError && err.code === 'LOOP_LIMIT')) {
    process.stderr.write(`mmsim: ${err.message}\n`);
    return 2;
  }
  if (err instanceof MmsimError && err.code === 'STRATEGY_FAILED') {
    // The user's strategy broke its contract: the run failed (exit 1), with the one line naming file and handler.
    process.stderr.write(`mmsim: ${err.message}\n`);
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`mmsim: internal error (please report it): ${message}\n`);
  if (process.env.MMSIM_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return 1;
}
