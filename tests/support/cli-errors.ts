import { expect } from 'vitest';

/** What a CLI test sees of one `mmsim` invocation. */
interface CliOutcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The line yargs adds after a usage error; not part of the error itself. */
export const HELP_HINT = /^Run "mmsim --help" for usage\.$/;

/** `text` as a literal inside a RegExp. */
export const esc = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Bad input as the project promises to report it: exit 2, exactly one `mmsim: ` line on stderr matching
 * `line`, no stack trace or internal error, nothing on stdout. Returns that line.
 */
export function expectOneError(run: CliOutcome, line: RegExp): string {
  expect(run.code, `exit code; stderr was:\n${run.stderr}`).toBe(2);
  const lines = run.stderr
    .replace(/\n$/, '')
    .split('\n')
    .filter((l) => !HELP_HINT.test(l));
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^mmsim: \S/);
  expect(lines[0]).toMatch(line);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stderr).not.toMatch(/internal error|\b[A-Z]\w*Error\b:/);
  expect(run.stdout).toBe('');
  return lines[0]!;
}
