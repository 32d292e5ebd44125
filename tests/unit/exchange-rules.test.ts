/**
 * Every exchange rule and timed fault of the SimExchange, with exact expectations. The fixture's book
 * starts with bids 99x10, 98x5 and asks 101x10, 102x5 (mid 100); tick size and lot size are 1, so a
 * lot at price p is worth p USD. Maker fee -1 bps. Times are virtual microseconds.
 */
import { describe, expect, it } from 'vitest';
import type { ExecutionEvent, Side } from '../../src/core/types.ts';
import type { Fault, FaultSchedule } from '../../src/sim/exchange/faults.ts';
import type { RateLimitConfig } from '../../src/sim/exchange/sim-exchange.ts';
import { exchangeFixture } from '../support/exchange-fixture.ts';
import type { FixtureOptions } from '../support/exchange-fixture.ts';

type Fixture = ReturnType<typeof exchangeFixture>;
const S = 1_000_000;
const MS = 1_000;

const rateLimit = (p: Partial<RateLimitConfig>): RateLimitConfig => ({
  maxRequests: 3,
  windowUs: S,
  includeCancels: false,
  banAfter: 0,
  banWindowUs: S,
  banDurationUs: 0,
  ...p,
});

/** Sends an order without running the clock (the request is in flight for the entry latency). */
const send = (fx: Fixture, clientId: string, side: Side, priceTicks: number, qtyLots: number, postOnly = true): void =>
  fx.ex.placeOrder({ type: 'place', clientId, symbol: 'T', side, priceTicks, qtyLots, postOnly });
const sendCancel = (fx: Fixture, clientId: string): void => fx.ex.cancelOrder({ type: 'cancel', clientId, symbol: 'T' });

/** At virtual time `t`: place an order and run what is due then (zero latency: its answer). */
const placeAt = (fx: Fixture, t: number, clientId: string, side: Side, price: number, qty: number): void => {
  fx.clock.runUntil(t);
  fx.place(clientId, side, price, qty);
};
const cancelAt = (fx: Fixture, t: number, clientId: string): void => {
  fx.clock.runUntil(t);
  fx.cancel(clientId);
};

/** Each event as a short string: `accepted`, `rejected:min_size`, `fill:2/0` (qty/leaves), `canceled:3` (leaves)... */
const show = (e: ExecutionEvent): string => {
  switch (e.type) {
    case 'rejected':
    case 'cancel_rejected':
      return `${e.type}:${e.reason}`;
    case 'fill':
      return `fill:${e.qtyLots}/${e.leavesLots}`;
    case 'canceled':
      return `canceled:${e.leavesLots}`;
    default:
      return e.type;
  }
};
/** What one client id got, in order. */
const outcome = (fx: Fixture, clientId: string): string[] => fx.events.filter((e) => e.clientId === clientId).map(show);
/** Every event as [clientId, short form, exchangeTime]. */
const log = (fx: Fixture): [string, string, number][] => fx.events.map((e) => [e.clientId, show(e), e.exchangeTime]);

/** The exchange's fault schedule (the fixture builds it; SimExchange keeps it private). */
const faultsOf = (fx: Fixture): FaultSchedule => (fx.ex as unknown as { faults: FaultSchedule }).faults;
const effects = (fx: Fixture, i = 0): unknown => faultsOf(fx).summary()[i]!['effects'];

/** Runs the clock one callback at a time until the bot has `n` events; returns the time the n-th arrived. */
const deliveredAt = (fx: Fixture, n: number): number => {
  while (fx.events.length < n) if (!fx.clock.next()) throw new Error(`only ${fx.events.length} events`);
  return fx.clock.now();
};

