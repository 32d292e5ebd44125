import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import yauzl from 'yauzl';
import { InputError } from '../../../core/errors.ts';
import { LIMIT_ENV, inputLimits, openRegularFile, showBytes } from '../../scenario/input-file.ts';

// Every line is a slice of its decoded chunk and keeps the whole chunk alive while the line (or the batch
// holding it) is read ahead: 256 KiB chunks keep that under about a MB; 1 MiB ones kept about 3 MB live,
// for no speed gained (gunzip and split cost the same per byte).
const CHUNK = 1 << 18;

type Packing = 'gzip' | 'zip' | 'plain';

/** The packing is read from the file's first bytes, not its name: a renamed file still opens. */
async function sniff(handle: FileHandle): Promise<Packing> {
  const head = Buffer.alloc(4);
  const { bytesRead } = await handle.read(head, 0, 4, 0);
  if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (bytesRead === 4 && head.readUInt32LE(0) === 0x04034b50) return 'zip';
  return 'plain';
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
  try {
    // yauzl refuses member names such as ../x or /etc/x (it validates every name while listing).
    for await (const entry of zip.eachEntry()) if (!entry.fileName.endsWith('/')) files.push(entry);
  } catch (e) {
    zip.close();
    throw new InputError(`${path}: not a readable zip archive (${(e as Error).message})`);
  }
  if (files.length !== 1) {
    zip.close();
    throw new InputError(`${path}: a zip recording must hold exactly one file, this one holds ${files.length}${files.length ? ` (${files.map((f) => f.fileName).join(', ')})` : ''}`);
  }
  const member = files[0]!;
  if (member.uncompressedSize > inputLimits().maxDecompressedBytes) {
    zip.close();
    throw tooBig(path, member.uncompressedSize);
  }
  let stream: Readable;
  try {
    stream = await zip.openReadStreamPromise(member);
  } catch (e) {
    zip.close();
    throw new InputError(`${path}: not a readable zip archive (${(e as Error).message})`);
  }
  stream.on('close', () => zip.close());
  return stream;
}

const tooBig = (path: string, bytes: number) =>
  new InputError(
    `${path}: the recording unpacks to more than ${showBytes(inputLimits().maxDecompressedBytes)} (${bytes} bytes or more; ${LIMIT_ENV.maxDecompressedBytes} raises the cap)`,
  );

/**
 * The lines of a recording, in batches (one per decompressed chunk), read as a stream: memory stays flat
 * whatever the file's length. Gzip and zip (one member) are unpacked on the fly. Line ends are \n or
 * \r\n; the last line may lack one. Only a regular file is read (a FIFO or device is refused up front);
 * a line longer than maxLineBytes and a compressed file unpacking past maxDecompressedBytes stop the read
 * with one error (input-file.ts). A line spread over many chunks is joined once, in linear time. Errors
 * name the file and how far reading got.
 */
export async function* readLineBatches(path: string): AsyncGenerator<string[]> {
  const { maxLineBytes, maxDecompressedBytes } = inputLimits();
  const { handle } = await openRegularFile(path, 'the recording');
  let packing: Packing;
  try {
    packing = await sniff(handle);
  } catch (e) {
    await handle.close();
    throw new InputError(`${path}: cannot read the recording (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let raw: Readable;
  if (packing === 'zip') {
    await handle.close();
    raw = await zipMember(path);
  } else {
    raw = createReadStream('', { fd: handle, highWaterMark: CHUNK });
  }
  const stream: Readable = packing === 'gzip' ? raw.pipe(createGunzip({ chunkSize: CHUNK })) : raw;
  if (packing === 'gzip') raw.on('error', (e: Error) => stream.destroy(e));
  const decoder = new StringDecoder('utf8');
  // The unfinished last line: its pieces, joined only when its end arrives.
  let pending: string[] = [];
  let pendingLength = 0;
  let lines = 0;
  let unpacked = 0;
  const tooLong = () =>
    new InputError(
      `${path}:${lines + 1}: the line is longer than ${showBytes(maxLineBytes)} (${LIMIT_ENV.maxLineBytes} raises the cap); is this a recording of ${packing === 'plain' ? 'text lines' : `${packing}ped text lines`}?`,
    );
  try {
    for await (const buf of stream as AsyncIterable<Buffer>) {
      unpacked += buf.length;
      if (packing !== 'plain' && unpacked > maxDecompressedBytes) throw tooBig(path, unpacked);
      const chunk = decoder.write(buf);
      const firstEnd = chunk.indexOf('\n');
      if (firstEnd < 0) {
        pending.push(chunk);
        pendingLength += chunk.length;
        if (pendingLength > maxLineBytes) throw tooLong();
        continue;
      }
      const parts = chunk.split('\n');
      const head = parts[0]!;
      if (pendingLength + head.length > maxLineBytes) throw tooLong();
      parts[0] = pending.length > 0 ? pending.join('') + head : head;
      const rest = parts.pop()!;
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i]!;
        if (i > 0 && p.length > maxLineBytes) {
          lines += i;
          throw tooLong();
        }
        if (p.endsWith('\r')) parts[i] = p.slice(0, -1);
      }
      pending = rest.length > 0 ? [rest] : [];
      pendingLength = rest.length;
      if (pendingLength > maxLineBytes) {
        lines += parts.length;
        throw tooLong();
      }
      lines += parts.length;
      yield parts;
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${path}: the recording cannot be read past line ${lines} (${packing === 'plain' ? '' : `${packing}: `}${(e as Error).message})`);
  } finally {
    stream.destroy();
    raw.destroy();
  }
  let last = pending.join('') + decoder.end();
  if (last.endsWith('\r')) last = last.slice(0, -1);
  if (last.length > 0) yield [last];
}
