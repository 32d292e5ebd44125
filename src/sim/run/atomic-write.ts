import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../../core/errors.ts';

/**
 * A name that may become one path segment: letters, digits, `_`, `.` and `-`, starting with a letter,
 * digit or `_` (so never `.`, `..`, a hidden file or an option), at most 128 characters. Scenario and
 * variant names are names, never paths.
 */
export const PLAIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
export const PLAIN_NAME_RULE = 'a plain name: letters, digits, _ . - (not starting with . or -), at most 128 characters';

export const isPlainName = (name: string): boolean => PLAIN_NAME.test(name);

/**
 * The output folder of a command: `--out` as given (never empty), or `out/<name>/...` under the working
 * directory when there is none, every part of it a plain name. Nothing read from a scenario file decides
 * where files go beyond such names.
 */
export function outputFolder(out: string | undefined, defaultParts: readonly string[], flag = '--out'): string {
  if (out !== undefined) {
    if (out.trim() === '') throw new InputError(`${flag}: empty: name a folder, e.g. ${flag} runs/a`, 'USAGE');
    if (out.includes('\0')) throw new InputError(`${flag}: the folder name holds a NUL character`, 'USAGE');
    return out;
  }
  for (const part of defaultParts) {
    if (!isPlainName(part)) throw new InputError(`${JSON.stringify(part)} is not ${PLAIN_NAME_RULE}: give ${flag} DIR`, 'USAGE');
  }
  return join('out', ...defaultParts);
}

/**
 * `root/<parts joined>`, checked: each part is a plain name (a relative path's segments are checked one
 * by one) and the resolved path lies inside `root`. Every file a command writes goes through here.
 */
export function pathInside(root: string, relativePath: string): string {
  const segments = relativePath.split(/[\\/]/);
  for (const s of segments) {
    if (!isPlainName(s)) throw new InputError(`${root}: will not write ${JSON.stringify(relativePath)}: ${JSON.stringify(s)} is not ${PLAIN_NAME_RULE}`, 'USAGE');
  }
  const base = resolve(root);
  const path = resolve(base, ...segments);
  const rel = relative(base, path);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
    throw new InputError(`${root}: will not write ${JSON.stringify(relativePath)}: it resolves outside the output folder`, 'USAGE');
  }
  return join(root, ...segments);
}

/**
 * Writes files into the output folder `root` (created if need be) atomically (see writeFilesAtomically).
 * Every name is checked by pathInside, and after the folders exist their real paths (symbolic links
 * followed) must still lie inside root's: a link inside the output folder cannot lead a write out of it.
 */
export async function writeFilesInto(root: string, files: ReadonlyArray<readonly [relativePath: string, content: string]>): Promise<string[]> {
  const paths = await checkedTargets(root, files.map(([name]) => name));
  await writeFilesAtomically(files.map(([, content], i) => [paths[i]!, content] as const));
  return paths;
}

/** The checked paths of `names` inside `root`, their folders created (see writeFilesInto). */
async function checkedTargets(root: string, names: readonly string[]): Promise<string[]> {
  const paths = names.map((name) => pathInside(root, name));
  await ensureDir(root);
  const realRoot = await realpath(root);
  for (const dir of new Set(paths.map((path) => dirname(path)))) {
    await ensureDir(dir);
    const real = await realpath(dir);
    const rel = relative(realRoot, real);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw new InputError(`${dir}: will not write there: it leads outside the output folder ${root} (to ${real})`, 'USAGE');
    }
  }
  return paths;
}

/** A file being written in pieces (synchronously, so that code on the virtual clock can write). */
export interface StreamedFile {
  write(text: string): void;
}

/** Files written in pieces into the output folder; seen under their names only once all are committed. */
export interface StreamedFiles {
  readonly files: readonly StreamedFile[];
  readonly paths: readonly string[];
  /** Flushes and renames every file over its target. */
  commit(): Promise<void>;
  /** Removes the temporary files; the targets are untouched. */
  abort(): Promise<void>;
}

/** Text buffered before each write to the temporary file: memory stays bounded whatever the length. */
const STREAM_CHUNK = 1 << 16;

/**
 * Like writeFilesInto, for files too long to hold in memory: each goes to a temporary file in its folder,
 * written in chunks, and `commit` renames them all over their targets.
 */
export async function streamFilesInto(root: string, names: readonly string[]): Promise<StreamedFiles> {
  const paths = await checkedTargets(root, names);
  const temps = paths.map((path) => join(dirname(path), `.${basename(path)}.${process.pid}.tmp`)); // see isTempFileOf
  const fds: number[] = [];
  const buffers = paths.map(() => '');
  const closeAll = () => {
    for (const fd of fds.splice(0)) closeSync(fd);
  };
  const removeAll = async () => {
    closeAll();
    await Promise.all(temps.map((tmp) => rm(tmp, { force: true })));
  };
  try {
    for (const tmp of temps) {
      await rm(tmp, { force: true });
      fds.push(openSync(tmp, 'wx'));
    }
  } catch (err) {
    await removeAll();
    throw err;
  }
  const flush = (i: number) => {
    if (buffers[i] === '') return;
    writeSync(fds[i]!, buffers[i]!);
    buffers[i] = '';
  };
  return {
    files: paths.map((_, i) => ({
      write: (text: string) => {
        buffers[i] += text;
        if (buffers[i]!.length >= STREAM_CHUNK) flush(i);
      },
    })),
    paths,
    commit: async () => {
      try {
        for (let i = 0; i < paths.length; i++) flush(i);
        closeAll();
        for (let i = 0; i < paths.length; i++) await rename(temps[i]!, paths[i]!);
      } catch (err) {
        await removeAll();
        throw err;
      }
    },
    abort: removeAll,
  };
}

/**
 * Writes files so that a reader never sees a half-written one: each goes to a temporary file in the
 * same directory first and is renamed over the target only when all of them are written. For files a
 * command writes for a user, use writeFilesInto (it checks the paths).
 */
export async function writeFilesAtomically(files: ReadonlyArray<readonly [path: string, content: string]>): Promise<void> {
  const temps: Array<[string, string]> = [];
  try {
    for (const [path, content] of files) {
      await ensureDir(dirname(path));
      const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`); // see isTempFileOf
      temps.push([tmp, path]);
      // A fresh file, never through whatever (a link, a stale file of a reused pid) had the name.
      await rm(tmp, { force: true });
      await writeFile(tmp, content, { flag: 'wx' });
    }
    for (const [tmp, path] of temps) await rename(tmp, path);
  } catch (err) {
    await Promise.all(temps.map(([tmp]) => rm(tmp, { force: true })));
    throw err;
  }
}

/** Whether `name` is the temporary file of an interrupted atomic write of `target` (a file name). */
export function isTempFileOf(name: string, target: RegExp): boolean {
  const m = /^\.(.+)\.\d+\.tmp$/.exec(name);
  return m !== null && target.test(m[1]!);
}

/**
 * mkdir -p, one level at a time. Node's own `recursive: true` never returns for a path under a
 * pseudo file system such as /proc (it loops between ENOENT and EEXIST); this stops with ENOENT.
 */
async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(dir) === dir) throw err;
    await ensureDir(dirname(dir));
    await mkdir(dir).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again;
    });
  }
}
