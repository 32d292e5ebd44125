import { describe, expect, it } from 'vitest';
import { OrderBook } from '../../src/sim/exchange/order-book.ts';
import { OrderFlowMarket } from '../../src/sim/market/order-flow.ts';
import { RandomStream } from '../../src/sim/clock/rng.ts';
import type { SyntheticMarketConfig } from '../../src/sim/market/synthetic-market.ts';
import { VirtualClock } from '../../src/sim/clock/virtual-clock.ts';

const BASE: SyntheticMarketConfig = {
  initialMidTicks: 100_000,
  spreadTicks: 1,
  levels: 10,
  depthLots: 5,
  marketRatePerS: 20,
  limitRatePerS: 60,
  branching: [0.5, 0, 0, 0.2],
  decayPerS: 10,
  marketSize: { median: 4, sigma: 1, tailShare: 0.05, tailMin: 20, tailExponent: 1.5 },
  signFollow: 0.5,
  signFlipProb: 0.05,
  limitSizeLots: 3,
  touchShare: 0.5,
  depthDecayTicks: 2,
  improveProb: 0.3,
  insideRatePerS: 10,
  insideRatePerTickS: 5,
  requoteRatePerS: 0,
  requoteFollow: 1,
  requoteSizeLots: 1,
  requoteMoveShare: 0,
  cancelRatePerS: 0.5,
  touchCancelRatePerS: 0.5,
  phases: [{ name: 'main', startUs: 0, endUs: 60_000_000, intensity: 1, buyShare: 0.5 }],
};

interface Snapshot {
  readonly t: number;
  readonly bids: number[];
  readonly asks: number[];
  readonly bid: number;
  readonly ask: number;
  readonly cancels: number;
  /** Lots now at the previous snapshot's best bid and best ask. */
  readonly oldBidQty: number;
  readonly oldAskQty: number;
}

/** Runs the generator alone; `levels` ticks a side from each best are read after every book change. */
function run(config: SyntheticMarketConfig, seed = 'flow'): { snaps: Snapshot[]; trades: string[]; market: OrderFlowMarket } {
  const clock = new VirtualClock({ start: 0, loopLimit: 1e9 });
  const book = new OrderBook();
  const snaps: Snapshot[] = [];
  const trades: string[] = [];
  const s = (name: string) => new RandomStream(seed, name);
  const market: OrderFlowMarket = new OrderFlowMarket(
    clock,
    book,
    config,
    { arrivals: s('market_arrivals'), sizes: s('market_sizes'), signs: s('market_signs'), levels: s('market_levels') },
    {
      onTrade: (side, price, qty) => trades.push(`${clock.now()} ${side} ${price} ${qty}`),
      onBookChange: () => {
        const bid = book.bestBid()!;
        const ask = book.bestAsk()!;
        const read = (from: number, dir: number) => Array.from({ length: config.levels }, (_, k) => (dir < 0 ? book.bids : book.asks).qtyAt(from + dir * k));
        const last = snaps[snaps.length - 1];
        snaps.push({
          t: clock.now(),
          bid,
          ask,
          bids: read(bid, -1),
          asks: read(ask, 1),
          cancels: market.stats.cancels,
          oldBidQty: last === undefined ? 0 : book.bids.qtyAt(last.bid),
          oldAskQty: last === undefined ? 0 : book.asks.qtyAt(last.ask),
        });
      },
    },
  );
  market.start();
  clock.runUntil(config.phases[config.phases.length - 1]!.endUs);
  return { snaps, trades, market };
}

