import type { Micros } from './clock.ts';

/**
 * Mids stamped with the exchange's time, kept for a bounded window: the venue's own mids in a simulation
 * (the runner records its market view), or the mids the bot has seen. P&L asks "what was the mid just
 * before this fill" and "what was it h later" in the venue's time, so that feed and response latency do
 * not leak into the spread captured.
 */
export class MidHistory {
  private times = new Float64Array(1024);
  private mids = new Float64Array(1024);
  private head = 0;
  private size = 0;

  constructor(private readonly windowUs: Micros) {}

  push(exchangeTime: Micros, mid: number): void {
    // Drop what fell out of the window, but keep the mid still in force at its start (a mid that did not
    // change for longer than the window is still the answer there), then grow if still full.
    const cap = this.times.length;
    while (this.size > 1 && this.times[(this.head + 1) % cap]! <= exchangeTime - this.windowUs) {
      this.head = (this.head + 1) % cap;
      this.size--;
    }
    if (this.size === cap) this.grow();
    const i = (this.head + this.size) % this.times.length;
    this.times[i] = exchangeTime;
    this.mids[i] = mid;
    this.size++;
  }

  /** The last mid stamped strictly before `t` (or at or before `t` when `inclusive`); NaN if none is kept. */
  at(t: Micros, inclusive: boolean): number {
    const cap = this.times.length;
    let lo = 0;
    let hi = this.size;
    // First index whose time is past t.
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      const tm = this.times[(this.head + m) % cap]!;
      if (inclusive ? tm <= t : tm < t) lo = m + 1;
      else hi = m;
    }
    return lo === 0 ? NaN : this.mids[(this.head + lo - 1) % cap]!;
  }

  /** The oldest mid kept; NaN if none. */
  first(): number {
    return this.size === 0 ? NaN : this.mids[this.head]!;
  }

  private grow(): void {
    const cap = this.times.length;
    const times = new Float64Array(cap * 2);
    const mids = new Float64Array(cap * 2);
    for (let k = 0; k < this.size; k++) {
      times[k] = this.times[(this.head + k) % cap]!;
      mids[k] = this.mids[(this.head + k) % cap]!;
    }
    this.times = times;
    this.mids = mids;
    this.head = 0;
  }
}
