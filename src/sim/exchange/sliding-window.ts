import type { Micros } from '../../core/clock.ts';
import { InvariantError } from '../../core/errors.ts';

const INITIAL_CAPACITY = 16;

/**
 * Counts events in the trailing window (now - windowUs, now]: the exchange's message rate over the
 * last second, or a rate limit of N orders per window. Events at the same time share one slot, so
 * memory is bounded by the distinct event times inside the window; add and count are amortised O(1).
 * Time never goes backwards across calls.
 */
export class SlidingWindowCounter {
  private times = new Float64Array(INITIAL_CAPACITY);
  private counts = new Float64Array(INITIAL_CAPACITY);
  /** Ring buffer: slots head .. head+size-1 (mod capacity), oldest first. */
  private head = 0;
  private size = 0;
  private total = 0;
  private latest: Micros = -Infinity;

  constructor(readonly windowUs: Micros) {
    if (!Number.isSafeInteger(windowUs) || windowUs <= 0) {
      throw new InvariantError(`sliding window must be a positive whole number of microseconds, got ${windowUs}`);
    }
  }

  add(t: Micros, n = 1): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new InvariantError(`event count must be a non-negative integer, got ${n}`);
    this.advanceTo(t);
    if (n === 0) return;
    const last = (this.head + this.size - 1) % this.times.length;
    if (this.size > 0 && this.times[last] === t) {
      this.counts[last]! += n;
    } else {
      if (this.size === this.times.length) this.grow();
      const slot = (this.head + this.size) % this.times.length;
      this.times[slot] = t;
      this.counts[slot] = n;
      this.size++;
    }
    this.total += n;
  }

  /** Events in (now - windowUs, now]. */
  count(now: Micros): number {
    this.advanceTo(now);
    return this.total;
  }

  private advanceTo(now: Micros): void {
    if (!Number.isFinite(now)) throw new InvariantError(`sliding window: time must be finite, got ${now}`);
    if (now < this.latest) throw new InvariantError(`sliding window: time went backwards from ${this.latest} to ${now}`);
    this.latest = now;
    const cutoff = now - this.windowUs;
    while (this.size > 0 && this.times[this.head]! <= cutoff) {
      this.total -= this.counts[this.head]!;
      this.head = (this.head + 1) % this.times.length;
      this.size--;
    }
  }

  /** Doubles the ring, unrolling it so the oldest event lands at slot 0. */
  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    const counts = new Float64Array(capacity);
    for (let i = 0; i < this.size; i++) {
      const from = (this.head + i) % this.times.length;
      times[i] = this.times[from]!;
      counts[i] = this.counts[from]!;
    }
    this.times = times;
    this.counts = counts;
    this.head = 0;
  }
}
