/**
 * Virtual time for the simulator, modelled on @sinonjs/fake-timers.
 *
 * Ordering rule: every event — market data, arrivals at the exchange, deliveries to the bot, timers —
 * goes through this one queue, ordered by (time, seq) where seq is a global insertion counter. Events
 * sharing a timestamp run in the order they were scheduled. A callback scheduled for the current time
 * runs after the current callback returns, never re-entrantly. Time never goes backwards: asking for
 * an earlier time throws TimeTravelError.
 */
import type { Micros, TimerHandle } from '../../core/clock.ts';
import { InvariantError, MmsimError } from '../../core/errors.ts';
import type { DispatchClock } from './dispatch-clock.ts';
import { EventQueue } from './event-queue.ts';

/** A request that would move virtual time backwards, or a time that is not an integer of µs. */
export class TimeTravelError extends MmsimError {
  constructor(message: string) {
    super('TIME_TRAVEL', message);
  }
}

/** One runAll/runUntil/tick call ran more callbacks than the loop limit allows. */
export class LoopLimitError extends MmsimError {
  readonly callbacksRun: number;
  readonly virtualTime: Micros;
  constructor(operation: string, callbacksRun: number, virtualTime: Micros) {
    super(
      'LOOP_LIMIT',
      `VirtualClock.${operation}: ran ${callbacksRun} callbacks in one call (the loop limit) and ` +
        `reached virtual time ${virtualTime} µs with more still due; the scenario probably schedules ` +
        `events without end (e.g. a callback that reschedules itself).`,
    );
    this.callbacksRun = callbacksRun;
    this.virtualTime = virtualTime;
  }
}

export interface VirtualClockOptions {
  /** Initial virtual time in µs (default 0). */
  start?: Micros;
  /** Most callbacks one runAll/runUntil/tick call may run (default 100,000,000). */
  loopLimit?: number;
}

/** What the queue holds: a callback, run with the argument it was scheduled with (none for `schedule`). */
type Run = (arg: unknown) => void;

const DEFAULT_LOOP_LIMIT = 100_000_000;
/** Slack before stale handles in the cancelled set are pruned. */
const PRUNE_SLACK = 32;

function requireIntegerTime(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new TimeTravelError(`${what} must be a finite integer number of µs, got ${value}`);
  }
}

export class VirtualClock implements DispatchClock {
  private current: Micros;
  private readonly loopLimit: number;
  private readonly queue = new EventQueue<Run>();
  /**
   * Handles cancelled but not yet popped (lazy deletion). It may also hold stale handles (already
   * run, or cancelled twice after being skipped) until the next prune; `unverified` says so.
   */
  private cancelled = new Set<number>();
  private unverified = false;
  private processed = 0;
  private running = false;

  constructor(options: VirtualClockOptions = {}) {
    const start = options.start ?? 0;
    requireIntegerTime(start, 'VirtualClock start');
    const loopLimit = options.loopLimit ?? DEFAULT_LOOP_LIMIT;
    if (!Number.isSafeInteger(loopLimit) || loopLimit < 1) {
      throw new InvariantError(`VirtualClock loopLimit must be a positive integer, got ${loopLimit}`);
    }
    this.current = start;
    this.loopLimit = loopLimit;
  }

  now(): Micros {
    return this.current;
  }

  schedule(at: Micros, callback: () => void): TimerHandle {
    this.checkAt(at, 'schedule');
    return this.queue.push(at, callback);
  }

  /**
   * `schedule(at, () => run(arg))` without a closure per event, for the simulator's hot senders: `run` is
   * made once (a bound method), `arg` is the event's own record (a message the sender already has, or an
   * index into its table). The same queue and the same (time, seq) order as `schedule`.
   */
  dispatch<A>(at: Micros, run: (arg: A) => void, arg: A): TimerHandle {
    this.checkAt(at, 'dispatch');
    return this.queue.push(at, run as Run, arg);
  }

  private checkAt(at: Micros, operation: string): void {
    requireIntegerTime(at, `VirtualClock.${operation} time`);
    if (at < this.current) {
      throw new TimeTravelError(
        `VirtualClock.${operation} at ${at} µs is before now (${this.current} µs); virtual time never goes backwards`,
      );
    }
  }

  cancel(handle: TimerHandle): void {
    if (!Number.isSafeInteger(handle) || handle < 0 || handle >= this.queue.nextSeq) return;
    if (this.cancelled.has(handle)) return;
    this.cancelled.add(handle);
    this.unverified = true;
    if (this.cancelled.size > 2 * this.queue.size + PRUNE_SLACK) this.pruneCancelled();
  }

