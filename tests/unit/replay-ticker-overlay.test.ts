// The exchange's freshest view in a replay: the depth book overlaid with a bookTicker newer by update id.
import { describe, expect, it } from 'vitest';
import type { ExecutionEvent, MarketEvent, Side } from '../../src/core/types.ts';
import { EventDigest } from '../../src/sim/run/event-digest.ts';
import { Channel, createLatencyModel } from '../../src/sim/exchange/latency-model.ts';
import { OrderBook } from '../../src/sim/exchange/order-book.ts';
import { riskAverseQueue } from '../../src/sim/exchange/queue-model.ts';
import { TickerOverlay } from '../../src/sim/market/replay/ticker-overlay.ts';
import { RandomStream } from '../../src/sim/clock/rng.ts';
import { SimExchange } from '../../src/sim/exchange/sim-exchange.ts';
import { VirtualClock } from '../../src/sim/clock/virtual-clock.ts';
import { BASE_CONFIG } from '../support/exchange-fixture.ts';

const zero = (): Channel => {
  const m = createLatencyModel({ dist: 'constant', ms: 0 }, new RandomStream('t', 'latency'));
  return new Channel({ place: m, cancel: m, query: m, ack: m, fill: m, book: m });
};

function setup(withOverlay: boolean, feedToo = false) {
  const clock = new VirtualClock();
  const book = new OrderBook();
  book.bids.set(99, 10);
  book.asks.set(101, 10);
  book.asks.set(102, 5);
  const overlay = new TickerOverlay(book);
  overlay.onBook(500, 0); // the depth book is as of update 500
  const ex = new SimExchange({
    clock,
    instrument: { symbol: 'T', tickSize: 1, lotSize: 1 },
    book,
    view: withOverlay ? overlay : undefined,
    feedView: feedToo ? overlay : undefined,
    config: BASE_CONFIG,
    queue: riskAverseQueue,
    channels: { entry: zero(), response: zero(), feed: zero() },
    digest: new EventDigest(),
  });
  const events: ExecutionEvent[] = [];
  const md: MarketEvent[] = [];
  ex.connect({ onExecution: (e) => events.push(e), onMarketData: (e) => md.push(e), onQueryResult: () => {}, onHeartbeat: () => {} });
  const place = (clientId: string, side: Side, priceTicks: number) => {
    ex.placeOrder({ type: 'place', clientId, symbol: 'T', side, priceTicks, qtyLots: 1, postOnly: true });
    clock.runAll();
  };
  return { clock, book, overlay, ex, events, md, place };
}

const outcomes = (events: ExecutionEvent[]) => events.map((e) => `${e.clientId} ${e.type === 'rejected' ? e.reason : e.type}`);

describe('TickerOverlay', () => {
  it('a ticker newer than the book sets the top; an older one or a newer diff leaves the book', () => {
    const { overlay } = setup(true);
    expect(overlay.onTicker(499, 1, 100, 3, 101, 4)).toBe(false); // older than the book (500)
    expect([overlay.bestBid(), overlay.bestAsk()]).toEqual([99, 101]);
    expect(overlay.onTicker(503, 2, 100, 3, 101, 4)).toBe(true);
    expect([overlay.bestBid(), overlay.bestAsk()]).toEqual([100, 101]);
    expect(overlay.qtyAt('buy', 100)).toBe(3);
    expect(overlay.qtyAt('buy', 99)).toBe(10); // deeper: the book's
    expect(overlay.qtyAt('sell', 101)).toBe(4); // the ticker's size at its price
    overlay.onTicker(504, 3, 99, 10, 100, 2); // the ask came down to 100: 101 is now behind it, the book's size there stands
    expect(overlay.qtyAt('sell', 101)).toBe(10);
    overlay.onTicker(505, 4, 98, 1, 102, 2); // the bid dropped to 98: the book's 99 is gone already
    expect(overlay.qtyAt('buy', 99)).toBe(0);
    expect(overlay.qtyAt('sell', 101)).toBe(0);
    overlay.onBook(505, 5); // a diff as new as the ticker: the book again
    expect([overlay.bestBid(), overlay.bestAsk()]).toEqual([99, 101]);
  });

  it('without update ids on the book, newer means a later time', () => {
    const book = new OrderBook();
    book.bids.set(10, 1);
    book.asks.set(12, 1);
    const o = new TickerOverlay(book);
    o.onBook(undefined, 100);
    expect(o.onTicker(undefined, 100, 11, 1, 12, 1)).toBe(false);
    expect(o.onTicker(undefined, 101, 11, 1, 12, 1)).toBe(true);
    expect(o.bestBid()).toBe(11);
  });
});

describe('SimExchange reads the overlay', () => {
  it('rejects a post-only order that crosses the ticker but not the depth book; the plain book accepts it', () => {
    for (const withOverlay of [true, false]) {
      const { overlay, events, place } = setup(withOverlay);
      // The bookTicker (update 501) says the best ask came down to 100; the diff saying so has not arrived.
      overlay.onTicker(501, 1, 99, 10, 100, 2);
      place('b1', 'buy', 100); // crosses the ticker's ask 100, not the book's 101
      place('s1', 'sell', 100); // joins the ticker's ask: does not cross the bid 99
      expect(outcomes(events)).toEqual(withOverlay ? ['b1 post_only_would_cross', 's1 accepted'] : ['b1 accepted', 's1 accepted']);
    }
  });

  it('a resting order crossed by a newer ticker fills as a cross; price bands use the ticker mid', () => {
    const { ex, overlay, events, place, clock } = setup(true);
    place('b1', 'buy', 100); // inside the spread 99/101: accepted
    overlay.onTicker(501, 1, 99, 10, 100, 3); // an offer at 100 arrives: our bid is crossed
    ex.onBookChange();
    clock.runAll();
    expect(events.filter((e) => e.type === 'fill').map((e) => e.clientId)).toEqual(['b1']);
  });

  it('the bot feed sees the ticker only with feedView', () => {
    for (const feedToo of [false, true]) {
      const { ex, overlay, md, clock } = setup(true, feedToo);
      overlay.onTicker(501, 1, 100, 2, 101, 10);
      ex.onBookChange();
      clock.runAll();
      const last = md[md.length - 1]!;
      expect(last.type === 'book' && [last.bidTicks, last.bidLots]).toEqual(feedToo ? [100, 2] : [99, 10]);
    }
  });
});
