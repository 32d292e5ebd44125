import { describe, expect, it } from 'vitest';
import type { ExecutionEvent } from '../../src/core/types.ts';
import { exchangeFixture } from '../support/exchange-fixture.ts';

const setup = () => exchangeFixture();

const fills = (events: ExecutionEvent[]) =>
  events.filter((e) => e.type === 'fill').map((e) => (e.type === 'fill' ? [e.clientId, e.priceTicks, e.qtyLots, e.leavesLots] : []));

describe('SimExchange fill rules (risk_averse queue)', () => {
  it('queue ahead shrinks only by trades at the price, clamps to the level, and a print through fills the rest', () => {
    const { book, ex, events, place, clock } = setup();
    place('s1', 'sell', 101, 4); // joins behind 10 lots
    expect(events[0]).toMatchObject({ type: 'accepted', clientId: 's1' });
    // A buy of 6 at 101: 6 of the 10 ahead trade, nothing reaches us.
    book.asks.set(101, 4);
    ex.onTrade('buy', 101, 6);
    clock.runAll();
    expect(fills(events)).toEqual([]);
    // Cancellations take the level from 4 to 2: the queue ahead (4) is clamped to 2.
    book.asks.set(101, 2);
    ex.onBookChange();
    // A buy of 5 at 101: 2 ahead, then 3 of our 4 lots.
    book.asks.set(101, 0);
    ex.onTrade('buy', 101, 5);
    clock.runAll();
    expect(fills(events)).toEqual([['s1', 101, 3, 1]]);
    // A buy printing at 102 went through our price: the last lot fills, at our price.
    ex.onTrade('buy', 102, 1);
    clock.runAll();
    expect(fills(events)).toEqual([
      ['s1', 101, 3, 1],
      ['s1', 101, 1, 0],
    ]);
    const fill = events.find((e) => e.type === 'fill');
    expect(fill).toMatchObject({ liquidity: 'maker', feeUsd: (3 * 101 * -1) / 10_000 });
  });

  it('a level growing does not move the order back; trades at other prices do not move it', () => {
    const { book, ex, events, place, clock } = setup();
    place('s1', 'sell', 102, 2); // 5 ahead
    book.asks.set(102, 50);
    ex.onBookChange();
    ex.onTrade('buy', 101, 3);
    ex.onTrade('buy', 102, 6); // 5 ahead consumed, 1 lot for us
    clock.runAll();
    expect(fills(events)).toEqual([['s1', 102, 1, 1]]);
  });

  it('fills a resting order at its own price when the book crosses it', () => {
    const { book, ex, events, place, clock } = setup();
    place('b1', 'buy', 100, 3); // improves the bid: nothing ahead
    book.asks.set(100, 7); // the offer comes down to our bid
    ex.onBookChange();
    clock.runAll();
    expect(fills(events)).toEqual([['b1', 100, 3, 0]]);
  });

  it('rejects a post-only order that would cross on arrival, and a too small one', () => {
    const { events, place } = setup();
    place('b1', 'buy', 101, 1);
    place('s1', 'sell', 99, 1);
    place('z', 'buy', 90, 0);
    expect(events.map((e) => (e.type === 'rejected' ? e.reason : e.type))).toEqual(['post_only_would_cross', 'post_only_would_cross', 'min_size']);
  });

  it('answers a cancel after the fill with too_late_to_cancel and an unknown one with unknown_order', () => {
    const { ex, events, place, clock, book } = setup();
    place('b1', 'buy', 100, 1);
    book.asks.set(100, 1);
    ex.onBookChange();
    ex.cancelOrder({ type: 'cancel', clientId: 'b1', symbol: 'T' });
    ex.cancelOrder({ type: 'cancel', clientId: 'nope', symbol: 'T' });
    clock.runAll();
    expect(events.filter((e) => e.type === 'cancel_rejected').map((e) => (e.type === 'cancel_rejected' ? e.reason : ''))).toEqual([
      'too_late_to_cancel',
      'unknown_order',
    ]);
  });

  it('cancels a resting order with its remaining quantity', () => {
    const { ex, events, place, clock } = setup();
    place('s1', 'sell', 103, 2);
    ex.cancelOrder({ type: 'cancel', clientId: 's1', symbol: 'T' });
    clock.runAll();
    expect(events.at(-1)).toMatchObject({ type: 'canceled', clientId: 's1', leavesLots: 2 });
    expect(ex.restingOrders).toBe(0);
  });
});