describe('rate limit (sliding window)', () => {
  it('allows N orders per window; the N+1th inside the window is rate_limited, the next after the window passes', () => {
    const fx = exchangeFixture({ config: { rateLimit: rateLimit({ maxRequests: 3, windowUs: S }) } });
    // The window at t is (t - 1s, t]; only accepted requests count in it.
    placeAt(fx, 0, 'a', 'buy', 95, 1); // [a]
    placeAt(fx, 100_000, 'b', 'buy', 95, 1); // [a b]
    placeAt(fx, 200_000, 'c', 'buy', 95, 1); // [a b c]: full
    placeAt(fx, 500_000, 'd', 'buy', 95, 1); // 3 in (-0.5s, 0.5s]: refused
    placeAt(fx, 999_999, 'e', 'buy', 95, 1); // a (t=0) still inside (-1µs, 999999]: refused
    placeAt(fx, S, 'f', 'buy', 95, 1); // a left (0, 1s]: [b c f]
    placeAt(fx, 1_050_000, 'g', 'buy', 95, 1); // (0.05s, 1.05s] holds b c f: refused
    placeAt(fx, 1_100_000, 'h', 'buy', 95, 1); // b left: [c f h]
    expect(log(fx)).toEqual([
      ['a', 'accepted', 0],
      ['b', 'accepted', 100_000],
      ['c', 'accepted', 200_000],
      ['d', 'rejected:rate_limited', 500_000],
      ['e', 'rejected:rate_limited', 999_999],
      ['f', 'accepted', S],
      ['g', 'rejected:rate_limited', 1_050_000],
      ['h', 'accepted', 1_100_000],
    ]);
    expect(fx.ex.stats.rate_limit_breaches).toBe(3);
    expect(fx.ex.stats.bans).toBe(0);
    // Cancels do not count (includeCancels: false): the window is full, yet the cancel goes through.
    cancelAt(fx, 1_100_000, 'a');
    expect(outcome(fx, 'a')).toEqual(['accepted', 'canceled:1']);
  });

  it('includeCancels: cancels use up the window and are refused with rate_limited when it is full', () => {
    const run = (includeCancels: boolean) => {
      const fx = exchangeFixture({ config: { rateLimit: rateLimit({ maxRequests: 2, windowUs: S, includeCancels }) } });
      placeAt(fx, 0, 'a', 'buy', 95, 1); // 1 in the window
      cancelAt(fx, 100_000, 'a'); // counts when included: 2
      placeAt(fx, 200_000, 'b', 'buy', 95, 1);
      cancelAt(fx, 300_000, 'x');
      return log(fx);
    };
    expect(run(true)).toEqual([
      ['a', 'accepted', 0],
      ['a', 'canceled:1', 100_000],
      ['b', 'rejected:rate_limited', 200_000],
      ['x', 'cancel_rejected:rate_limited', 300_000],
    ]);
    expect(run(false)).toEqual([
      ['a', 'accepted', 0],
      ['a', 'canceled:1', 100_000],
      ['b', 'accepted', 200_000],
      ['x', 'cancel_rejected:unknown_order', 300_000],
    ]);
  });

  it('bans after banAfter refusals within banWindowUs: everything is refused until the ban ends, cancels too', () => {
    const fx = exchangeFixture({
      config: { rateLimit: rateLimit({ maxRequests: 1, windowUs: S, banAfter: 2, banWindowUs: S, banDurationUs: 5 * S }) },
    });
    placeAt(fx, 0, 'a', 'buy', 95, 1); // the one request of the window
    placeAt(fx, 100_000, 'b', 'buy', 95, 1); // refusal 1
    placeAt(fx, 200_000, 'c', 'buy', 95, 1); // refusal 2 within 1s: banned until 0.2s + 5s = 5.2s
    expect(fx.ex.stats.bans).toBe(1);
    placeAt(fx, 1_500_000, 'd', 'buy', 95, 1); // the window alone would allow it (a left at 1s)
    cancelAt(fx, 2 * S, 'a'); // a cancel is refused too, although cancels do not count against the limit
    placeAt(fx, 5_199_999, 'e', 'buy', 95, 1); // 1µs before the ban ends
    expect(fx.ex.restingSnapshot().map((o) => o.clientId)).toEqual(['a']);
    placeAt(fx, 5_200_000, 'f', 'buy', 95, 1); // the ban is over
    cancelAt(fx, 5_300_000, 'a');
    expect(log(fx)).toEqual([
      ['a', 'accepted', 0],
      ['b', 'rejected:rate_limited', 100_000],
      ['c', 'rejected:rate_limited', 200_000],
      ['d', 'rejected:rate_limited', 1_500_000],
      ['a', 'cancel_rejected:rate_limited', 2 * S],
      ['e', 'rejected:rate_limited', 5_199_999],
      ['f', 'accepted', 5_200_000],
      ['a', 'canceled:1', 5_300_000],
    ]);
    // Refusals during the ban are not new breaches.
    expect(fx.ex.stats).toMatchObject({ rate_limit_breaches: 2, bans: 1 });
    // Counting toward the next ban starts afresh: two more refusals within 1s ban again.
    placeAt(fx, 5_400_000, 'g', 'buy', 95, 1);
    expect(fx.ex.stats.bans).toBe(1);
    placeAt(fx, 5_500_000, 'h', 'buy', 95, 1);
    expect(fx.ex.stats).toMatchObject({ rate_limit_breaches: 4, bans: 2 });
  });

  it('does not ban when the refusals are further apart than banWindowUs', () => {
    const fx = exchangeFixture({
      config: { rateLimit: rateLimit({ maxRequests: 1, windowUs: S, banAfter: 2, banWindowUs: S, banDurationUs: 5 * S }) },
    });
    placeAt(fx, 0, 'a', 'buy', 95, 1);
    placeAt(fx, 500_000, 'b', 'buy', 95, 1); // refusal at 0.5s
    placeAt(fx, S, 'c', 'buy', 95, 1); // a left the window
    placeAt(fx, 1_600_000, 'd', 'buy', 95, 1); // refusal at 1.6s: the one at 0.5s is outside (0.6s, 1.6s]
    placeAt(fx, 2 * S, 'e', 'buy', 95, 1); // c left (1s, 2s]: accepted, no ban
    expect(fx.events.map(show)).toEqual(['accepted', 'rejected:rate_limited', 'accepted', 'rejected:rate_limited', 'accepted']);
    expect(fx.ex.stats).toMatchObject({ rate_limit_breaches: 2, bans: 0 });
  });
});

