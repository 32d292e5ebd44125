// The simulated exchange's queue estimate under random sequences of market trades, level changes, own
// places and cancels, for every queue model: the quantity ahead of a resting order is never negative
// (nor NaN), never more than its level holds plus our own orders ahead of it; and own fills never exceed
// the tape: the fills a print caused (through and at its price) add up to at most its quantity, and the
// cross fills of one book change on a side to at most the opposite side's lots at prices crossing them.
// Driven through the hand-set book of tests/support/exchange-fixture.ts (bids 99x10, 98x5; asks 101x10,
// 102x5) with zero latency, so each step settles before the next.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Side } from '../../src/core/types.ts';
import { logQueue, powerQueue, riskAverseQueue } from '../../src/sim/exchange/queue-model.ts';
import type { QueueModel } from '../../src/sim/exchange/queue-model.ts';
import { exchangeFixture } from '../support/exchange-fixture.ts';

const FC_SEED = 20_240_611;
const NUM_RUNS = Number(process.env.PROP_RUNS ?? 300);

type Step =
  | { op: 'place'; side: Side; price: number; qty: number }
  | { op: 'cancel'; pick: number }
  /** An aggressive order sweeping the book from the best level, one print per level (as the synthetic market trades). */
  | { op: 'sweep'; aggressor: Side; qty: number }
  /** A print of `qty` at one price of the passive side (the fixture's `trade`). */
  | { op: 'print'; aggressor: Side; price: number; qty: number }
  /**
   * Others add to or cancel from a level (never crossing the book): the level of an own resting order
   * (the `own`-th, when there is one) or the given one, by `delta` lots.
   */
  | { op: 'level'; own: number | undefined; side: Side; price: number; delta: number };

