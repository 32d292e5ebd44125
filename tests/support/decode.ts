import { expect } from 'vitest';
import { readLineBatches } from '../../src/sim/market/replay/line-source.ts';
import { ReplayDataError } from '../../src/sim/market/replay/replay-message.ts';
import type { LineDecoder, ReplayMessage } from '../../src/sim/market/replay/replay-message.ts';

/** Decodes hand-written lines (numbered from 1) and ends the file. */
export function decodeLines(decoder: LineDecoder, lines: readonly string[]): ReplayMessage[] {
  const out: ReplayMessage[] = [];
  for (let i = 0; i < lines.length; i++) decoder.decode(lines[i]!, i + 1, out);
  decoder.end(lines.length, out);
  return out;
}

/** Decodes a whole file as the replay reads it (streamed in batches) and ends it. */
export async function decodeFile(decoder: LineDecoder, path: string): Promise<ReplayMessage[]> {
  const out: ReplayMessage[] = [];
  let line = 0;
  for await (const batch of readLineBatches(path)) for (const text of batch) decoder.decode(text, ++line, out);
  decoder.end(line, out);
  return out;
}

/** The ReplayDataError fn throws (fails the test when it throws nothing or something else). */
export function thrownDataError(fn: () => unknown): ReplayDataError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ReplayDataError);
    return e as ReplayDataError;
  }
  throw new Error('expected a ReplayDataError');
}
