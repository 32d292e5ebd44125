/** Virtual or real time in integer microseconds since the Unix epoch. */
export type Micros = number;

export const US_PER_S = 1_000_000;

/** A handle for a scheduled callback; pass it to `Clock.cancel`. */
export type TimerHandle = number;

/**
 * The only way the bot sees time. A live adapter implements it on the wall clock; the simulator
 * implements it as `VirtualClock`. Callbacks never run re-entrantly: a callback scheduled for "now"
 * runs after the current one returns.
 */
export interface Clock {
  now(): Micros;
  /** Run `callback` at absolute time `at` (>= now()). */
  schedule(at: Micros, callback: () => void): TimerHandle;
  /** Cancel a scheduled callback; cancelling one that already ran or was cancelled is a no-op. */
  cancel(handle: TimerHandle): void;
}
