/**
 * The pure queue models, against hftbacktest's formulas:
 *   p(behind) = f(back) / (f(back) + f(front)), back = prevQty - front
 *   chg = prevQty - newQty - traded (traded lots were already taken off the queue ahead)
 *   chg <= 0 (growth, or a change explained by trades): ahead = min(ahead, newQty)
 *   chg > 0:  est = front - (1 - p) * chg + min(0, back - p * chg), clamped to [0, newQty]
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createQueueModel, logQueue, powerQueue, probabilisticQueue, probBehind, riskAverseQueue } from '../../src/sim/exchange/queue-model.ts';
import type { QueueModel } from '../../src/sim/exchange/queue-model.ts';

const square = (x: number) => x * x;

describe('probBehind', () => {
  it('is f(back) / (f(back) + f(front))', () => {
    expect(probBehind((x) => x, 3, 1)).toBe(0.25); // 1 / (1 + 3)
    expect(probBehind(square, 10, 10)).toBe(0.5); // 100 / 200
    expect(probBehind(square, 1, 3)).toBe(0.9); // 9 / (9 + 1)
    expect(probBehind(Math.log1p, 3, 1)).toBeCloseTo(1 / 3, 12); // ln 2 / (ln 2 + ln 4)
  });

  it('is 1 (all behind) when nothing is ahead, and when the ratio is not finite', () => {
    expect(probBehind(square, 0, 5)).toBe(1); // 25 / (25 + 0)
    expect(probBehind(square, 0, 0)).toBe(1); // 0 / 0
    expect(probBehind((x) => x ** 400, 10, 10)).toBe(1); // inf / inf
  });
});

describe('risk_averse', () => {
  const m = riskAverseQueue;
  it('joins at the back and moves only when the level shrinks below the queue ahead', () => {
    expect(m.name).toBe('risk_averse');
    expect(m.onArrival(10)).toBe(10);
    expect(m.onLevelChange(10, 10, 20, 0)).toBe(10); // growth: behind us
    expect(m.onLevelChange(10, 20, 12, 0)).toBe(10); // cancels assumed behind: min(10, 12)
    expect(m.onLevelChange(10, 12, 4, 0)).toBe(4); // min(10, 4)
    expect(m.onLevelChange(3, 12, 5, 7)).toBe(3); // a trade already counted: min(3, 5)
    expect(m.onLevelChange(2, 5, 0, 0)).toBe(0);
  });
});

describe('power(n) and log (hftbacktest ProbQueueModel)', () => {
  it('power(2): a decrease split by squares of the quantities ahead and behind', () => {
    const m = powerQueue(2);
    expect(m.name).toBe('power(2)');
    expect(m.onArrival(7)).toBe(7);
    // front 10, back 20-10 = 10, p = 0.5, chg 8: 10 - 0.5*8 + min(0, 10 - 4) = 6
    expect(m.onLevelChange(10, 20, 12, 0)).toBe(6);
    // front 10, back 30, p = 900/1000 = 0.9, chg 20: 10 - 0.1*20 + min(0, 30 - 18) = 8
    expect(m.onLevelChange(10, 40, 20, 0)).toBeCloseTo(8, 12);
    // front 1, back 3, p = 0.9, chg 2: 1 - 0.1*2 + min(0, 3 - 1.8) = 0.8
    expect(m.onLevelChange(1, 4, 2, 0)).toBeCloseTo(0.8, 12);
    // front 4, back 0 (at the back): p = 0, the whole decrease of 3 is ahead: 4 - 3 = 1
    expect(m.onLevelChange(4, 4, 1, 0)).toBe(1);
  });

  it('power(1) splits a decrease in proportion to the quantities ahead and behind', () => {
    const m = powerQueue(1);
    // front 30, back 10, p = 10/40 = 0.25, chg 8: ahead loses 0.75*8 = 6 -> 24 (behind loses 2)
    expect(m.onLevelChange(30, 40, 32, 0)).toBe(24);
    // front 4, back 1, p = 0.2, chg 3: 4 - 0.8*3 + min(0, 1 - 0.6) = 1.6
    expect(m.onLevelChange(4, 5, 2, 0)).toBeCloseTo(1.6, 12);
    // without trades power(1) keeps the order at the same fraction of the level: ahead * new / prev
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (prev, a, n) => {
        const ahead = a * prev;
        const next = Math.floor(n * prev);
        expect(m.onLevelChange(ahead, prev, next, 0)).toBeCloseTo((ahead * next) / prev, 6);
      }),
    );
  });

  it('log: f(x) = ln(1 + x)', () => {
    const m = logQueue();
    expect(m.name).toBe('log');
    // front 3, back 1, p = ln 2/(ln 2 + ln 4) = 1/3, chg 2: 3 - (2/3)*2 + min(0, 1 - 2/3) = 5/3
    expect(m.onLevelChange(3, 4, 2, 0)).toBeCloseTo(5 / 3, 12);
    // front 10, back 30, p = ln 31/(ln 31 + ln 11) = 0.588830, chg 20: 10 - 0.411170*20 = 1.776599
    expect(m.onLevelChange(10, 40, 20, 0)).toBeCloseTo(1.776599, 6);
  });

  it('takes a decrease beyond the estimated quantity behind from ahead (the min(0, back - p*chg) term)', () => {
    // power(0.5): front 9, back 1, p = 1/(1+3) = 0.25, chg 6: 9 - 0.75*6 + min(0, 1 - 1.5) = 4.5 - 0.5 = 4
    expect(powerQueue(0.5).onLevelChange(9, 10, 4, 0)).toBe(4);
    // a custom shape through probabilisticQueue: constant f, p = 0.5; front 8, back 2, chg 6: 8 - 3 + min(0, 2 - 3) = 4
    const flat = probabilisticQueue('flat', () => 1);
    expect(flat.name).toBe('flat');
    expect(flat.onLevelChange(8, 10, 4, 0)).toBe(4);
  });

  it('subtracts the quantity traded since the last change from the decrease', () => {
    const m = powerQueue(2);
    // ahead 10 -> 3 after a trade of 7; level 12 -> 5: chg = 12 - 5 - 7 = 0, min(3, 5) = 3 (not moved twice)
    expect(m.onLevelChange(3, 12, 5, 7)).toBe(3);
    // trade of 4 (ahead 10 -> 6) and 4 cancels: level 20 -> 12, chg = 20 - 12 - 4 = 4.
    // back = prev - front = 20 - 6 = 14 (as hftbacktest computes it), p = 196/(196+36) = 0.844828,
    // 6 - 0.155172*4 + min(0, 14 - 3.379) = 5.379310
    expect(m.onLevelChange(6, 20, 12, 4)).toBeCloseTo(6 - (36 / 232) * 4, 12);
    // more traded than the level lost (chg < 0): only the clamp, min(5, 3) = 3
    expect(m.onLevelChange(5, 10, 3, 9)).toBe(3);
  });

  it('an increase never moves the order; clamps to the new level', () => {
    for (const m of [powerQueue(1), powerQueue(2), logQueue()]) {
      expect(m.onLevelChange(5, 10, 30, 0)).toBe(5);
      expect(m.onLevelChange(5, 10, 10, 0)).toBe(5);
      expect(m.onLevelChange(5, 10, 8, 4)).toBe(5); // chg = -2
    }
  });

  it('clamps the estimate to [0, newQty]', () => {
    // the level vanishes: front 2, back 2, p = 0.5, chg 4: 2 - 2 + min(0, 2 - 2) = 0
    expect(powerQueue(1).onLevelChange(2, 4, 0, 0)).toBe(0);
    // nothing ahead stays nothing: p = 1, est = 0 + min(0, 5 - 3) = 0
    expect(powerQueue(2).onLevelChange(0, 5, 2, 0)).toBe(0);
  });

  it('createQueueModel builds each family from its spec', () => {
    expect(createQueueModel({ model: 'risk_averse' })).toBe(riskAverseQueue);
    expect(createQueueModel({ model: 'power', n: 3 }).name).toBe('power(3)');
    expect(createQueueModel({ model: 'power', n: 3 }).onLevelChange(10, 20, 12, 0)).toBe(powerQueue(3).onLevelChange(10, 20, 12, 0));
    expect(createQueueModel({ model: 'log' }).name).toBe('log');
  });
});

describe('every model (property)', () => {
  const models: QueueModel[] = [riskAverseQueue, powerQueue(0.5), powerQueue(1), powerQueue(2), powerQueue(3), logQueue()];
  const arb = fc
    .record({
      prevQty: fc.integer({ min: 0, max: 100_000 }),
      aheadFrac: fc.double({ min: 0, max: 1, noNaN: true }),
      newQty: fc.integer({ min: 0, max: 100_000 }),
      traded: fc.integer({ min: 0, max: 100_000 }),
      wholeAhead: fc.boolean(),
    })
    .map(({ prevQty, aheadFrac, newQty, traded, wholeAhead }) => {
      const ahead = wholeAhead ? Math.round(aheadFrac * prevQty) : aheadFrac * prevQty;
      return { ahead: Math.min(ahead, prevQty), prevQty, newQty, traded };
    });

  it('stays in [0, newQty], and never grows when the level shrank', () => {
    fc.assert(
      fc.property(arb, ({ ahead, prevQty, newQty, traded }) => {
        for (const m of models) {
          const next = m.onLevelChange(ahead, prevQty, newQty, traded);
          expect(Number.isFinite(next), m.name).toBe(true);
          expect(next, m.name).toBeGreaterThanOrEqual(0);
          expect(next, m.name).toBeLessThanOrEqual(newQty);
          if (newQty < prevQty) expect(next, m.name).toBeLessThanOrEqual(ahead);
          if (newQty >= prevQty) expect(next, m.name).toBe(Math.min(ahead, newQty));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a probabilistic model is never behind risk_averse (it can only credit cancels ahead)', () => {
    fc.assert(
      fc.property(arb, ({ ahead, prevQty, newQty, traded }) => {
        const ra = riskAverseQueue.onLevelChange(ahead, prevQty, newQty, traded);
        for (const m of models) expect(m.onLevelChange(ahead, prevQty, newQty, traded), m.name).toBeLessThanOrEqual(ra);
      }),
    );
  });
});