describe('order checks', () => {
  it('min_size and min_notional (the boundary passes)', () => {
    const size = exchangeFixture({ config: { minSizeLots: 5 } });
    size.place('a', 'buy', 95, 4);
    size.place('b', 'buy', 95, 5);
    expect(size.events.map(show)).toEqual(['rejected:min_size', 'accepted']);

    const notional = exchangeFixture({ config: { minNotionalUsd: 500 } });
    notional.place('a', 'buy', 95, 5); // 475 USD
    notional.place('b', 'buy', 100, 5); // 500 USD: not below
    notional.place('c', 'buy', 95, 6); // 570 USD
    expect(notional.events.map(show)).toEqual(['rejected:min_notional', 'accepted', 'accepted']);
  });

  it('price_band: distance from the mid in bps, the boundary passes', () => {
    const fx = exchangeFixture({ config: { priceBandBps: 500 } });
    // mid = (99 + 101) / 2 = 100
    fx.place('a', 'buy', 95, 1); // 5/100 = 500 bps
    fx.place('b', 'buy', 94, 1); // 600 bps
    fx.place('c', 'sell', 105, 1); // 500 bps
    fx.place('d', 'sell', 106, 1); // 600 bps
    expect(fx.events.map(show)).toEqual(['accepted', 'rejected:price_band', 'accepted', 'rejected:price_band']);
  });

  it('price_band is checked against the mid when the order arrives, not when it was sent', () => {
    const fx = exchangeFixture({ config: { priceBandBps: 500 }, latencyMs: 1 });
    send(fx, 'a', 'buy', 95, 1); // 500 bps from the mid at sending: would pass
    send(fx, 'b', 'sell', 106, 1); // 600 bps at sending: would fail
    fx.clock.runUntil(500);
    // While they are in flight the offers move up: best ask 103, mid (99 + 103) / 2 = 101.
    fx.book.asks.set(101, 0);
    fx.book.asks.set(102, 0);
    fx.book.asks.set(103, 5);
    fx.ex.onBookChange();
    fx.clock.runAll();
    // a: |95 - 101| / 101 = 594 bps; b: |106 - 101| / 101 = 495 bps.
    expect(log(fx)).toEqual([
      ['a', 'rejected:price_band', MS],
      ['b', 'accepted', MS],
    ]);
  });

  it('insufficient_margin: worst one-sided position, valued at the order price, over leverage, vs balance', () => {
    // balance 1050 USD at leverage 2: worst lots * price / 2 must be <= 1050.
    const fx = exchangeFixture({ config: { margin: { balanceUsd: 1050, leverage: 2 } } });
    fx.place('b1', 'buy', 100, 15); // buys 15: 15*100/2 = 750
    fx.place('b2', 'buy', 100, 7); // buys 22: 22*100/2 = 1100 > 1050
    fx.place('b3', 'buy', 100, 5); // buys 20: 20*100/2 = 1000
    fx.place('s1', 'sell', 105, 20); // worst max(|0+20|, |0-20|) = 20 (one side, not 40): 20*105/2 = 1050
    fx.place('s2', 'sell', 105, 1); // sells 21: 21*105/2 = 1102.5 > 1050
    expect(fx.events.map((e) => `${e.clientId} ${show(e)}`)).toEqual([
      'b1 accepted',
      'b2 rejected:insufficient_margin',
      'b3 accepted',
      's1 accepted',
      's2 rejected:insufficient_margin',
    ]);
    // The offer comes down to 100: b1 and b3 fill, position +20; s1 (20 @105) rests.
    fx.level('sell', 100, 50);
    expect(fx.ex.account.positionLots).toBe(20);
    fx.events.length = 0;
    fx.place('s3', 'sell', 105, 20); // sells 40: max(|20+0|, |20-40|) = 20: 20*105/2 = 1050
    fx.place('b4', 'buy', 90, 1); // buys 1: max(|20+1|, |20-40|) = 21: 21*90/2 = 945
    fx.place('b5', 'buy', 90, 3); // buys 4: 24*90/2 = 1080 > 1050
    expect(fx.events.map((e) => `${e.clientId} ${show(e)}`)).toEqual(['s3 accepted', 'b4 accepted', 'b5 rejected:insufficient_margin']);
  });

  it('post-only is checked against the book when the order arrives (after the entry latency)', () => {
    // Sent when it would not cross; the offer comes down to 100 while it is in flight.
    const late = exchangeFixture({ latencyMs: 1 });
    send(late, 'b1', 'buy', 100, 1);
    late.clock.runUntil(500);
    late.book.asks.set(100, 3);
    late.ex.onBookChange();
    late.clock.runUntil(2 * MS - 1);
    expect(late.events).toEqual([]); // the reject is still on its way back
    late.clock.runUntil(2 * MS);
    expect(log(late)).toEqual([['b1', 'rejected:post_only_would_cross', MS]]);

    // Sent when it would cross (ask 101); the 101 offers are gone by the time it arrives.
    const early = exchangeFixture({ latencyMs: 1 });
    send(early, 'b1', 'buy', 101, 1);
    early.clock.runUntil(500);
    early.book.asks.set(101, 0);
    early.ex.onBookChange();
    early.clock.runAll();
    expect(log(early)).toEqual([['b1', 'accepted', MS]]);
    expect(early.ex.restingSnapshot()).toEqual([{ clientId: 'b1', side: 'buy', priceTicks: 101, leaves: 1, ahead: 0 }]);
  });

  it('rejects in a fixed order: rate limit, overload, size, notional, band, margin, post-only', () => {
    // One order that breaks every rule: buy 1 @150 post-only (crosses the 101 offer, 5000 bps off the mid, 150 USD).
    const rules: [string, FixtureOptions][] = [
      ['rate_limited', { config: { rateLimit: rateLimit({ maxRequests: 1, windowUs: 10 * S }) } }],
      ['exchange_overloaded', { faults: [{ kind: 'reject_storm', at: 0, duration: 10 * S, probability: 1 }] }],
      ['min_size', { config: { minSizeLots: 2 } }],
      ['min_notional', { config: { minNotionalUsd: 1000 } }],
      ['price_band', { config: { priceBandBps: 100 } }],
      ['insufficient_margin', { config: { margin: { balanceUsd: 10, leverage: 1 } } }],
      ['post_only_would_cross', {}],
    ];
    rules.forEach(([reason], k) => {
      // Every rule from k on is in force.
      const active = rules.slice(k).map(([, o]) => o);
      const fx = exchangeFixture({
        config: Object.assign({}, ...active.map((o) => o.config ?? {})),
        faults: active.flatMap((o) => o.faults ?? []),
      });
      if (k === 0) fx.place('warmup', 'buy', 95, 5); // uses up the window (refused later, but admitted)
      fx.place('x', 'buy', 150, 1);
      expect(outcome(fx, 'x'), reason).toEqual([`rejected:${reason}`]);
    });
  });

  it('refuses a cancel in the order: rate limit, overload, then unknown_order', () => {
    const storm: Fault = { kind: 'reject_storm', at: 0, duration: 10 * S, probability: 1 };
    const limited = exchangeFixture({ config: { rateLimit: rateLimit({ maxRequests: 1, includeCancels: true }) }, faults: [storm] });
    limited.cancel('w'); // admitted (uses the window), then overloaded
    limited.cancel('x');
    expect(limited.events.map(show)).toEqual(['cancel_rejected:exchange_overloaded', 'cancel_rejected:rate_limited']);
    const overloaded = exchangeFixture({ faults: [storm] });
    overloaded.cancel('x');
    expect(overloaded.events.map(show)).toEqual(['cancel_rejected:exchange_overloaded']);
  });
});

