/**
 * Hand-checked fill rules: a scripted tape of market trades and book changes at given virtual times,
 * with the queue estimate and every fill of our resting orders worked out by hand (in the comments)
 * under `risk_averse` and `power(2)`, plus one step under `log`.
 *
 * The fixture's book starts with asks 101x10, 102x5 and bids 99x10, 98x5; latency is zero, so an
 * event's exchangeTime is also the virtual time at which the bot receives it. Fills are always at the
 * order's own price. A trade at the order's price fills floor(trade - ahead) whole lots; a print
 * through the price fills at most the print's quantity, and a book crossing the order at most the lots
 * shown at prices crossing it, shared by our orders best price first.
 */
import { describe, expect, it } from 'vitest';
import type { ExecutionEvent } from '../../src/core/types.ts';
import { logQueue, powerQueue, riskAverseQueue } from '../../src/sim/exchange/queue-model.ts';
import type { QueueModel } from '../../src/sim/exchange/queue-model.ts';
import { exchangeFixture } from '../support/exchange-fixture.ts';

type Fixture = ReturnType<typeof exchangeFixture>;
const S = 1_000_000;

/** A fill expected at a step: [clientId, price, qty, leaves]. */
type F = readonly [string, number, number, number];

interface Expected {
  /** Queue estimate of each resting order after the step (orders not listed are gone). */
  readonly ahead: Record<string, number>;
  readonly fills: readonly F[];
}

interface Step {
  /** Virtual time of the step, in seconds. */
  readonly t: number;
  readonly act: (fx: Fixture) => void;
  /** Other events (acks) the step produces, by type, in order. */
  readonly acks?: readonly string[];
  readonly risk_averse: Expected;
  readonly power2: Expected;
}

/*
 * The tape. s1 is a sell 6 @ 101, s2 a sell 2 @ 102. p = P(a decrease was behind us)
 * = f(back) / (f(back) + f(front)), with f(x) = x^2 for power(2); est = front - (1-p)*chg + min(0, back - p*chg),
 * clamped to [0, new level]; chg = prev - new - traded since the last book change.
 *
 * t=1s  place s1: the level holds 10              RA ahead 10            P2 ahead 10
 * t=2s  level 10 -> 20 (others join behind)       chg = -10 <= 0: min(ahead, 20)
 *                                                 RA 10                  P2 10
 * t=3s  level 20 -> 12, no trade (cancels)        RA min(10, 12) = 10
 *                                                 P2 front 10, back 20-10 = 10, p = 100/(100+100) = 0.5,
 *                                                    chg 8: 10 - 0.5*8 + min(0, 10 - 0.5*8) = 6
 * t=4s  buy 7 @101 (level 12 -> 5)                RA floor(7-10) < 0: no fill; ahead 10-7 = 3;
 *                                                    book change: chg = 12-5-7 = 0 -> min(3, 5) = 3
 *                                                 P2 floor(7-6) = 1: fill 1, leaves 5; ahead max(0, 6-7) = 0
 * t=5s  buy 4 @101 (level 5 -> 1)                 RA floor(4-3) = 1: fill 1, leaves 5; ahead 0
 *                                                 P2 floor(4-0) = 4: fill 4, leaves 1; ahead 0
 * t=6s  buy 2 @102 (102: 5 -> 3), through 101     RA the print has 2 lots: fill 2 @101 (not 102), leaves 3
 *                                                 P2 fill 1 @101 (not 102), leaves 0
 * t=7s  place s2 sell 2 @102: the level holds 3   RA ahead 3 (s1 keeps 0)  P2 ahead 3
 * t=8s  a bid of 4 appears at 103, crossing       RA s1 (101, the better price for a buyer) takes 3 of the
 *       both sells' prices                           4 lots: fill 3 @101, leaves 0; s2 gets the 1 left:
 *                                                    fill 1 @102, leaves 1, resting on (ahead 3: its level
 *                                                    did not change)
 *                                                 P2 s2 alone: fill 2 @102 (its own price, not the bid's 103)
 */
