import { readdir, stat } from 'node:fs/promises';
import { InputError } from '../../core/errors.ts';

/**
 * The names in an output folder (`--out`), sorted; [] when it does not exist yet. A path through a file,
 * or a file where the folder should be, is bad input naming the flag, never a crash.
 */
export async function listOutDir(dir: string): Promise<string[]> {
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw new InputError(`--out ${dir}: not a directory`, 'USAGE');
    return (await readdir(dir)).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === 'ENOTDIR') throw new InputError(`--out ${dir}: part of that path is a file, not a directory`, 'USAGE');
    throw err;
  }
}
