import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/sim/clock/event-queue.ts';

function drain<T>(q: EventQueue<T>): { time: number; seq: number; payload: T }[] {
  const out: { time: number; seq: number; payload: T }[] = [];
  while (q.size > 0) {
    const payload = q.pop() as T;
    out.push({ time: q.lastTime, seq: q.lastSeq, payload });
  }
  return out;
}

describe('EventQueue', () => {
  it('is empty to start with', () => {
    const q = new EventQueue<string>();
    expect(q.size).toBe(0);
    expect(q.peekTime()).toBe(Infinity);
    expect(q.pop()).toBeUndefined();
    expect(q.lastSeq).toBe(-1);
    expect(Number.isNaN(q.lastTime)).toBe(true);
  });

  it('pops by time, then by seq', () => {
    const q = new EventQueue<string>();
    expect(q.push(30, 'c')).toBe(0);
    expect(q.push(10, 'a')).toBe(1);
    expect(q.push(20, 'b')).toBe(2);
    expect(q.push(10, 'a2')).toBe(3);
    expect(q.peekTime()).toBe(10);
    expect(q.peekSeq()).toBe(1);
    expect(drain(q)).toEqual([
      { time: 10, seq: 1, payload: 'a' },
      { time: 10, seq: 3, payload: 'a2' },
      { time: 20, seq: 2, payload: 'b' },
      { time: 30, seq: 0, payload: 'c' },
    ]);
    expect(q.peekTime()).toBe(Infinity);
  });

  it('pops equal times in push order (FIFO ties)', () => {
    const q = new EventQueue<number>(4);
    for (let i = 0; i < 100; i++) q.push(i % 3 === 0 ? 5 : 7, i);
    const out = drain(q).map((e) => e.payload);
    const expected = [...Array(100).keys()].filter((i) => i % 3 === 0).concat([...Array(100).keys()].filter((i) => i % 3 !== 0));
    expect(out).toEqual(expected);
  });

  it('keeps counting seqs across pops and clear', () => {
    const q = new EventQueue<number>();
    q.push(1, 1);
    q.push(2, 2);
    q.pop();
    q.clear();
    expect(q.size).toBe(0);
    expect(q.peekTime()).toBe(Infinity);
    expect(q.push(0, 3)).toBe(2);
    expect(q.nextSeq).toBe(3);
    expect(q.pop()).toBe(3);
  });

  it('grows past its initial capacity without losing entries', () => {
    const q = new EventQueue<number>(2);
    const n = 1000;
    for (let i = 0; i < n; i++) q.push((i * 7919) % 101, i);
    expect(q.size).toBe(n);
    expect(q.capacity).toBeGreaterThanOrEqual(n);
    const out = drain(q);
    const expected = [...Array(n).keys()]
      .map((i) => ({ time: (i * 7919) % 101, seq: i, payload: i }))
      .sort((a, b) => a.time - b.time || a.seq - b.seq);
    expect(out).toEqual(expected);
  });

  it('reuses payload slots: steady pop+push does not grow', () => {
    const q = new EventQueue<{ id: number }>(8);
    for (let i = 0; i < 8; i++) q.push(i, { id: i });
    for (let i = 8; i < 10_000; i++) {
      const p = q.pop();
      expect(p?.id).toBe(i - 8);
      q.push(i, { id: i });
    }
    expect(q.capacity).toBe(8);
    expect(drain(q).map((e) => e.payload.id)).toEqual([9992, 9993, 9994, 9995, 9996, 9997, 9998, 9999]);
  });

  it('rejects NaN times', () => {
    const q = new EventQueue<number>();
    expect(() => q.push(NaN, 1)).toThrow(/NaN/);
    expect(q.size).toBe(0);
  });

  it('matches a reference sort under interleaved push and pop', () => {
    type Op = { kind: 'push'; time: number } | { kind: 'pop' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), time: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('pop' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.integer({ min: 1, max: 8 }), (ops, cap) => {
        const q = new EventQueue<number>(cap);
        const ref: { time: number; seq: number }[] = [];
        let seq = 0;
        for (const o of ops) {
          if (o.kind === 'push') {
            expect(q.push(o.time, seq)).toBe(seq);
            ref.push({ time: o.time, seq });
            seq++;
          } else {
            ref.sort((a, b) => a.time - b.time || a.seq - b.seq);
            const want = ref.shift();
            const got = q.pop();
            if (want === undefined) {
              expect(got).toBeUndefined();
            } else {
              expect(got).toBe(want.seq);
              expect(q.lastTime).toBe(want.time);
              expect(q.lastSeq).toBe(want.seq);
            }
          }
          expect(q.size).toBe(ref.length);
          expect(q.peekTime()).toBe(ref.length === 0 ? Infinity : Math.min(...ref.map((r) => r.time)));
        }
      }),
      { numRuns: 300 },
    );
  });
});