  /** Callbacks scheduled and neither run nor cancelled. O(pending) after a cancel, O(1) otherwise. */
  get pending(): number {
    if (this.unverified) this.pruneCancelled();
    return this.queue.size - this.cancelled.size;
  }

  /** Callbacks run in total (including one that threw). */
  get eventsProcessed(): number {
    return this.processed;
  }

  /** Run the earliest pending callback, advancing now to its time. False when none is pending. */
  next(): boolean {
    const before = this.processed;
    this.runDue(Number.MAX_SAFE_INTEGER, 'next', 1, false);
    return this.processed !== before;
  }

  /** Run every callback due at or before now+us, in (time, seq) order, then set now to now+us. */
  tick(us: number): void {
    requireIntegerTime(us, 'VirtualClock.tick duration');
    if (us < 0) throw new TimeTravelError(`VirtualClock.tick(${us}): negative durations would move time backwards`);
    const target = this.current + us;
    requireIntegerTime(target, 'VirtualClock.tick target');
    this.runDue(target, 'tick', this.loopLimit, true);
    this.current = target;
  }

  /** Same as tick(t - now()). */
  runUntil(t: Micros): void {
    requireIntegerTime(t, 'VirtualClock.runUntil time');
    if (t < this.current) {
      throw new TimeTravelError(`VirtualClock.runUntil(${t}) is before now (${this.current} µs)`);
    }
    this.runDue(t, 'runUntil', this.loopLimit, true);
    this.current = t;
  }

  /**
   * A resumable runUntil(t): runs at most `maxRuns` of the callbacks due at or before `t`. Returns true
   * when none is left (now is then `t`, as after runUntil), false when it stopped after `maxRuns` with
   * more still due (now is the time of the last callback run). Calling it until it returns true runs
   * exactly the callbacks runUntil(t) runs, in the same order, so a caller can do other work between
   * slices. Stopping at `maxRuns` is not an error here (the caller owns the budget and the loop limit).
   */
  runUntilAtMost(t: Micros, maxRuns: number): boolean {
    requireIntegerTime(t, 'VirtualClock.runUntilAtMost time');
    if (t < this.current) {
      throw new TimeTravelError(`VirtualClock.runUntilAtMost(${t}) is before now (${this.current} µs)`);
    }
    if (!Number.isSafeInteger(maxRuns) || maxRuns < 0) {
      throw new InvariantError(`VirtualClock.runUntilAtMost maxRuns must be a non-negative integer, got ${maxRuns}`);
    }
    if (!this.runDue(t, 'runUntilAtMost', maxRuns, false)) return false;
    this.current = t;
    return true;
  }

  /** Run until nothing is pending; now stays at the time of the last callback. */
  runAll(): void {
    this.runDue(Number.MAX_SAFE_INTEGER, 'runAll', this.loopLimit, true);
  }

  /**
   * Run callbacks due at or before `limitTime`, at most `maxRuns` of them. When `overrunIsError`, one
   * more due callback after `maxRuns` is a LoopLimitError rather than a stop. Returns true when no
   * callback due at or before `limitTime` is left, false when it stopped at `maxRuns`.
   */
  private runDue(limitTime: number, operation: string, maxRuns: number, overrunIsError: boolean): boolean {
    if (this.running) {
      throw new InvariantError(`VirtualClock.${operation} called from inside a callback (re-entrant run)`);
    }
    this.running = true;
    const queue = this.queue;
    let ran = 0;
    try {
      while (queue.peekTime() <= limitTime) {
        if (this.cancelled.size !== 0 && this.cancelled.delete(queue.peekSeq())) {
          queue.pop();
          continue;
        }
        if (ran === maxRuns) {
          if (overrunIsError) throw new LoopLimitError(operation, ran, this.current);
          return false;
        }
        const at = queue.peekTime();
        const callback = queue.pop()!;
        this.current = at;
        ran++;
        this.processed++;
        callback(queue.lastArg);
      }
      return true;
    } finally {
      this.running = false;
    }
  }

  /** Keep only cancelled handles that are still queued, so the set stays O(pending). */
  private pruneCancelled(): void {
    const live = new Set<number>();
    const queue = this.queue;
    for (let i = 0; i < queue.size; i++) {
      const seq = queue.seqAt(i);
      if (this.cancelled.has(seq)) live.add(seq);
    }
    this.cancelled = live;
    this.unverified = false;
  }
}
