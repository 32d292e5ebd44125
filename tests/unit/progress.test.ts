// The progress bar goes to a terminal only, never into a pipe or a file.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { terminalProgress } from '../../src/cli/progress.ts';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const s = new PassThrough();
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString('utf8')));
  Object.assign(s, { isTTY, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream: s as unknown as NodeJS.WriteStream, text: () => text };
}

describe('terminalProgress', () => {
  it('draws a bar with the count and the note on a terminal', () => {
    const { stream, text } = fakeStream(true);
    const p = terminalProgress('soak burst', 20, 5, stream)!;
    expect(p).toBeDefined();
    p.update(6, 'iteration 6: net -1.00 bps');
    p.stop();
    expect(text()).toMatch(/soak burst .* 6\/20 .*iteration 6: net -1\.00 bps/);
  });

  it('is absent when the stream is not a terminal', () => {
    const { stream, text } = fakeStream(false);
    expect(terminalProgress('soak burst', 20, 0, stream)).toBeUndefined();
    expect(text()).toBe('');
  });
});
