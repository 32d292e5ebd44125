import { execFile, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './run.ts';

export const BIN = join(repoRoot, 'bin', 'mmsim.js');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment a user has: no colour, and no MMSIM_DEBUG (it turns on stack traces for internal errors). */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.MMSIM_DEBUG;
  return env;
}

/** Runs `mmsim <args>` in a child process to its end; a crash or time-out (not an exit code) fails the test. */
export function mmsim(args: readonly string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd ?? repoRoot, env: { ...userEnv(), ...options.env }, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return fail(new Error(`mmsim ${args.join(' ')} did not exit normally: ${err.message}\n${stderr}`));
        done({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
  });
}

export interface CliChild {
  readonly proc: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `mmsim <args>` and returns at once, for tests that talk to it or kill it while it runs. */
export function startMmsim(args: readonly string[], options: { cwd?: string } = {}): CliChild {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? repoRoot, env: userEnv() });
  const child: CliChild = {
    proc,
    stdout: '',
    stderr: '',
    exit: new Promise((done) => proc.on('exit', (code, signal) => done({ code, signal }))),
  };
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (child.stdout += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (child.stderr += d));
  return child;
}

/** Resolves once the child's stderr matches `pattern`; fails if it exits first or after `ms`. */
export async function stderrMatch(child: CliChild, pattern: RegExp, ms = 20_000): Promise<RegExpExecArray> {
  let exited = false;
  void child.exit.then(() => (exited = true));
  for (let waited = 0; waited < ms; waited += 20) {
    const m = pattern.exec(child.stderr);
    if (m) return m;
    if (exited) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no ${pattern} on stderr (exited: ${exited}); stderr was:\n${child.stderr}\nstdout was:\n${child.stdout}`);
}
