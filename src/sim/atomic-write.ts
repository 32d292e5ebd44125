import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes files so that a reader never sees a half-written one: each goes to a temporary file in the
 * same directory first and is renamed over the target only when all of them are written.
 */
export async function writeFilesAtomically(files: ReadonlyArray<readonly [path: string, content: string]>): Promise<void> {
  const temps: Array<[string, string]> = [];
  try {
    for (const [path, content] of files) {
      await ensureDir(dirname(path));
      const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`); // see isTempFileOf
      temps.push([tmp, path]);
      await writeFile(tmp, content);
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