const TAPE: readonly Step[] = [
  {
    t: 1,
    act: (fx) => fx.place('s1', 'sell', 101, 6),
    acks: ['accepted'],
    risk_averse: { ahead: { s1: 10 }, fills: [] },
    power2: { ahead: { s1: 10 }, fills: [] },
  },
  {
    t: 2,
    act: (fx) => fx.level('sell', 101, 20),
    risk_averse: { ahead: { s1: 10 }, fills: [] },
    power2: { ahead: { s1: 10 }, fills: [] },
  },
  {
    t: 3,
    act: (fx) => fx.level('sell', 101, 12),
    risk_averse: { ahead: { s1: 10 }, fills: [] },
    power2: { ahead: { s1: 6 }, fills: [] },
  },
  {
    t: 4,
    act: (fx) => fx.trade('buy', 101, 7),
    risk_averse: { ahead: { s1: 3 }, fills: [] },
    power2: { ahead: { s1: 0 }, fills: [['s1', 101, 1, 5]] },
  },
  {
    t: 5,
    act: (fx) => fx.trade('buy', 101, 4),
    risk_averse: { ahead: { s1: 0 }, fills: [['s1', 101, 1, 5]] },
    power2: { ahead: { s1: 0 }, fills: [['s1', 101, 4, 1]] },
  },
  {
    t: 6,
    act: (fx) => fx.trade('buy', 102, 2),
    risk_averse: { ahead: { s1: 0 }, fills: [['s1', 101, 2, 3]] },
    power2: { ahead: {}, fills: [['s1', 101, 1, 0]] },
  },
  {
    t: 7,
    act: (fx) => fx.place('s2', 'sell', 102, 2),
    acks: ['accepted'],
    risk_averse: { ahead: { s1: 0, s2: 3 }, fills: [] },
    power2: { ahead: { s2: 3 }, fills: [] },
  },
  {
    t: 8,
    act: (fx) => fx.level('buy', 103, 4),
    risk_averse: {
      ahead: { s2: 3 },
      fills: [
        ['s1', 101, 3, 0],
        ['s2', 102, 1, 1],
      ],
    },
    power2: { ahead: {}, fills: [['s2', 102, 2, 0]] },
  },
];

const isFill = (e: ExecutionEvent): e is Extract<ExecutionEvent, { type: 'fill' }> => e.type === 'fill';

function runTape(queue: QueueModel, column: 'risk_averse' | 'power2'): Fixture {
  const fx = exchangeFixture({ queue });
  let seen = 0;
  for (const step of TAPE) {
    const at = step.t * S;
    fx.clock.runUntil(at);
    step.act(fx);
    // Nothing is in flight (zero latency): the step's events were all produced and delivered at `at`.
    expect(fx.clock.now()).toBe(at);
    const fresh = fx.events.slice(seen);
    seen = fx.events.length;
    const want = step[column];
    const where = `${column} at t=${step.t}s`;
    expect(fresh.filter((e) => !isFill(e)).map((e) => e.type), where).toEqual(step.acks ?? []);
    expect(
      fresh.filter(isFill).map((e) => ({ id: e.clientId, price: e.priceTicks, qty: e.qtyLots, leaves: e.leavesLots, at: e.exchangeTime })),
      where,
    ).toEqual(want.fills.map(([id, price, qty, leaves]) => ({ id, price, qty, leaves, at })));
    expect(Object.fromEntries(fx.ex.restingSnapshot().map((o) => [o.clientId, o.ahead])), where).toEqual(want.ahead);
  }
  return fx;
}

