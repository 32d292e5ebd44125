import type { Micros, TimerHandle } from '../core/clock.ts';
import { InvariantError } from '../core/errors.ts';
import type { DispatchClock } from '../sim/clock/dispatch-clock.ts';
import { EventQueue } from '../sim/clock/event-queue.ts';

/** Where a WallClock reads real time (tests pass their own). */
export interface TimeSource {
  /** Microseconds since the Unix epoch, fractional allowed. */
  nowUs(): number;
  /** Calls `fn` after about `ms` milliseconds; returns something `clear` takes. */
  set(fn: () => void, ms: number): unknown;
  clear(timer: unknown): void;
}

export const realTime: TimeSource = {
  nowUs: () => (performance.timeOrigin + performance.now()) * 1000,
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
};

/** Most callbacks run in one turn of the event loop before the clock lets sockets be read. */
const BATCH = 10_000;

/**
 * The wall clock as a `Clock`: integer µs, never going backwards, counted from `originUs` (a shadow session
 * passes its start, so that its times read like a simulation's, from 0; default: the Unix epoch).
 *
 * Callbacks run in (time, seq) order from one queue, as on the VirtualClock: one real timer is armed for the
 * earliest, and when it fires every callback due by then runs, one after the other (never re-entrantly;
 * one scheduled for now runs after the current one). A timer that fires early (Node rounds delays to whole
 * ms) is re-armed. A callback never runs before its time, so `now()` inside it is at least its time.
 */
export class WallClock implements DispatchClock {
  private readonly queue = new EventQueue<(arg?: unknown) => void>();
  private readonly cancelled = new Set<number>();
  private last: Micros = 0;
  private timer: unknown = undefined;
  private timerAt = Infinity;
  private running = false;
  private stopped = false;
  private processed = 0;
  private readonly originUs: number;

  constructor(
    private readonly source: TimeSource = realTime,
    originUs?: Micros,
  ) {
    this.originUs = originUs ?? 0;
    this.last = Math.max(0, Math.floor(source.nowUs() - this.originUs));
  }

  /** The Unix time (µs) of this clock's 0. */
  get origin(): Micros {
    return this.originUs;
  }

  now(): Micros {
    const t = Math.floor(this.source.nowUs() - this.originUs);
    if (t > this.last) this.last = t;
    return this.last;
  }

  /** Callbacks run so far (the report's `events`). */
  get eventsProcessed(): number {
    return this.processed;
  }

  schedule(at: Micros, callback: () => void): TimerHandle {
    if (!Number.isSafeInteger(at)) throw new InvariantError(`WallClock.schedule time must be an integer of µs, got ${at}`);
    const handle = this.queue.push(at, callback);
    if (!this.running) this.arm();
    return handle;
  }

  /** `run(arg)` at `at`, in the same (time, seq) order as `schedule` (the simulated exchange's event records). */
  dispatch<A>(at: Micros, run: (arg: A) => void, arg: A): TimerHandle {
    if (!Number.isSafeInteger(at)) throw new InvariantError(`WallClock.dispatch time must be an integer of µs, got ${at}`);
    const handle = this.queue.push(at, run as (arg?: unknown) => void, arg);
    if (!this.running) this.arm();
    return handle;
  }

  cancel(handle: TimerHandle): void {
    if (!Number.isSafeInteger(handle) || handle < 0 || handle >= this.queue.nextSeq) return;
    this.cancelled.add(handle);
  }

  /** Stops running callbacks (the session is over): nothing scheduled runs any more, no timer stays armed. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.source.clear(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.stopped) return;
    this.dropCancelled();
    const next = this.queue.peekTime();
    if (next === undefined || !Number.isFinite(next)) return;
    if (this.timer !== undefined) {
      if (this.timerAt <= next) return;
      this.source.clear(this.timer);
    }
    this.timerAt = next;
    this.timer = this.source.set(() => this.fire(), Math.max(0, (next - this.now()) / 1000));
  }

  private dropCancelled(): void {
    while (this.queue.size > 0 && this.cancelled.size > 0 && this.cancelled.delete(this.queue.peekSeq())) this.queue.pop();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.stopped) return;
    this.running = true;
    let ran = 0;
    try {
      const now = this.now();
      for (;;) {
        this.dropCancelled();
        if (this.queue.size === 0 || this.queue.peekTime() > now || ran === BATCH) break;
        const callback = this.queue.pop()!;
        const arg = this.queue.lastArg;
        ran++;
        this.processed++;
        callback(arg);
        if (this.stopped) return;
      }
    } finally {
      this.running = false;
    }
    this.arm();
  }
}

/** Now as integer nanoseconds since the Unix epoch, as text (µs resolution): a recording line's receive time. */
export function unixNs(source: TimeSource = realTime): string {
  return `${Math.floor(source.nowUs())}000`;
}
