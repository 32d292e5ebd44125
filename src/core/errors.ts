/**
 * Errors are classes with a stable `code`. Expected outcomes of trading (rejects, freezes) are never
 * errors: they are values delivered as events.
 */
export class MmsimError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bad input from a user: a scenario, a data file, a CLI argument. The CLI maps it to exit code 2. */
export class InputError extends MmsimError {
  constructor(message: string, code = 'BAD_INPUT') {
    super(code, message);
  }
}

/** A bug or a broken invariant inside the simulator or the bot (never the user's fault). */
export class InvariantError extends MmsimError {
  constructor(message: string) {
    super('INVARIANT', message);
  }
}
