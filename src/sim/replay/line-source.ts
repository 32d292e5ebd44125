import { open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import yauzl from 'yauzl';
import { InputError } from '../../core/errors.ts';

const CHUNK = 1 << 20;

type Packing = 'gzip' | 'zip' | 'plain';

/** The packing is read from the file's first bytes, not its name: a renamed file still opens. */
async function sniff(path: string): Promise<Packing> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: cannot open the recording (${code === 'ENOENT' ? 'no such file' : (code ?? String(e))})`);
  }
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && head.readUInt32LE(0) === 0x04034b50) return 'zip';
    return 'plain';
  } catch (e) {
    // Opening a directory succeeds; reading it fails (EISDIR).
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: cannot read the recording (${code === 'EISDIR' ? 'a directory, not a file' : (code ?? String(e))})`);
  } finally {
    await handle.close();
  }
}

/** The one file inside a zip archive, as a stream (an archive of several files is ambiguous: an error). */
async function zipMember(path: string): Promise<Readable> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  } catch (e) {
    throw new InputError(`${path}: not a readable zip archive (${(e as Error).message})`);
  }
  const files: yauzl.Entry[] = [];
  for await (const entry of zip.eachEntry()) if (!entry.fileName.endsWith('/')) files.push(entry);
  if (files.length !== 1) {
    zip.close();
    throw new InputError(`${path}: a zip recording must hold exactly one file, this one holds ${files.length}${files.length ? ` (${files.map((f) => f.fileName).join(', ')})` : ''}`);
  }
  const stream = await zip.openReadStreamPromise(files[0]!);
  stream.on('close', () => zip.close());
  return stream;
}

/**
 * The lines of a recording, in batches (one per decompressed chunk), read as a stream: memory stays flat
 * whatever the file's length. Gzip and zip (one member) are unpacked on the fly. Line ends are \n or
 * \r\n; the last line may lack one. Errors name the file and how far reading got.
 */
export async function* readLineBatches(path: string): AsyncGenerator<string[]> {
  const packing = await sniff(path);
  const raw = packing === 'zip' ? await zipMember(path) : createReadStream(path, { highWaterMark: CHUNK });
  const stream: Readable = packing === 'gzip' ? raw.pipe(createGunzip({ chunkSize: CHUNK })) : raw;
  if (packing === 'gzip') raw.on('error', (e: Error) => stream.destroy(e));
  stream.setEncoding('utf8');
  let rest = '';
  let lines = 0;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop()!;
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i]!;
        if (p.endsWith('\r')) parts[i] = p.slice(0, -1);
      }
      lines += parts.length;
      if (parts.length > 0) yield parts;
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${path}: the recording cannot be read past line ${lines} (${packing === 'plain' ? '' : `${packing}: `}${(e as Error).message})`);
  } finally {
    stream.destroy();
    raw.destroy();
  }
  if (rest.endsWith('\r')) rest = rest.slice(0, -1);
  if (rest.length > 0) yield [rest];
}
