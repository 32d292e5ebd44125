import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../src/core/errors.ts';
import { SlidingWindowCounter } from '../../src/sim/exchange/sliding-window.ts';

const SECOND = 1_000_000;

/** The ring's capacity, to check that memory follows the window and not the run length. */
const capacityOf = (counter: SlidingWindowCounter) => (Reflect.get(counter, 'times') as Float64Array).length;

describe('SlidingWindowCounter', () => {
  it('counts events in (now - window, now]', () => {
    const c = new SlidingWindowCounter(SECOND);
    c.add(0);
    c.add(400_000, 2);
    c.add(999_999);
    expect(c.count(999_999)).toBe(4);
    // The event at 0 leaves exactly when now - window reaches it.
    expect(c.count(1_000_000)).toBe(3);
    expect(c.count(1_399_999)).toBe(3);
    expect(c.count(1_400_000)).toBe(1);
    expect(c.count(1_999_999)).toBe(0);
    expect(c.count(5 * SECOND)).toBe(0);
  });

  it('counts an event at now, and repeated events at one time', () => {
    const c = new SlidingWindowCounter(10);
    for (let i = 0; i < 5; i++) c.add(7);
    c.add(7, 0);
    expect(c.count(7)).toBe(5);
    expect(c.count(16)).toBe(5);
    expect(c.count(17)).toBe(0);
  });

  it('serves as a rate limit: N per window', () => {
    const limit = 3;
    const c = new SlidingWindowCounter(100);
    const accepted = [0, 10, 20, 30, 99, 100, 110, 125].filter((t) => {
      if (c.count(t) >= limit) return false;
      c.add(t);
      return true;
    });
    // At 100 the order at 0 has left the window (0 is not in (0, 100]); at 125 the one at 20 has too.
    expect(accepted).toEqual([0, 10, 20, 100, 110, 125]);
  });

  it('agrees with a naive count on random event streams (wrap-around and growth included)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 20 }), n: fc.integer({ min: 0, max: 3 }), query: fc.boolean() }), { maxLength: 300 }),
        (window, steps) => {
          const c = new SlidingWindowCounter(window);
          const events: { t: number; n: number }[] = [];
          let t = 0;
          for (const step of steps) {
            t += step.gap;
            if (step.query) {
              const naive = events.filter((e) => e.t > t - window && e.t <= t).reduce((s, e) => s + e.n, 0);
              expect(c.count(t)).toBe(naive);
            } else {
              c.add(t, step.n);
              events.push({ t, n: step.n });
            }
          }
        },
      ),
      { seed: 20240502, numRuns: 200 },
    );
  });

  it('keeps memory bounded by the events inside the window', () => {
    const c = new SlidingWindowCounter(SECOND);
    // A million events, 100 per window at any time: the ring never needs more than 128 slots.
    for (let i = 0; i < 1_000_000; i++) c.add(i * 10_000);
    expect(c.count(999_999 * 10_000)).toBe(100);
    expect(capacityOf(c)).toBeLessThanOrEqual(128);
  });

  it('throws when time goes backwards, in add or in count', () => {
    const c = new SlidingWindowCounter(SECOND);
    c.add(100);
    expect(() => c.add(99)).toThrow(InvariantError);
    c.count(200);
    expect(() => c.count(150)).toThrow(InvariantError);
    expect(() => c.add(150)).toThrow(/backwards/);
  });

  it('refuses a non-positive window, a bad count or a non-finite time', () => {
    expect(() => new SlidingWindowCounter(0)).toThrow(InvariantError);
    expect(() => new SlidingWindowCounter(1.5)).toThrow(InvariantError);
    const c = new SlidingWindowCounter(10);
    expect(() => c.add(0, -1)).toThrow(InvariantError);
    expect(() => c.add(0, 0.5)).toThrow(InvariantError);
    expect(() => c.count(Number.NaN)).toThrow(InvariantError);
  });
});
