import { createWriteStream, mkdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { InputError } from '../core/errors.ts';

/**
 * Writes a shadow session's received lines to FILE (gzip when it ends in `.gz`), through `FILE.partial`
 * renamed at `close`: a file named FILE is always a whole session, readable by `mmsim sim`.
 */
export class LineRecorder {
  private readonly out: Writable;
  private readonly file: Writable;
  private readonly partial: string;
  private failed: Error | undefined;
  lines = 0;

  constructor(readonly path: string) {
    this.partial = `${path}.partial`;
    // Its folder is made as --out's is (the README records into the run's own --out folder, which does
    // not exist yet); a folder that cannot be made shows as the stream's error in ready().
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch {
      // reported by ready()
    }
    this.file = createWriteStream(this.partial);
    this.file.on('error', (e) => (this.failed ??= e));
    if (path.endsWith('.gz')) {
      const gz = createGzip();
      gz.on('error', (e) => (this.failed ??= e));
      gz.pipe(this.file);
      this.out = gz;
    } else this.out = this.file;
  }

  /** Opens the file, so that a path that cannot be written is bad input before the session starts. */
  async ready(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.file.once('ready', () => resolve());
      this.file.once('error', (e) => reject(new InputError(`--record ${this.path}: cannot write it (${e.message})`)));
    });
  }

  write(line: string): void {
    this.lines++;
    this.out.write(`${line}\n`);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.file.once('close', () => resolve());
      this.out.end();
    });
    if (this.failed) {
      await rm(this.partial, { force: true });
      throw new InputError(`--record ${this.path}: writing failed (${this.failed.message})`);
    }
    await rename(this.partial, this.path);
  }
}
