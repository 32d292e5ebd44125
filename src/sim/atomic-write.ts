import { mkdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../core/errors.ts';

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
  const targets = files.map(([name, content]) => [pathInside(root, name), content] as const);
  await ensureDir(root);
  const realRoot = await realpath(root);
  for (const dir of new Set(targets.map(([path]) => dirname(path)))) {
    await ensureDir(dir);
    const real = await realpath(dir);
    const rel = relative(realRoot, real);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      throw new InputError(`${dir}: will not write there: it leads outside the output folder ${root} (to ${real})`, 'USAGE');
    }
  }
  await writeFilesAtomically(targets);
  return targets.map(([path]) => path);
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
