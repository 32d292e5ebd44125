import { describe, expect, it } from 'vitest';
import { WallClock, unixNs } from '../../src/live/wall-clock.ts';
import type { TimeSource } from '../../src/live/wall-clock.ts';

/** Real time under the test's control: timers fire only when the test advances time. */
function fakeTime(startUs: number) {
  let now = startUs;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let id = 0;
  const source: TimeSource = {
    nowUs: () => now,
    set: (fn, ms) => {
      timers.set(++id, { at: now + ms * 1000, fn });
      return id;
    },
    clear: (t) => void timers.delete(t as number),
  };
  /**
   * Moves real time to `us`, firing due timers in order. The timers set before the call fire `earlyUs`
   * before their time (as Node's may, rounding to whole ms); the ones set meanwhile fire on time.
   */
  const advance = (us: number, earlyUs = 0) => {
    const early = new Set(timers.keys());
    const fireAt = (k: number, t: { at: number }) => (early.has(k) ? t.at - earlyUs : t.at);
    for (;;) {
      const due = [...timers.entries()].filter(([k, t]) => fireAt(k, t) <= us).sort((a, b) => fireAt(a[0], a[1]) - fireAt(b[0], b[1]))[0];
      if (!due) break;
      timers.delete(due[0]);
      now = Math.max(now, fireAt(due[0], due[1]));
      due[1].fn();
    }
    now = us;
  };
  return { source, advance, pending: () => timers.size, set: (us: number) => (now = us) };
}

describe('WallClock', () => {
  it('counts integer µs from its origin and never goes backwards', () => {
    const t = fakeTime(1_700_000_000_000_000.75);
    const clock = new WallClock(t.source, 1_700_000_000_000_000);
    expect(clock.now()).toBe(0);
    expect(clock.origin).toBe(1_700_000_000_000_000);
    t.set(1_700_000_000_000_250.5);
    expect(clock.now()).toBe(250);
    t.set(1_700_000_000_000_100); // the system clock stepped back
    expect(clock.now()).toBe(250);
  });

  it('runs callbacks in (time, seq) order, never before their time, never re-entrantly', () => {
    const t = fakeTime(0);
    const clock = new WallClock(t.source);
    const ran: string[] = [];
    clock.schedule(300, () => ran.push(`c@${clock.now()}`));
    clock.schedule(100, () => {
      ran.push(`a@${clock.now()}`);
      clock.schedule(clock.now(), () => ran.push('a-now'));
      ran.push('a-end');
    });
    clock.schedule(100, () => ran.push('b'));
    t.advance(99);
    expect(ran).toEqual([]);
    t.advance(1000, 50); // timers may fire up to 50 µs early: re-armed, never run early
    expect(ran).toEqual(['a@100', 'a-end', 'b', 'a-now', 'c@300']);
    expect(clock.eventsProcessed).toBe(4);
  });

  it('cancels, and stops running anything after stop()', () => {
    const t = fakeTime(0);
    const clock = new WallClock(t.source);
    const ran: number[] = [];
    const h = clock.schedule(10, () => ran.push(1));
    clock.schedule(20, () => ran.push(2));
    clock.cancel(h);
    clock.cancel(h);
    clock.cancel(999);
    t.advance(30);
    expect(ran).toEqual([2]);
    clock.schedule(40, () => ran.push(3));
    clock.stop();
    t.advance(100);
    expect(ran).toEqual([2]);
    expect(t.pending()).toBe(0);
  });

  it('refuses a time that is not an integer of µs', () => {
    const clock = new WallClock(fakeTime(0).source);
    expect(() => clock.schedule(1.5, () => {})).toThrow(/integer/);
  });

  it('runs on the real clock by default', async () => {
    const clock = new WallClock();
    const start = clock.now();
    expect(Math.abs(start - Date.now() * 1000)).toBeLessThan(1_000_000);
    const at = await new Promise<number>((resolve) => clock.schedule(start + 5000, () => resolve(clock.now())));
    expect(at).toBeGreaterThanOrEqual(start + 5000);
    expect(unixNs()).toMatch(/^\d{19}$/);
  });
});
