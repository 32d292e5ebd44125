import { describe, expect, it } from 'vitest';
import { TimeTravelError, VirtualClock } from '../../src/sim/clock/virtual-clock.ts';

describe('VirtualClock.dispatch', () => {
  it('runs (handler, arg) records in the same (time, seq) order as closures scheduled alongside', () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    const record = (arg: { name: string }): void => {
      seen.push(`${arg.name}@${clock.now()}`);
    };
    clock.dispatch(20, record, { name: 'a' });
    clock.schedule(10, () => seen.push(`b@${clock.now()}`));
    clock.dispatch(10, record, { name: 'c' });
    const cancelled = clock.dispatch(10, record, { name: 'x' });
    clock.schedule(20, () => {
      seen.push(`d@${clock.now()}`);
      clock.dispatch(20, record, { name: 'e' }); // same time: after the running callback, never re-entrant
    });
    clock.cancel(cancelled);
    clock.runAll();
    expect(seen).toEqual(['b@10', 'c@10', 'a@20', 'd@20', 'e@20']);
    expect(clock.eventsProcessed).toBe(5);
  });

  it('passes the number it was given (a record index) and refuses a time in the past', () => {
    const clock = new VirtualClock({ start: 100 });
    const got: number[] = [];
    clock.dispatch(100, (i: number) => got.push(i), 0);
    clock.dispatch(150, (i: number) => got.push(i), 7);
    clock.runUntil(200);
    expect(got).toEqual([0, 7]);
    expect(() => clock.dispatch(199, () => {}, 1)).toThrow(TimeTravelError);
    expect(() => clock.dispatch(250.5, () => {}, 1)).toThrow(/VirtualClock.dispatch time must be a finite integer/);
  });
});