const side = fc.constantFrom<Side>('buy', 'sell');
// A narrow band around the spread, so that levels, trades and own orders keep meeting at the same prices.
const price = fc.integer({ min: 97, max: 103 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('place' as const), side, price, qty: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat({ max: 50 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('sweep' as const), aggressor: side, qty: fc.integer({ min: 1, max: 25 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('print' as const), aggressor: side, price, qty: fc.integer({ min: 1, max: 15 }) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('level' as const),
      own: fc.option(fc.nat({ max: 50 }), { nil: undefined }),
      side,
      price,
      delta: fc.integer({ min: -12, max: 12 }),
    }),
  },
);

const models: [string, () => QueueModel][] = [
  ['risk_averse', () => riskAverseQueue],
  ['log', () => logQueue()],
  ['power(0.5)', () => powerQueue(0.5)],
  ['power(1)', () => powerQueue(1)],
  ['power(3)', () => powerQueue(3)],
];

interface Reach {
  /** Steps after which some order rested with lots ahead of it. */
  queued: number;
  /** Steps after which some estimate was fractional (the probabilistic models' expectation). */
  fractional: number;
  fills: number;
  /** Fills through a print, and cross fills that left leaves resting (a book change showed less than them). */
  through: number;
  partialCross: number;
}

/** The first print or book change that filled more of our orders than the tape shows, described. */
function overfill(fx: ReturnType<typeof exchangeFixture>): string | undefined {
  const byTrade = new Map<number, number>();
  const byChange = new Map<string, { lots: number; worst: number }>();
  for (const f of fx.fillRecords) {
    if (f.how === 'cross') {
      const key = `${f.cause} ${f.side}`;
      const c = byChange.get(key) ?? { lots: 0, worst: f.priceTicks };
      c.lots += f.qtyLots;
      // The price that reaches deepest into the other side: the highest buy, the lowest sell.
      c.worst = f.side === 'buy' ? Math.max(c.worst, f.priceTicks) : Math.min(c.worst, f.priceTicks);
      byChange.set(key, c);
    } else byTrade.set(f.cause, (byTrade.get(f.cause) ?? 0) + f.qtyLots);
  }
  for (const [seq, lots] of byTrade) {
    const t = fx.trades[seq - 1]!;
    if (lots > t.qtyLots) return `trade ${seq} (${t.aggressor} ${t.qtyLots} at ${t.priceTicks}) filled ${lots} own lots`;
  }
  for (const [key, c] of byChange) {
    const [cause, side] = key.split(' ') as [string, Side];
    const book = fx.bookAt[Number(cause) - 1]!;
    let shown = 0;
    for (const [p, q] of side === 'buy' ? book.asks : book.bids) if (side === 'buy' ? p <= c.worst : p >= c.worst) shown += q;
    if (c.lots > shown) return `book change ${cause} filled ${c.lots} own ${side} lots against ${shown} lots crossing them`;
  }
  return undefined;
}

/**
 * Runs the steps on a fresh fixture and checks the resting orders after every one; says what it reached.
 * With `conservation`, also that the own orders at a print's price never fill more than it printed, and
 * that no print or book change filled more than the tape shows (`overfill`).
 */
function drive(queue: QueueModel, steps: readonly Step[], conservation = false): Reach {
  const reach: Reach = { queued: 0, fractional: 0, fills: 0, through: 0, partialCross: 0 };
  const fx = exchangeFixture({ queue });
  const { book, ex } = fx;
  const ownLeavesAt = (s: Side, p: number) => ex.restingSnapshot().reduce((sum, o) => (o.side === s && o.priceTicks === p ? sum + o.leaves : sum), 0);
  /** A print as the market reports it, watching how much of it went to own orders at that price. */
  const print = (aggressor: Side, p: number, q: number): void => {
    const passive: Side = aggressor === 'buy' ? 'sell' : 'buy';
    const before = ownLeavesAt(passive, p);
    ex.onTrade(aggressor, p, q);
    const filled = before - ownLeavesAt(passive, p);
    if (conservation) expect(filled, `a print of ${q} lots at ${p} filled ${filled} own lots there`).toBeLessThanOrEqual(q);
  };
  const placed: string[] = [];
  steps.forEach((step, n) => {
    switch (step.op) {
      case 'place': {
        const id = `o${placed.length + 1}`;
        placed.push(id);
        fx.place(id, step.side, step.price, step.qty);
        break;
      }
      case 'cancel':
        if (placed.length > 0) fx.cancel(placed[step.pick % placed.length]!);
        break;
      case 'sweep':
        book.sweep(step.aggressor, step.qty, (p, q) => print(step.aggressor, p, q));
        ex.onBookChange();
        fx.clock.runAll();
        break;
      case 'print': {
        // As the fixture's `trade`: the print takes its quantity off the level, then the book changes.
        const passive = step.aggressor === 'buy' ? book.asks : book.bids;
        const level = passive.qtyAt(step.price);
        if (level === 0) break;
        passive.set(step.price, Math.max(0, level - step.qty));
        print(step.aggressor, step.price, step.qty);
        ex.onBookChange();
        fx.clock.runAll();
        break;
      }
      case 'level': {
        const rest = ex.restingSnapshot();
        const mine = step.own === undefined || rest.length === 0 ? undefined : rest[step.own % rest.length]!;
        const [s, p] = mine ? [mine.side, mine.priceTicks] : [step.side, step.price];
        const qty = Math.max(0, book.side(s).qtyAt(p) + step.delta);
        const bestOther = s === 'buy' ? book.bestAsk() : book.bestBid();
        const crosses = bestOther !== undefined && (s === 'buy' ? p >= bestOther : p <= bestOther);
        if (qty === 0 || !crosses) fx.level(s, p, qty);
        break;
      }
    }
    const problem = restingProblem(fx) ?? (conservation ? overfill(fx) : undefined);
    expect(problem, `after step ${n} ${JSON.stringify(step)}: ${problem}`).toBeUndefined();
    const rest = ex.restingSnapshot();
    if (rest.some((o) => o.ahead > 0)) reach.queued++;
    if (rest.some((o) => !Number.isInteger(o.ahead))) reach.fractional++;
  });
  reach.fills = fx.fills().length;
  reach.through = fx.fillRecords.filter((f) => f.how === 'through').length;
  const leavesOf = new Map(fx.fills().map((e, i) => [fx.fillRecords[i]!, e.leavesLots]));
  reach.partialCross = fx.fillRecords.filter((f) => f.how === 'cross' && leavesOf.get(f)! > 0).length;
  return reach;
}

/** The first resting order whose queue estimate or state is impossible, described. */
function restingProblem(fx: ReturnType<typeof exchangeFixture>): string | undefined {
  const { book } = fx;
  const rest = fx.ex.restingSnapshot();
  for (const [i, o] of rest.entries()) {
    const what = `${o.clientId} (${o.side} ${o.leaves} at ${o.priceTicks}, ahead ${o.ahead})`;
    if (!Number.isFinite(o.ahead)) return `${what}: the quantity ahead is not a number`;
    if (o.ahead < 0) return `${what}: negative quantity ahead`;
    const level = book.side(o.side).qtyAt(o.priceTicks);
    // Own orders that arrived earlier at the same price (the snapshot is oldest first).
    const ownAhead = rest.slice(0, i).reduce((s, e) => (e.side === o.side && e.priceTicks === o.priceTicks ? s + e.leaves : s), 0);
    if (o.ahead > level + ownAhead + 1e-9) return `${what}: more ahead than the level's ${level} lots plus ${ownAhead} own lots ahead`;
    if (!Number.isInteger(o.leaves) || o.leaves <= 0) return `${what}: resting with ${o.leaves} lots`;
    // A crossed order may rest on: a cross fills only what the book change showed (see `overfill`).
  }
  return undefined;
}

describe('queue estimate invariants under random trades, level changes, places and cancels', () => {
  for (const [name, model] of models) {
    it(`${name}: 0 <= ahead <= level + own orders ahead, and no fill beyond the tape, after every step`, () => {
      fc.assert(
        fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60, size: 'max' }), (steps) => {
          drive(model(), steps, true);
        }),
        { seed: FC_SEED, numRuns: NUM_RUNS },
      );
    });
  }

  it('a random power exponent keeps the same invariants', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.05, max: 8, noNaN: true }), fc.array(stepArb, { minLength: 1, maxLength: 40, size: 'max' }), (n, steps) => {
        drive(powerQueue(n), steps, true);
      }),
      { seed: FC_SEED, numRuns: NUM_RUNS },
    );
  });

  // On a level change the queue model sees only the market's quantity; our own earlier orders at the
  // price must stay ahead (a clamp to the market quantity once let one print fill two own orders).
  it('own orders at a price never fill more than a print there, in time priority (risk_averse)', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60, size: 'max' }), (steps) => {
        drive(riskAverseQueue, steps, true);
      }),
      { seed: FC_SEED, numRuns: NUM_RUNS, examples: [[KNOWN_OVERFILL]] },
    );
  });

  it('the generated steps reach queued orders, fractional estimates and fills', () => {
    const total: Reach = { queued: 0, fractional: 0, fills: 0, through: 0, partialCross: 0 };
    for (const steps of fc.sample(fc.array(stepArb, { minLength: 1, maxLength: 60, size: 'max' }), { seed: FC_SEED, numRuns: 100 })) {
      const r = drive(logQueue(), steps);
      total.queued += r.queued;
      total.fractional += r.fractional;
      total.fills += r.fills;
      total.through += r.through;
      total.partialCross += r.partialCross;
    }
    expect(total.queued).toBeGreaterThan(400);
    expect(total.fractional).toBeGreaterThan(20);
    expect(total.fills).toBeGreaterThan(100);
    expect(total.through).toBeGreaterThan(20);
    expect(total.partialCross).toBeGreaterThan(0);
  });

  it('the tape check fails on a print or a book change that filled more than it showed', () => {
    const fx = exchangeFixture();
    fx.place('s1', 'sell', 100, 5);
    fx.trade('buy', 101, 3);
    expect(overfill(fx)).toBeUndefined();
    const [real] = fx.fillRecords;
    expect(real).toMatchObject({ clientId: 's1', how: 'through', qtyLots: 3, cause: 1 });
    fx.fillRecords.push({ ...real!, qtyLots: 1 });
    expect(overfill(fx)).toMatch(/trade 1 \(buy 3 at 101\) filled 4 own lots/);
    fx.fillRecords.pop();
    fx.level('buy', 100, 1); // the bid comes up to s1: 1 lot crosses it, 1 of its 2 lots left fills
    expect(fx.fillRecords.at(-1)).toMatchObject({ how: 'cross', qtyLots: 1 });
    expect(overfill(fx)).toBeUndefined();
    fx.fillRecords.push({ ...fx.fillRecords.at(-1)!, qtyLots: 1 });
    expect(overfill(fx)).toMatch(/filled 2 own sell lots against 1 lots crossing them/);
  });

  it('the check fails on an impossible estimate (a model that invents queue)', () => {
    // A broken model: after a level change it claims more ahead than the level holds.
    const inflating: QueueModel = { name: 'broken', onArrival: (q) => q, onLevelChange: (ahead, _prev, newQty) => ahead + newQty + 1 };
    expect(() =>
      drive(inflating, [
        { op: 'place', side: 'sell', price: 101, qty: 2 },
        { op: 'level', own: 0, side: 'sell', price: 101, delta: -7 },
      ]),
    ).toThrow(/more ahead than the level/);
    const negative: QueueModel = { name: 'broken', onArrival: (q) => q, onLevelChange: () => -1 };
    expect(() =>
      drive(negative, [
        { op: 'place', side: 'buy', price: 99, qty: 1 },
        { op: 'level', own: 0, side: 'buy', price: 99, delta: -6 },
      ]),
    ).toThrow(/negative quantity ahead/);
  });
});

/** Two own 1-lot bids at 97 behind 1 lot; a sweep clears the level; 1 lot comes back; a 1-lot print fills both bids. */
const KNOWN_OVERFILL: Step[] = [
  { op: 'level', own: undefined, side: 'buy', price: 97, delta: 1 },
  { op: 'place', side: 'buy', price: 97, qty: 1 },
  { op: 'place', side: 'buy', price: 97, qty: 1 },
  { op: 'sweep', aggressor: 'sell', qty: 16 },
  { op: 'level', own: undefined, side: 'buy', price: 97, delta: 1 },
  { op: 'sweep', aggressor: 'sell', qty: 1 },
];
