// Child processes for tests that run real services (prometheus, redis-server, mmsim workers): each is
// started as the leader of its own process group, so that the group can be killed as a whole.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';

/** The full path of an executable on PATH, or undefined. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface Proc {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly name: string;
  /** stdout and stderr as they came (the last `keepChars` of it). */
  output: string;
  exited: boolean;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `file args` in `cwd` as a process-group leader; `into` collects it for the clean-up. */
export function startGroup(name: string, file: string, args: readonly string[], cwd: string, into: Proc[], keepChars = Infinity): Proc {
  const proc = spawn(file, args, { cwd, detached: true, env: { ...process.env, NO_COLOR: '1' } });
  const p: Proc = { proc, name, output: '', exited: false, exit: new Promise((done) => proc.on('exit', (code, signal) => done({ code, signal }))) };
  void p.exit.then(() => (p.exited = true));
  const keep = (d: string) => {
    p.output += d;
    if (p.output.length > keepChars) p.output = p.output.slice(-keepChars);
  };
  proc.stdout.setEncoding('utf8').on('data', keep);
  proc.stderr.setEncoding('utf8').on('data', keep);
  into.push(p);
  return p;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}
