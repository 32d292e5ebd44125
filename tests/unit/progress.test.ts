// The progress bar goes to a terminal only, never into a pipe or a file.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RUN_BAR_AFTER_MS, runProgress, terminalProgress } from '../../src/cli/progress.ts';

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

describe('runProgress (a sim run on a terminal)', () => {
  const market = { type: 'book' } as never;

  it('is absent when stderr is not a terminal: no hooks, the run goes unpaced', () => {
    const { stream } = fakeStream(false);
    expect(runProgress('burst', 60e6, stream, () => 0)).toBeUndefined();
  });

  it('draws nothing before the run has lasted RUN_BAR_AFTER_MS, then simulated seconds out of the length', async () => {
    const { stream, text } = fakeStream(true);
    let wall = 1000;
    const p = runProgress('burst', 60e6, stream, () => wall)!;
    p.observer.onMarketData!(market, 5e6);
    wall += RUN_BAR_AFTER_MS - 1;
    await p.pace();
    expect(text()).toBe('');
    wall += 1;
    p.observer.onMarketData!(market, 12_500_000);
    await p.pace();
    p.observer.onMarketData!(market, 30e6);
    await p.pace();
    p.stop();
    expect(text()).toMatch(/burst .*\b30\/60 s simulated/);
  });

  it('a market of unknown length (a replay without a duration) shows the simulated seconds alone', async () => {
    const { stream, text } = fakeStream(true);
    let wall = 0;
    const p = runProgress('replay', undefined, stream, () => wall)!;
    wall = RUN_BAR_AFTER_MS + 5;
    p.observer.onMarketData!(market, 42e6);
    await p.pace();
    p.stop();
    expect(text()).toMatch(/replay 42 s simulated/);
    expect(text()).not.toMatch(/\//);
  });

  it('a run that ends before the threshold leaves nothing on the terminal', async () => {
    const { stream, text } = fakeStream(true);
    const p = runProgress('calm', 10e6, stream, () => 0)!;
    await p.pace();
    p.stop();
    expect(text()).toBe('');
  });
});
