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
