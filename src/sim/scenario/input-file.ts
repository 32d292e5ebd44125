import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { InputError } from '../../core/errors.ts';

/**
 * The one way files given by a user are opened: only regular files (a FIFO would block for ever, a
 * device such as /dev/zero never ends), and a whole-file read is capped. The caps are in docs/limits.md;
 * the CLI sets them from the environment (configureInputLimits).
 */

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export interface InputLimits {
  /** A file read whole: scenario YAML, report.json, soak summaries and manifest, latency CSV. */
  maxFileBytes: number;
  /** One line of a recording. */
  maxLineBytes: number;
  /** A compressed recording (gzip, zip) once unpacked. */
  maxDecompressedBytes: number;
}

export const DEFAULT_INPUT_LIMITS: Readonly<InputLimits> = {
  maxFileBytes: 64 * MiB,
  maxLineBytes: 16 * MiB,
  maxDecompressedBytes: 64 * GiB,
};

/** The environment variable that sets each cap (bytes; suffixes k, M, G for 1024-based multiples). */
export const LIMIT_ENV: Readonly<Record<keyof InputLimits, string>> = {
  maxFileBytes: 'MMSIM_MAX_FILE_BYTES',
  maxLineBytes: 'MMSIM_MAX_LINE_BYTES',
  maxDecompressedBytes: 'MMSIM_MAX_DECOMPRESSED_BYTES',
};

let limits: InputLimits = { ...DEFAULT_INPUT_LIMITS };

export const inputLimits = (): Readonly<InputLimits> => limits;

/** Sets the caps from `env` (the defaults for variables not set); a bad value is bad input naming it. */
export function configureInputLimits(env: Readonly<Record<string, string | undefined>>): void {
  const next = { ...DEFAULT_INPUT_LIMITS };
  for (const key of Object.keys(LIMIT_ENV) as (keyof InputLimits)[]) {
    const text = env[LIMIT_ENV[key]];
    if (text !== undefined && text !== '') next[key] = parseBytes(LIMIT_ENV[key], text);
  }
  limits = next;
}

/** Resets the caps to the defaults or to the given ones (tests). */
export function setInputLimits(partial: Partial<InputLimits> = {}): void {
  limits = { ...DEFAULT_INPUT_LIMITS, ...partial };
}

function parseBytes(name: string, text: string): number {
  const m = /^\s*(\d+)\s*([kKmMgG]?)i?[bB]?\s*$/.exec(text);
  const scale = m ? { '': 1, k: 1024, m: MiB, g: GiB }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'] : undefined;
  const bytes = m && scale ? Number(m[1]) * scale : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new InputError(`${name}: expected a size in bytes such as 16777216 or 16M, was ${JSON.stringify(text)}`, 'USAGE');
  return bytes;
}

/** `16 MiB`, `64 GiB`, `1000 bytes`. */
export function showBytes(n: number): string {
  if (n >= GiB && n % GiB === 0) return `${n / GiB} GiB`;
  if (n >= MiB && n % MiB === 0) return `${n / MiB} MiB`;
  return `${n} bytes`;
}

/** `what` names the input in messages: `file` (the default) or e.g. `the recording`. */
function notRegular(file: string, what: string, info: Stats): InputError {
  const kind = info.isDirectory()
    ? what === 'file'
      ? 'EISDIR: illegal operation on a directory'
      : 'a directory, not a file'
    : `${info.isFIFO() ? 'a FIFO (named pipe)' : info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : info.isSocket() ? 'a socket' : 'special'}, not a regular file`;
  return new InputError(`${file}: cannot read ${what} (${kind})`);
}

function openError(file: string, what: string, err: unknown): InputError {
  // Node's message ends with the syscall and path (", open 'x.yaml'"): ours already starts with the path.
  const reason = err instanceof Error ? err.message.replace(/, \w+(?: '.*')?$/, '') : String(err);
  return new InputError(`${file}: cannot read ${what} (${reason})`);
}

// Non-blocking: opening a FIFO for reading would otherwise wait for a writer before the check can run.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** Opens a regular file given by a user; anything else (or an unopenable path) is an InputError. */
export async function openRegularFile(file: string, what: string): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(file, OPEN_FLAGS);
  } catch (err) {
    throw openError(file, what, err);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notRegular(file, what, info);
    return { handle, size: info.size };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

function tooLarge(file: string, what: string, size: number): InputError {
  const max = limits.maxFileBytes;
  return new InputError(`${file}: cannot read ${what}: ${size} bytes, more than the ${showBytes(max)} an input file may have (${LIMIT_ENV.maxFileBytes} raises it)`);
}

/** The text of a regular file of at most maxFileBytes, as UTF-8. */
export async function readTextInput(file: string, what = 'file'): Promise<string> {
  const { handle, size } = await openRegularFile(file, what);
  try {
    if (size > limits.maxFileBytes) throw tooLarge(file, what, size);
    // Read to the cap and one byte more: a file that grows while it is read is still bounded.
    const buf = Buffer.alloc(Math.min(size, limits.maxFileBytes) + 1);
    let got = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got === buf.length) break;
    }
    if (got > limits.maxFileBytes) throw tooLarge(file, what, got);
    return buf.toString('utf8', 0, got);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw openError(file, what, err);
  } finally {
    await handle.close();
  }
}

/** readTextInput for synchronous callers. */
export function readTextInputSync(file: string, what = 'file'): string {
  let fd: number;
  try {
    fd = openSync(file, OPEN_FLAGS);
  } catch (err) {
    throw openError(file, what, err);
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw notRegular(file, what, info);
    if (info.size > limits.maxFileBytes) throw tooLarge(file, what, info.size);
    const buf = Buffer.alloc(info.size + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0 || (got += n) === buf.length) break;
    }
    if (got > limits.maxFileBytes) throw tooLarge(file, what, got);
    return buf.toString('utf8', 0, Math.min(got, info.size + 1));
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw openError(file, what, err);
  } finally {
    closeSync(fd);
  }
}
