import type { Clock, Micros, TimerHandle } from '../../core/clock.ts';

/**
 * A clock the simulated exchange can hand an event record to: `dispatch(at, run, arg)` runs `run(arg)` at
 * `at`, exactly as `schedule(at, () => run(arg))` would (same (time, seq) order), without a closure per
 * event. `VirtualClock` queues the record itself; a wall clock may simply wrap it in a timer.
 */
export interface DispatchClock extends Clock {
  dispatch<A>(at: Micros, run: (arg: A) => void, arg: A): TimerHandle;
}
