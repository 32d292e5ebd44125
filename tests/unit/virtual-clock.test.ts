import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MmsimError } from '../../src/core/errors.ts';
import { LoopLimitError, TimeTravelError, VirtualClock } from '../../src/sim/clock/virtual-clock.ts';

describe('VirtualClock', () => {
  it('starts at the given time', () => {
    expect(new VirtualClock().now()).toBe(0);
    expect(new VirtualClock({ start: 1_700_000_000_000_000 }).now()).toBe(1_700_000_000_000_000);
  });

  it('runs callbacks in time order, advancing now to each', () => {
    const clock = new VirtualClock({ start: 100 });
    const log: string[] = [];
    clock.schedule(300, () => log.push(`c@${clock.now()}`));
    clock.schedule(100, () => log.push(`a@${clock.now()}`));
    clock.schedule(200, () => log.push(`b@${clock.now()}`));
    expect(clock.pending).toBe(3);
    clock.runAll();
    expect(log).toEqual(['a@100', 'b@200', 'c@300']);
    expect(clock.now()).toBe(300);
    expect(clock.pending).toBe(0);
    expect(clock.eventsProcessed).toBe(3);
  });

  it('runs same-time callbacks FIFO, and ones scheduled at now after the current one', () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    clock.schedule(10, () => {
      log.push('first');
      clock.schedule(10, () => log.push('scheduled-by-first'));
      log.push('first-end');
    });
    clock.schedule(10, () => log.push('second'));
    clock.schedule(5, () => log.push('early'));
    clock.runAll();
    expect(log).toEqual(['early', 'first', 'first-end', 'second', 'scheduled-by-first']);
  });

  it('tick runs everything due within the window, including work scheduled inside it', () => {
    const clock = new VirtualClock();
    const log: number[] = [];
    clock.schedule(50, () => {
      log.push(clock.now());
      clock.schedule(clock.now() + 50, () => log.push(clock.now()));
      clock.schedule(clock.now() + 51, () => log.push(clock.now()));
    });
    clock.schedule(101, () => log.push(clock.now()));
    clock.tick(100);
    expect(log).toEqual([50, 100]);
    expect(clock.now()).toBe(100);
    expect(clock.pending).toBe(2);
    clock.tick(0);
    expect(log).toEqual([50, 100]);
    clock.tick(1);
    expect(log).toEqual([50, 100, 101, 101]);
    expect(clock.now()).toBe(101);
  });

  it('runUntil is tick(t - now)', () => {
    const clock = new VirtualClock({ start: 10 });
    const seen: number[] = [];
    for (const t of [15, 20, 25]) clock.schedule(t, () => seen.push(clock.now()));
    clock.runUntil(20);
    expect(seen).toEqual([15, 20]);
    expect(clock.now()).toBe(20);
    clock.runUntil(22);
    expect(clock.now()).toBe(22);
    expect(() => clock.runUntil(21)).toThrow(TimeTravelError);
  });

  it('next runs exactly one callback and reports whether it did', () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    clock.schedule(7, () => seen.push(7));
    clock.schedule(3, () => seen.push(3));
    expect(clock.next()).toBe(true);
    expect(seen).toEqual([3]);
    expect(clock.now()).toBe(3);
    expect(clock.next()).toBe(true);
    expect(clock.now()).toBe(7);
    expect(clock.next()).toBe(false);
    expect(clock.now()).toBe(7);
  });

  it('cancel skips the callback; unknown, repeated and finished handles are no-ops', () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    const a = clock.schedule(1, () => seen.push('a'));
    const b = clock.schedule(2, () => seen.push('b'));
    clock.schedule(3, () => seen.push('c'));
    clock.cancel(b);
    clock.cancel(b);
    clock.cancel(-1);
    clock.cancel(12345);
    clock.cancel(0.5);
    expect(clock.pending).toBe(2);
    clock.next();
    clock.cancel(a); // already ran
    expect(clock.pending).toBe(1);
    expect(clock.next()).toBe(true);
    expect(seen).toEqual(['a', 'c']);
    expect(clock.now()).toBe(3);
    expect(clock.next()).toBe(false);
    expect(clock.eventsProcessed).toBe(2);
  });

  it('a callback can cancel a later one at the same time', () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    clock.schedule(5, () => {
      seen.push('x');
      clock.cancel(later);
    });
    const later = clock.schedule(5, () => seen.push('later'));
    clock.runAll();
    expect(seen).toEqual(['x']);
  });

  it('does not accumulate cancelled handles that are no longer queued', () => {
    const clock = new VirtualClock();
    for (let i = 0; i < 10_000; i++) {
      const h = clock.schedule(clock.now() + 1, () => undefined);
      clock.next();
      clock.cancel(h); // finished: must not be retained
    }
    const internal = clock as unknown as { cancelled: Set<number> };
    expect(internal.cancelled.size).toBeLessThan(100);
    expect(clock.pending).toBe(0);
    expect(internal.cancelled.size).toBe(0);
  });

  it('never goes backwards', () => {
    const clock = new VirtualClock({ start: 1000 });
    expect(() => clock.schedule(999, () => undefined)).toThrow(TimeTravelError);
    expect(() => clock.schedule(1000.5, () => undefined)).toThrow(TimeTravelError);
    expect(() => clock.schedule(Infinity, () => undefined)).toThrow(TimeTravelError);
    expect(() => clock.schedule(NaN, () => undefined)).toThrow(TimeTravelError);
    expect(() => clock.tick(-1)).toThrow(TimeTravelError);
    expect(() => clock.tick(0.5)).toThrow(TimeTravelError);
    expect(clock.now()).toBe(1000);
    const err = (() => {
      try {
        clock.schedule(1, () => undefined);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(MmsimError);
    expect((err as MmsimError).code).toBe('TIME_TRAVEL');
  });

  it('observed time is monotone for random schedules (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 3 })), { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 10 }),
        (plan, ticks) => {
          const clock = new VirtualClock();
          const seen: { t: number; order: number }[] = [];
          let order = 0;
          const spawn = (delay: number, children: number): void => {
            const mine = order++;
            clock.schedule(clock.now() + delay, () => {
              seen.push({ t: clock.now(), order: mine });
              for (let c = 0; c < children; c++) spawn(c * 3, 0);
            });
          };
          for (const [delay, children] of plan) spawn(delay, children);
          for (const dt of ticks) clock.tick(dt);
          clock.runAll();
          for (let i = 1; i < seen.length; i++) {
            expect(seen[i]!.t).toBeGreaterThanOrEqual(seen[i - 1]!.t);
          }
          expect(seen.length).toBe(order);
          expect(clock.eventsProcessed).toBe(order);
        },
      ),
    );
  });

  it('throws LoopLimitError on a callback that reschedules itself at the same time', () => {
    const clock = new VirtualClock({ start: 42, loopLimit: 1000 });
    const again = (): void => {
      clock.schedule(clock.now(), again);
    };
    clock.schedule(42, again);
    let err: unknown;
    try {
      clock.runAll();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LoopLimitError);
    const e = err as LoopLimitError;
    expect(e.code).toBe('LOOP_LIMIT');
    expect(e.callbacksRun).toBe(1000);
    expect(e.virtualTime).toBe(42);
    expect(e.message).toMatch(/1000 callbacks/);
    expect(e.message).toMatch(/42 µs/);
    expect(e.message).toMatch(/without end/);
    expect(() => clock.tick(5)).toThrow(LoopLimitError);
  });

  it('throws LoopLimitError on a callback that reschedules itself at now + 1', () => {
    const clock = new VirtualClock({ loopLimit: 500 });
    const again = (): void => {
      clock.schedule(clock.now() + 1, again);
    };
    clock.schedule(0, again);
    expect(() => clock.runAll()).toThrow(LoopLimitError);
    expect(clock.now()).toBe(499);
    expect(() => clock.runUntil(1_000_000)).toThrow(/ran 500 callbacks/);
    expect(clock.now()).toBe(999);
    // A window holding fewer callbacks than the limit is fine.
    clock.tick(100);
    expect(clock.now()).toBe(1099);
  });

  it('counts the loop limit per call', () => {
    const clock = new VirtualClock({ loopLimit: 10 });
    for (let i = 0; i < 10; i++) clock.schedule(i, () => undefined);
    clock.tick(9);
    for (let i = 0; i < 10; i++) clock.schedule(20 + i, () => undefined);
    clock.runAll();
    expect(clock.eventsProcessed).toBe(20);
  });

  it('a throwing callback propagates and leaves the clock at its time', () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    clock.schedule(5, () => seen.push(5));
    clock.schedule(10, () => {
      throw new Error('boom');
    });
    clock.schedule(15, () => seen.push(15));
    expect(() => clock.tick(100)).toThrow('boom');
    expect(clock.now()).toBe(10);
    expect(clock.eventsProcessed).toBe(2);
    expect(clock.pending).toBe(1);
    clock.tick(90);
    expect(seen).toEqual([5, 15]);
    expect(clock.now()).toBe(100);
  });

  it('refuses to run re-entrantly from inside a callback', () => {
    const clock = new VirtualClock();
    clock.schedule(1, () => clock.tick(1));
    expect(() => clock.runAll()).toThrow(/re-entrant/);
  });
});