describe('hand-checked fill tape', () => {
  it('risk_averse: the queue ahead moves only with trades at the price; clamps to the level', () => {
    const fx = runTape(riskAverseQueue, 'risk_averse');
    // Fill times: 1 lot at 5s, 2 lots at 6s (a print through of 2), 3 lots of s1 and 1 of s2 at 8s (one
    // cross of 4 lots shared best price first).
    expect(fx.fills().map((e) => [e.clientId, e.exchangeTime / S, e.qtyLots])).toEqual([
      ['s1', 5, 1],
      ['s1', 6, 2],
      ['s1', 8, 3],
      ['s2', 8, 1],
    ]);
    expect(fx.ex.stats).toMatchObject({ fills: 4, fills_queue: 1, fills_through: 1, fills_cross: 2 });
    // Causes: the 2nd and 3rd trades; the 7th book change (connect, t=2, 3, 4, 5, 6, 8).
    expect(fx.fillRecords.map((f) => [f.clientId, f.how, f.cause])).toEqual([
      ['s1', 'queue', 2],
      ['s1', 'through', 3],
      ['s1', 'cross', 7],
      ['s2', 'cross', 7],
    ]);
  });

  it('power(2): cancellations ahead move the order up, so it fills earlier and partially across trades', () => {
    const fx = runTape(powerQueue(2), 'power2');
    expect(fx.fills().map((e) => [e.clientId, e.exchangeTime / S, e.qtyLots])).toEqual([
      ['s1', 4, 1],
      ['s1', 5, 4],
      ['s1', 6, 1],
      ['s2', 8, 2],
    ]);
    expect(fx.ex.stats).toMatchObject({ fills: 4, fills_queue: 2, fills_through: 1, fills_cross: 1 });
  });

  it('both models: every fill is a maker fill at the order own price, and the order totals add up', () => {
    for (const [queue, column, totals, resting] of [
      [riskAverseQueue, 'risk_averse', [6, 1], 1],
      [powerQueue(2), 'power2', [6, 2], 0],
    ] as const) {
      const fx = runTape(queue, column);
      const fills = fx.fills();
      for (const f of fills) {
        expect(f.liquidity).toBe('maker');
        // A sell never fills below its limit; here it fills exactly at it, even when the print (102) or the bid (103) was better.
        expect(f.priceTicks).toBe(f.clientId === 's1' ? 101 : 102);
        expect(f.feeUsd).toBeCloseTo((f.qtyLots * f.priceTicks * -1) / 10_000, 12);
      }
      const total = (id: string) => fills.filter((f) => f.clientId === id).reduce((s, f) => s + f.qtyLots, 0);
      expect([total('s1'), total('s2')]).toEqual(totals);
      expect(fx.ex.account.positionLots).toBe(-(totals[0] + totals[1]));
      expect(fx.ex.restingOrders).toBe(resting);
    }
  });

  it('one step where the three models differ: level 40 -> 20 with 10 ahead and 30 behind, then a trade of 5', () => {
    /*
     * t=1s place s1 sell 5 @101 behind 10 lots; t=2s the level grows to 40 (30 behind us); t=3s it drops
     * to 20 with no trade: chg = 20, front = 10, back = 30.
     *   risk_averse: min(10, 20) = 10
     *   power(2):    p = 900/(900+100) = 0.9;  10 - 0.1*20 + min(0, 30 - 18) = 8
     *   log:         p = ln 31/(ln 31 + ln 11) = 3.43399/(3.43399 + 2.39790) = 0.58883;
     *                10 - 0.41117*20 + min(0, 30 - 11.777) = 10 - 8.2234 = 1.7766
     * t=4s a buy of 5 at 101 (level 20 -> 15):
     *   risk_averse: floor(5 - 10) < 0, no fill, ahead 5 (then min(5, 15) = 5, chg = 20-15-5 = 0)
     *   power(2):    floor(5 - 8) < 0, no fill, ahead 3
     *   log:         floor(5 - 1.7766) = floor(3.2234) = 3: fill 3 @101 at t=4s, leaves 2, ahead 0
     */
    const cases = [
      { queue: riskAverseQueue, afterDrop: 10, afterTrade: 5, fills: [] as F[] },
      { queue: powerQueue(2), afterDrop: 8, afterTrade: 3, fills: [] as F[] },
      { queue: logQueue(), afterDrop: 1.7766, afterTrade: 0, fills: [['s1', 101, 3, 2]] as F[] },
    ];
    for (const c of cases) {
      const fx = exchangeFixture({ queue: c.queue });
      const ahead = () => fx.ex.restingSnapshot()[0]!.ahead;
      fx.clock.runUntil(1 * S);
      fx.place('s1', 'sell', 101, 5);
      expect(ahead(), c.queue.name).toBe(10);
      fx.clock.runUntil(2 * S);
      fx.level('sell', 101, 40);
      expect(ahead(), c.queue.name).toBe(10);
      fx.clock.runUntil(3 * S);
      fx.level('sell', 101, 20);
      expect(ahead(), c.queue.name).toBeCloseTo(c.afterDrop, 4);
      expect(fx.fills(), c.queue.name).toEqual([]);
      fx.clock.runUntil(4 * S);
      fx.trade('buy', 101, 5);
      expect(ahead(), c.queue.name).toBe(c.afterTrade);
      expect(
        fx.fills().map((e) => [e.clientId, e.priceTicks, e.qtyLots, e.leavesLots, e.exchangeTime]),
        c.queue.name,
      ).toEqual(c.fills.map((f) => [...f, 4 * S]));
    }
  });

  it('a buy order: a sell printing below its price fills at the bid price, never lower, at most the print', () => {
    /*
     * b1 buy 4 @99 joins behind 10 at t=1s (ahead 10). t=2s a sell of 12 at 99 (level 10 -> 0):
     * floor(12 - 10) = 2 lots fill at 99, leaves 2, ahead 0. t=3s a sell of 1 prints at 97 (through 99):
     * 1 lot fills at 99, not at 97 (the print had 1 lot). t=4s a sell of 3 at 98: the last lot fills.
     */
    const fx = exchangeFixture({ queue: powerQueue(2) });
    fx.clock.runUntil(1 * S);
    fx.place('b1', 'buy', 99, 4);
    expect(fx.ex.restingSnapshot()[0]).toMatchObject({ clientId: 'b1', ahead: 10, leaves: 4 });
    fx.clock.runUntil(2 * S);
    fx.trade('sell', 99, 12);
    expect(fx.ex.restingSnapshot()[0]).toMatchObject({ ahead: 0, leaves: 2 });
    fx.clock.runUntil(3 * S);
    fx.trade('sell', 97, 1);
    fx.clock.runUntil(4 * S);
    fx.trade('sell', 98, 3);
    expect(fx.fills().map((e) => [e.side, e.priceTicks, e.qtyLots, e.leavesLots, e.exchangeTime / S])).toEqual([
      ['buy', 99, 2, 2, 2],
      ['buy', 99, 1, 1, 3],
      ['buy', 99, 1, 0, 4],
    ]);
    expect(fx.ex.account.positionLots).toBe(4);
  });
});