describe('cancels', () => {
  // Entry and response latency 1ms each. b1 (buy 2 @100) is sent at 0, arrives at 1ms, the bot sees the
  // ack at 2ms. The cancel is sent at 3ms and arrives at 4ms. The offer comes down to 100 (crossing b1)
  // at `crossAt`.
  const race = (crossAt: number) => {
    const fx = exchangeFixture({ latencyMs: 1 });
    send(fx, 'b1', 'buy', 100, 2);
    fx.clock.runUntil(3 * MS);
    sendCancel(fx, 'b1');
    fx.clock.runUntil(crossAt);
    fx.book.asks.set(100, 5);
    fx.ex.onBookChange();
    fx.clock.runAll();
    return fx;
  };

  it('a cancel that arrives before the fill wins: canceled, and no fill after it', () => {
    const fx = race(4_500);
    expect(log(fx)).toEqual([
      ['b1', 'accepted', MS],
      ['b1', 'canceled:2', 4 * MS],
    ]);
    expect(fx.ex.account.positionLots).toBe(0);
  });

  it('a fill before the cancel arrives wins: the fill, then too_late_to_cancel', () => {
    const fx = race(3_500);
    expect(log(fx)).toEqual([
      ['b1', 'accepted', MS],
      ['b1', 'fill:2/0', 3_500],
      ['b1', 'cancel_rejected:too_late_to_cancel', 4 * MS],
    ]);
    expect(fx.ex.account.positionLots).toBe(2);
  });

  it('a partial fill before the cancel: the cancel takes what is left', () => {
    const fx = exchangeFixture({ latencyMs: 1 });
    send(fx, 's1', 'sell', 101, 4); // behind 10
    fx.clock.runUntil(3 * MS);
    sendCancel(fx, 's1');
    fx.clock.runUntil(3_500);
    fx.book.asks.set(101, 0);
    fx.ex.onTrade('buy', 101, 12); // 10 ahead, then 2 of ours
    fx.ex.onBookChange();
    fx.clock.runAll();
    expect(log(fx)).toEqual([
      ['s1', 'accepted', MS],
      ['s1', 'fill:2/2', 3_500],
      ['s1', 'canceled:2', 4 * MS],
    ]);
  });

  it('unknown_order for an order never placed, refused, or already canceled', () => {
    const fx = exchangeFixture();
    fx.cancel('never');
    fx.place('r', 'buy', 101, 1); // post-only would cross
    fx.cancel('r');
    fx.place('c', 'buy', 95, 1);
    fx.cancel('c');
    fx.cancel('c');
    expect(log(fx).map(([id, what]) => `${id} ${what}`)).toEqual([
      'never cancel_rejected:unknown_order',
      'r rejected:post_only_would_cross',
      'r cancel_rejected:unknown_order',
      'c accepted',
      'c canceled:1',
      'c cancel_rejected:unknown_order',
    ]);
  });
});