// Own fills never exceed the tape. The fixture's book: bids 99x10, 98x5; asks 101x10, 102x5.
describe('SimExchange: fills capped by what the tape printed', () => {
  it('a print through two own orders at different prices, with less than either: best price first, then what is left', () => {
    const fx = setup();
    fx.place('s2', 'sell', 101, 4); // first in time, behind the 10 lots at 101
    fx.place('s1', 'sell', 100, 3); // later, but the better price for a buyer: nothing ahead
    // A buy prints 2 lots at 102, through both prices: the aggressor met s1 first and had 2 lots.
    fx.trade('buy', 102, 2);
    expect(fills(fx.events)).toEqual([['s1', 100, 2, 1]]);
    // 4 more at 102: s1's last lot, then 3 of s2's 4 (the print is spent).
    fx.trade('buy', 102, 4);
    expect(fills(fx.events)).toEqual([
      ['s1', 100, 2, 1],
      ['s1', 100, 1, 0],
      ['s2', 101, 3, 1],
    ]);
    expect(fx.fillRecords.map((f) => [f.clientId, f.how, f.cause])).toEqual([
      ['s1', 'through', 1],
      ['s1', 'through', 2],
      ['s2', 'through', 2],
    ]);
    expect(fx.ex.restingSnapshot()).toMatchObject([{ clientId: 's2', leaves: 1 }]);
  });

  it('a queue fill at the print price takes only what through fills left of the print', () => {
    const fx = setup();
    fx.level('sell', 101, 1); // the 101 offer thins to 1 lot
    fx.place('s1', 'sell', 100, 2); // nothing ahead
    fx.place('s2', 'sell', 101, 5); // 1 lot ahead
    // A buy of 6 at 101: 2 went through to s1 at 100, so 4 reached 101: 1 ahead of s2, then 3 of s2.
    // (Without the budget s2 would take floor(6 - 1) = 5: 7 own lots out of a 6-lot print.)
    fx.trade('buy', 101, 6);
    expect(fills(fx.events)).toEqual([
      ['s1', 100, 2, 0],
      ['s2', 101, 3, 2],
    ]);
    expect(fx.ex.stats).toMatchObject({ fills_through: 1, fills_queue: 1 });
    // The market's queue at 101 traded: s2 is now at the front.
    expect(fx.ex.restingSnapshot()).toMatchObject([{ clientId: 's2', ahead: 0, leaves: 2 }]);
  });

  it('a cross fill takes only the lots the book change shows at prices crossing the order, best price then time first', () => {
    const fx = setup();
    fx.place('b1', 'buy', 100, 5); // improves the bid: nothing ahead
    fx.place('b2', 'buy', 100, 3); // behind b1's 5 lots
    // An offer of 2 lots appears at 100: b1 takes both, b2 nothing; b1's 3 lots rest on.
    fx.level('sell', 100, 2);
    expect(fills(fx.events)).toEqual([['b1', 100, 2, 3]]);
    // The offer at 100 grows to 6: 4 new lots; b1 takes its last 3, b2 the 1 left.
    fx.level('sell', 100, 6);
    expect(fills(fx.events).slice(1)).toEqual([
      ['b1', 100, 3, 0],
      ['b2', 100, 1, 2],
    ]);
    // A change elsewhere while the 6 lots still sit there: nothing new crossed b2, no fill.
    fx.level('buy', 98, 7);
    expect(fills(fx.events)).toHaveLength(3);
    // The offer leaves, then 1 lot comes back at 100: new, so it fills b2's next lot.
    fx.level('sell', 100, 0);
    fx.level('sell', 100, 1);
    expect(fills(fx.events).slice(3)).toEqual([['b2', 100, 1, 1]]);
    expect(fx.fillRecords.map((f) => f.how)).toEqual(['cross', 'cross', 'cross', 'cross']);
    // b1's fills moved b2 to the front of our orders at 100.
    expect(fx.ex.restingSnapshot()).toMatchObject([{ clientId: 'b2', ahead: 0, leaves: 1 }]);
  });

  it('a cross over several levels counts every level up to the order price, never beyond it', () => {
    const fx = setup();
    fx.place('s1', 'sell', 100, 9);
    // Bids come up to 100 (3 lots) and 101 (2 lots, through s1's price): 5 lots crossed s1, 99 does not count.
    fx.book.bids.set(100, 3);
    fx.level('buy', 101, 2);
    expect(fills(fx.events)).toEqual([['s1', 100, 5, 4]]);
  });
});