describe('event-level order flow', () => {
  it('moves the touch only by depleting it or by an order strictly inside the spread, and never leaves a side empty', () => {
    const { snaps, market } = run(BASE);
    expect(snaps.length).toBeGreaterThan(5000);
    let down = 0;
    let up = 0;
    for (let i = 1; i < snaps.length; i++) {
      const a = snaps[i - 1]!;
      const b = snaps[i]!;
      expect(b.bid).toBeLessThan(b.ask);
      // The bid fell: the old best level was depleted (taken by a sweep or cancelled to nothing).
      if (b.bid < a.bid) {
        down++;
        expect(b.oldBidQty, `event ${i}`).toBe(0);
      }
      // The bid rose: only by a new order strictly inside the old spread.
      if (b.bid > a.bid) {
        up++;
        expect(b.bid).toBeLessThan(a.ask);
      }
      if (b.ask > a.ask) expect(b.oldAskQty, `event ${i}`).toBe(0);
      if (b.ask < a.ask) expect(b.ask).toBeGreaterThan(a.bid);
    }
    // Both kinds of move happen, and the price really moves.
    expect(down).toBeGreaterThan(50);
    expect(up).toBeGreaterThan(50);
    expect(market.stats.trades).toBeGreaterThan(500);
    expect(market.stats.cancels).toBeGreaterThan(500);
  });

  it('a price is reached only by what traded or left there: no jump without a sweep or a cancellation', () => {
    // Without market orders and without cancellations the book can only grow: the bests only improve.
    const { snaps } = run({ ...BASE, marketRatePerS: 1e-9, cancelRatePerS: 0, branching: [0, 0, 0, 0] });
    for (let i = 1; i < snaps.length; i++) {
      expect(snaps[i]!.bid).toBeGreaterThanOrEqual(snaps[i - 1]!.bid);
      expect(snaps[i]!.ask).toBeLessThanOrEqual(snaps[i - 1]!.ask);
    }
  });

  for (const touchRate of [0.5, 2]) {
  it(`cancels lots in proportion to the resting size of each level, the touch's at its own rate (${touchRate} vs 0.5)`, () => {
    // Limit orders only at the touch, no trades: the touch grows far beyond the levels behind it, so a
    // level chosen uniformly would be the touch one time in 20, chosen by size far more often.
    const config: SyntheticMarketConfig = { ...BASE, marketRatePerS: 1e-9, branching: [0, 0, 0, 0], touchShare: 1, improveProb: 0, insideRatePerS: 0, insideRatePerTickS: 0, limitSizeLots: 4, cancelRatePerS: 0.5, touchCancelRatePerS: touchRate };
    const w = touchRate / 0.5;
    const { snaps } = run(config);
    let expected = 0;
    let touch = 0;
    let n = 0;
    for (let i = 1; i < snaps.length; i++) {
      const a = snaps[i - 1]!;
      const b = snaps[i]!;
      if (b.cancels === a.cancels || b.bid !== a.bid || b.ask !== a.ask) continue;
      const total = a.bids.reduce((x, y) => x + y, 0) + a.asks.reduce((x, y) => x + y, 0);
      const t = a.bids[0]! + a.asks[0]!;
      expected += (w * t) / (total - t + w * t);
      if (b.bids[0]! < a.bids[0]! || b.asks[0]! < a.asks[0]!) touch++;
      n++;
    }
    expect(n).toBeGreaterThan(1000);
    // Proportional choice: the touch's share of the cancellations is its share of the lots (within 4 sd).
    const sd = Math.sqrt(expected * (1 - expected / n));
    expect(Math.abs(touch - expected)).toBeLessThan(4 * sd);
    expect(expected / n).toBeGreaterThan(0.3);
  });
  }

  it('is deterministic: the same seed gives the same events, another seed others', () => {
    const short = { ...BASE, phases: [{ name: 'main', startUs: 0, endUs: 10_000_000, intensity: 1, buyShare: 0.5 }] };
    const a = run(short, 'x');
    const b = run(short, 'x');
    expect(b.trades).toEqual(a.trades);
    expect(b.snaps).toEqual(a.snaps);
    expect(run(short, 'y').trades).not.toEqual(a.trades);
  });

  it('a phase intensity scales the activity', () => {
    const phases = [
      { name: 'calm', startUs: 0, endUs: 30_000_000, intensity: 1, buyShare: 0.5 },
      { name: 'burst', startUs: 30_000_000, endUs: 60_000_000, intensity: 4, buyShare: 0.5 },
    ];
    const { market } = run({ ...BASE, branching: [0, 0, 0, 0], phases });
    const p = market.stats.by_phase;
    expect(p.burst!.trades / p.calm!.trades).toBeGreaterThan(3.2);
    expect(p.burst!.trades / p.calm!.trades).toBeLessThan(4.8);
  });
});