describe('faults', () => {
  it('reject_storm (probability 1) refuses orders and cancels with exchange_overloaded, only inside its window', () => {
    const fx = exchangeFixture({ faults: [{ kind: 'reject_storm', at: S, duration: S, probability: 1 }] });
    placeAt(fx, 500_000, 'a', 'buy', 95, 1);
    placeAt(fx, S, 'b', 'buy', 95, 1);
    cancelAt(fx, 1_500_000, 'a');
    placeAt(fx, 1_999_999, 'c', 'buy', 95, 1);
    placeAt(fx, 2 * S, 'd', 'buy', 95, 1);
    cancelAt(fx, 2 * S, 'a');
    expect(log(fx)).toEqual([
      ['a', 'accepted', 500_000],
      ['b', 'rejected:exchange_overloaded', S],
      ['a', 'cancel_rejected:exchange_overloaded', 1_500_000],
      ['c', 'rejected:exchange_overloaded', 1_999_999],
      ['d', 'accepted', 2 * S],
      ['a', 'canceled:1', 2 * S],
    ]);
    expect(effects(fx)).toEqual({ overloaded: 3 });
  });

  it('ack_loss (probability 1) drops accepted and canceled acks, not fills or rejects', () => {
    const fx = exchangeFixture({ faults: [{ kind: 'ack_loss', at: S, duration: S, probability: 1 }] });
    placeAt(fx, 500_000, 'a', 'buy', 97, 1); // before: acked
    placeAt(fx, S, 'b', 'buy', 100, 2); // ack lost, but b rests
    placeAt(fx, 1_100_000, 'c', 'buy', 101, 1); // rejected: delivered
    cancelAt(fx, 1_200_000, 'a'); // canceled on the venue, the confirmation is lost
    cancelAt(fx, 1_300_000, 'nope'); // cancel reject: delivered
    fx.clock.runUntil(1_400_000);
    fx.level('sell', 100, 5); // crosses b: the fill is delivered
    placeAt(fx, 2 * S, 'd', 'buy', 96, 1); // after: acked
    cancelAt(fx, 2 * S, 'd');
    expect(log(fx)).toEqual([
      ['a', 'accepted', 500_000],
      ['c', 'rejected:post_only_would_cross', 1_100_000],
      ['nope', 'cancel_rejected:unknown_order', 1_300_000],
      ['b', 'fill:2/0', 1_400_000],
      ['d', 'accepted', 2 * S],
      ['d', 'canceled:1', 2 * S],
    ]);
    expect(fx.ex.restingOrders).toBe(0);
    expect(effects(fx)).toEqual({ acks_dropped: 2 });
  });

  it('disconnect drops requests sent or arriving during it and responses and feed sent or arriving during it; nothing after', () => {
    // Latency 1ms each way; the connection is down on [1s, 2s).
    const fx = exchangeFixture({ latencyMs: 1, faults: [{ kind: 'disconnect', at: S, duration: S }] });
    const at = (t: number) => fx.clock.runUntil(t);
    at(500_000);
    send(fx, 'a', 'buy', 100, 1); // arrives 0.501s, ack at 0.502s: all before
    at(998_500);
    send(fx, 'a2', 'buy', 96, 1); // arrives 0.9995s and rests; its ack would reach the bot at 1.0005s: lost
    at(999_500);
    send(fx, 'c', 'buy', 95, 1); // sent before, would arrive at 1.0005s: lost on the way
    at(1_200_000);
    send(fx, 'b', 'buy', 97, 1); // sent during: lost
    at(1_500_000);
    fx.book.asks.set(100, 5); // crosses a: the exchange fills it, the fill and the book update are lost
    fx.ex.onBookChange();
    at(2 * S);
    send(fx, 'e', 'buy', 94, 1); // after: arrives 2.001s, ack at 2.002s
    at(2_500_000);
    fx.book.asks.set(100, 0); // the offer goes back to 101: the update arrives at 2.501s
    fx.ex.onBookChange();
    fx.clock.runAll();

    expect(log(fx)).toEqual([
      ['a', 'accepted', 501_000],
      ['e', 'accepted', 2_001_000],
    ]);
    expect(fx.md.map((m) => [m.exchangeTime, m.askTicks])).toEqual([
      [0, 101],
      [2_500_000, 101],
    ]);
    // The exchange's own view: a filled, a2 and e rest, b and c never arrived.
    expect(fx.ex.stats.orders_received).toBe(3);
    expect(fx.ex.restingSnapshot().map((o) => o.clientId)).toEqual(['a2', 'e']);
    expect(fx.ex.account.positionLots).toBe(1);
    // Lost to the exchange: c (on arrival) and b (at sending); to the bot: a2's ack, a's fill, the book update.
    expect(faultsOf(fx).summary()).toEqual([{ kind: 'disconnect', at_s: 1, duration_s: 1, effects: { dropped_to_exchange: 2, dropped_to_bot: 3 } }]);
  });

  it('latency_spike multiplies the latency of messages sent during it', () => {
    // Latency 1ms each way, x10 on [1s, 2s).
    const fx = exchangeFixture({ latencyMs: 1, faults: [{ kind: 'latency_spike', at: S, duration: S, factor: 10 }] });
    fx.clock.runUntil(500_000);
    send(fx, 'a', 'buy', 95, 1);
    expect(deliveredAt(fx, 1)).toBe(502_000); // 1ms + 1ms
    fx.clock.runUntil(S);
    send(fx, 'b', 'buy', 95, 1);
    expect(deliveredAt(fx, 2)).toBe(1_020_000); // arrives 1.010s (10ms), ack sent during the spike: 10ms more
    fx.clock.runUntil(1_995_000);
    send(fx, 'd', 'buy', 95, 1);
    expect(deliveredAt(fx, 3)).toBe(2_006_000); // arrives 2.005s (10ms); the ack is sent after the spike: 1ms
    fx.clock.runUntil(2_100_000);
    send(fx, 'c', 'buy', 95, 1);
    expect(deliveredAt(fx, 4)).toBe(2_102_000);
    expect(fx.events.map((e) => [e.clientId, e.exchangeTime])).toEqual([
      ['a', 501_000],
      ['b', 1_010_000],
      ['d', 2_005_000],
      ['c', 2_101_000],
    ]);
    // b's order and ack, d's order.
    expect(effects(fx)).toEqual({ messages_slowed: 3 });
  });

  it('feed_freeze suppresses book updates during it; they resume after', () => {
    const fx = exchangeFixture({ faults: [{ kind: 'feed_freeze', at: S, duration: S }] });
    fx.clock.runUntil(500_000);
    fx.level('buy', 99, 12);
    fx.clock.runUntil(1_200_000);
    fx.level('buy', 99, 14);
    fx.clock.runUntil(1_500_000);
    fx.level('sell', 101, 3);
    const during = fx.md.filter((m) => m.exchangeTime >= S && m.exchangeTime < 2 * S);
    expect(during).toEqual([]);
    fx.clock.runUntil(2_500_000);
    fx.level('buy', 99, 15);
    expect(fx.md.map((m) => [m.exchangeTime, m.bidLots, m.askLots])).toEqual([
      [0, 10, 10],
      [500_000, 12, 10],
      [2_500_000, 15, 3], // the current top, including the change made during the freeze
    ]);
    expect(effects(fx)).toEqual({ feed_updates_suppressed: 2 });
    expect(fx.ex.stats.feed_updates).toBe(3);
  });

  it('list_responses answers queries with arrays during its window, mappings keyed by id otherwise; positions reflect fills', () => {
    const fx = exchangeFixture({ faults: [{ kind: 'list_responses', at: S, duration: S }] });
    fx.place('s1', 'sell', 101, 4); // behind 10
    fx.trade('buy', 101, 12); // 10 ahead, 2 of ours: position -2
    const order = { client_id: 's1', symbol: 'T', side: 'sell', price_ticks: 101, qty_lots: 4, leaves_lots: 2 };
    const position = { symbol: 'T', position_lots: -2 };
    const ask = (t: number, kind: 'open_orders' | 'positions', requestId: number) => {
      fx.clock.runUntil(t);
      fx.ex.query({ type: 'query', kind, requestId });
      fx.clock.runAll();
      return fx.answers.at(-1)!;
    };
    expect(ask(500_000, 'open_orders', 1)).toEqual({ type: 'query_result', kind: 'open_orders', requestId: 1, data: { s1: order }, exchangeTime: 500_000 });
    expect(ask(500_000, 'positions', 2).data).toEqual({ T: position });
    expect(ask(S, 'open_orders', 3).data).toEqual([order]);
    expect(ask(1_500_000, 'positions', 4).data).toEqual([position]);
    expect(ask(2 * S, 'open_orders', 5).data).toEqual({ s1: order });
    expect(ask(2 * S, 'positions', 6).data).toEqual({ T: position });
    expect(effects(fx)).toEqual({ list_answers: 2 });
    expect(fx.ex.stats.queries_received).toBe(6);
  });
});

