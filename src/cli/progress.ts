// A progress bar on stderr for long runs, drawn by cli-progress, and only when stderr is a terminal:
// progress never goes into files or pipes.
import { SingleBar } from 'cli-progress';

export interface Progress {
  /** Moves the bar to `value` done, with a short note (e.g. the last iteration's net). */
  update(value: number, note: string): void;
  stop(): void;
}

/** A bar over `total` steps starting at `start`, or undefined when `stream` is not a terminal. */
export function terminalProgress(label: string, total: number, start: number, stream: NodeJS.WriteStream = process.stderr): Progress | undefined {
  if (!stream.isTTY) return undefined;
  const bar = new SingleBar({
    stream,
    format: `${label} {bar} {value}/{total} | {duration_formatted} elapsed, {eta_formatted} left | {note}`,
    barsize: 30,
    barCompleteChar: '\u2588',
    barIncompleteChar: '\u2591',
    hideCursor: true,
    etaBuffer: 20,
  });
  bar.start(total, start, { note: start > 0 ? `${start} done before` : '' });
  return {
    update: (value, note) => bar.update(value, { note }),
    stop: () => bar.stop(),
  };
}
