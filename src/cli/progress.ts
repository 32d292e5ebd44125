// A progress bar on stderr for long runs, drawn by cli-progress, and only when stderr is a terminal:
// progress never goes into files or pipes.
import { SingleBar } from 'cli-progress';
import type { RunObserver } from '../sim/run/runner.ts';

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

/** A run shows its bar only once it has lasted this long (wall time): a short run is done before a bar helps. */
export const RUN_BAR_AFTER_MS = 2000;

/** What `runScenario` takes to drive a run's bar: its `pace` hook and an observer of the bot's feed. */
export interface RunProgress {
  readonly pace: () => Promise<void>;
  readonly observer: RunObserver;
  /** Clears the bar, if one was drawn. */
  stop(): void;
}

/**
 * A bar on `stream` for one sim run, or undefined when `stream` is not a terminal. Nothing is drawn
 * before the run has lasted `RUN_BAR_AFTER_MS`; then the bar shows simulated seconds out of the market's
 * length (`lengthUs`; a replay without a duration shows the simulated seconds alone). Neither hook
 * changes the run: the observer only reads the virtual time, and the pace hook yields to the event loop
 * (so the bar redraws) only once the bar is up.
 */
export function runProgress(
  label: string,
  lengthUs: number | undefined,
  stream: NodeJS.WriteStream = process.stderr,
  wallMs: () => number = () => performance.now(),
): RunProgress | undefined {
  if (!stream.isTTY) return undefined;
  const startedMs = wallMs();
  let nowUs = 0;
  let bar: SingleBar | undefined;
  const simSeconds = () => Math.floor(nowUs / 1e6);
  const known = lengthUs !== undefined && lengthUs > 0;
  return {
    observer: {
      onMarketData: (_event, now) => {
        nowUs = now;
      },
    },
    pace: async () => {
      if (!bar) {
        if (wallMs() - startedMs < RUN_BAR_AFTER_MS) return;
        bar = new SingleBar({
          stream,
          format: known
            ? `${label} {bar} {value}/{total} s simulated | {duration_formatted} elapsed, {eta_formatted} left`
            : `${label} {value} s simulated | {duration_formatted} elapsed`,
          barsize: 30,
          barCompleteChar: '\u2588',
          barIncompleteChar: '\u2591',
          hideCursor: true,
          etaBuffer: 20,
        });
        bar.start(known ? Math.ceil(lengthUs / 1e6) : 0, simSeconds());
      } else {
        bar.update(simSeconds());
      }
      await new Promise((resolve) => setImmediate(resolve));
    },
    stop: () => {
      bar?.update(simSeconds());
      bar?.stop();
    },
  };
}