describe('exchange account', () => {
  it('position is the sum of signed fills; cash is minus the signed notional minus fees', () => {
    const fx = exchangeFixture();
    fx.place('s1', 'sell', 101, 4); // behind 10
    fx.trade('buy', 101, 12); // sells 2 @101: +202 USD, fee -0.0202 (rebate)
    fx.place('b1', 'buy', 100, 3);
    fx.level('sell', 100, 5); // the offer crosses b1: buys 3 @100: -300 USD, fee -0.03
    const fills = fx.fills();
    expect(fills.map((f) => [f.clientId, f.side, f.priceTicks, f.qtyLots])).toEqual([
      ['s1', 'sell', 101, 2],
      ['b1', 'buy', 100, 3],
    ]);
    const acct = fx.ex.account;
    expect(acct.positionLots).toBe(-2 + 3);
    expect(acct.filledLots).toBe(5);
    expect(acct.feesUsd).toBeCloseTo(-(202 + 300) / 10_000, 12); // -0.0502
    expect(acct.cashUsd).toBeCloseTo(202 - 300 + 0.0502, 9); // -97.9498
    // The same from the fill events the bot got.
    const signed = (f: (typeof fills)[number]) => (f.side === 'buy' ? 1 : -1);
    expect(acct.positionLots).toBe(fills.reduce((s, f) => s + signed(f) * f.qtyLots, 0));
    expect(acct.cashUsd).toBeCloseTo(fills.reduce((s, f) => s - signed(f) * f.qtyLots * f.priceTicks - f.feeUsd, 0), 9);
    expect(acct.feesUsd).toBeCloseTo(fills.reduce((s, f) => s + f.feeUsd, 0), 12);
  });
});
