// ReplayMarket: recorded messages on the virtual clock. Hand-made recordings, a listener that logs what
// the venue would see, and a stand-in for the bot that schedules its own callbacks at the same times.
import { describe, expect, it } from 'vitest';
import type { Side } from '../../src/core/types.ts';
import { OrderBook } from '../../src/sim/exchange/order-book.ts';
import { RecordedFeedLatency, ReplayMarket } from '../../src/sim/market/replay/replay-market.ts';
import type { ReplayMarketConfig } from '../../src/sim/market/replay/replay-market.ts';
import { ReplayDataError, newDecoderStats } from '../../src/sim/market/replay/replay-message.ts';
import type { ReplayMessage } from '../../src/sim/market/replay/replay-message.ts';
import type { ReplaySource } from '../../src/sim/market/replay/replay-source.ts';
import { VirtualClock } from '../../src/sim/clock/virtual-clock.ts';
import { driveReplay } from '../support/replay-drive.ts';

const T0 = 1_700_000_000_000_000;
const book = (line: number, ms: number, bids: number[], asks: number[], snapshot = false, localMs?: number): ReplayMessage => ({
  kind: 'book',
  line,
  exchangeUs: T0 + ms * 1000,
  localUs: localMs === undefined ? undefined : T0 + localMs * 1000,
  snapshot,
  bids,
  asks,
});
const trade = (line: number, ms: number, aggressor: Side, price: number, qty: number): ReplayMessage => ({
  kind: 'trade',
  line,
  exchangeUs: T0 + ms * 1000,
  localUs: undefined,
  aggressor,
  price,
  qty,
});

/** A source handing out the messages in batches of `size`. */
function source(messages: ReplayMessage[], size: number): ReplaySource & { closed: boolean } {
  let at = 0;
  const s = {
    closed: false,
    files: [{ path: 'mem', stats: newDecoderStats() }],
    fileOf: () => 'mem',
    next: async () => {
      if (at >= messages.length) return undefined;
      const b = messages.slice(at, at + size);
      at += size;
      return b;
    },
    close: async () => {
      s.closed = true;
    },
  };
  return s;
}

const config = (over: Partial<ReplayMarketConfig> = {}): ReplayMarketConfig => ({
  instrument: { symbol: 'X', tickSize: 0.5, lotSize: 0.1 },
  durationUs: undefined,
  recordedLatency: undefined,
  recordedBaseUs: 0,
  contractSize: undefined,
  ...over,
});

/** Runs a recording as the runner does (read, run to the horizon, read more) and logs every callback. */
async function run(messages: ReplayMessage[], batch: number, over: Partial<ReplayMarketConfig> = {}) {
  const clock = new VirtualClock({ start: 0 });
  const ob = new OrderBook();
  const log: string[] = [];
  const src = source(messages, batch);
  const market = new ReplayMarket(
    clock,
    ob,
    config(over),
    src,
    {
      onTrade: (side, price, qty) => log.push(`${clock.now()} trade ${side} ${price} ${qty}`),
      onBookChange: () => {
        log.push(`${clock.now()} book ${ob.bestBid()}/${ob.bestAsk()}`);
        // The bot reacts at the same instant and a little later, interleaving with the recording.
        clock.schedule(clock.now(), () => log.push(`${clock.now()} bot now`));
        clock.schedule(clock.now() + 1500, () => log.push(`${clock.now()} bot later`));
      },
    },
  );
  await driveReplay(clock, market);
  return { log, market, book: ob, src };
}

const recording = (): ReplayMessage[] => [
  book(1, 0, [100, 1, 99.5, 2], [100.5, 3], true),
  trade(2, 1, 'buy', 100.5, 0.2),
  book(3, 1, [], [100.5, 2.8]),
  book(4, 1, [100, 0], []),
  trade(5, 3, 'sell', 99.5, 0.5),
  trade(6, 2, 'sell', 99.5, 0.1), // a trade stamped before the one before it
  book(7, 2, [99.5, 1.4], []), // the book's own stream is in order, but behind the trades
  book(8, 5, [101, 1], [101.5, 1]),
];

describe('ReplayMarket', () => {
  it('runs identically whatever the batch size and read-ahead (no batching artefacts in the order of callbacks)', async () => {
    const base = await run(recording(), 100);
    for (const [batch, readAhead] of [
      [1, 1],
      [2, 1],
      [3, 2],
      [1, 5],
    ] as const) {
      const r = await run(recording(), batch, { readAhead });
      expect(r.log).toEqual(base.log);
    }
    expect(base.log[0]).toBe('0 book 200/201');
    expect(base.log).toContain('1000 trade buy 201 2');
  });

  it('puts lines read out of order within the reorder window in place: (time, trade before book, read order)', async () => {
    const { market, log } = await run(recording(), 100);
    // line 6 (trade, 2 ms) and line 7 (book, 2 ms) were read after line 5 (3 ms): they run at 2 ms, trade first.
    const at = (entry: string): number => log.indexOf(entry);
    expect(at('2000 trade sell 199 1')).toBeGreaterThan(-1);
    expect(at('2000 trade sell 199 1')).toBeLessThan(at('2000 book 199/201'));
    expect(at('2000 book 199/201')).toBeLessThan(at('3000 trade sell 199 5'));
    // The trade at 1 ms runs before the two diffs stamped 1 ms read after it (a trade is in the diff at its time).
    expect(at('1000 trade buy 201 2')).toBeLessThan(at('1000 book 200/201'));
    expect(market.stats.out_of_order).toEqual({ book: 0, trade: 1, ticker: 0 });
    expect(market.stats.time_reordered).toBe(2);
    expect(market.stats.time_clamped).toEqual({ count: 0, max_us: 0 });
    expect(market.endUs).toBe(5000);
  });

  it('with no reorder window, keeps file order and clamps a line stamped before an earlier one, counting it', async () => {
    const { market, log } = await run(recording(), 100, { reorderWindowUs: 0 });
    // line 6 (2 ms) after line 5 (3 ms): run at 3 ms; line 7 (2 ms) too.
    expect(log).toContain('3000 trade sell 199 1');
    expect(log).toContain('3000 book 199/201');
    expect(market.stats.out_of_order).toEqual({ book: 0, trade: 1, ticker: 0 });
    expect(market.stats.time_clamped).toEqual({ count: 2, max_us: 1000 });
    expect(market.endUs).toBe(5000);
  });

  it('a window of 0.5 ms orders what is late by less and clamps what is late by more', async () => {
    // Line 3 (3 ms) releases line 2 (2 ms); line 4 (1.5 ms) comes 1.5 ms late, beyond the window, and after a
    // later line already ran: clamped to 2 ms (0.5 ms late). Within the window nothing is clamped.
    const far = await run([book(1, 0, [100, 1], [100.5, 3], true), trade(2, 2, 'buy', 100.5, 0.1), trade(3, 3, 'buy', 100.5, 0.1), trade(4, 1.5, 'buy', 100.5, 0.1)], 1, {
      reorderWindowUs: 500,
    });
    expect(far.market.stats.time_clamped).toEqual({ count: 1, max_us: 500 });
    expect(far.log.filter((l) => l.includes('trade')).map((l) => l.split(' ')[0])).toEqual(['2000', '2000', '3000']);
    const near = await run([book(1, 0, [100, 1], [100.5, 3], true), trade(2, 1, 'buy', 100.5, 0.1), trade(3, 0.8, 'buy', 100.5, 0.1), book(4, 3, [100, 2], [])], 1, {
      reorderWindowUs: 500,
    });
    expect(near.market.stats.time_clamped.count).toBe(0);
    expect(near.market.stats.time_reordered).toBe(1);
    expect(near.log.filter((l) => l.includes('trade')).map((l) => l.split(' ')[0])).toEqual(['800', '1000']);
  });

  it('converts prices to ticks and sizes to lots; quote-currency sizes are divided by the price', async () => {
    const { book: b } = await run([book(1, 0, [100, 1], [100.5, 2], true)], 10);
    expect(b.bids.qtyAt(200)).toBe(10);
    const q = await run([book(1, 0, [100, 50], [100.5, 201], true)], 10, { contractSize: 1 });
    expect(q.book.bids.qtyAt(200)).toBeCloseTo(5, 9); // 50 USD / 100 = 0.5 = 5 lots of 0.1
    expect(q.book.asks.qtyAt(201)).toBeCloseTo(20, 9);
  });

  it('stops with the line when a price is off the instrument tick grid', async () => {
    const err = await run([book(1, 0, [100, 1], [100.5, 2], true), book(2, 1, [100.2, 1], [])], 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplayDataError);
    expect((err as ReplayDataError).line).toBe(2);
    expect((err as Error).message).toMatch(/price 100.2 is not a multiple of instrument.tick_size 0.5/);
  });

  it('counts a crossed book with its first line and goes on', async () => {
    const { market } = await run([book(1, 0, [100, 1], [100.5, 2], true), book(2, 1, [101, 1], []), book(3, 2, [101, 0], []), book(4, 3, [102, 1], [])], 10);
    expect(market.stats.crossed_books).toEqual({ count: 2, first_line: 2 });
  });

  it('with a duration, stops reading once a line beyond it and the reorder window is read, and closes the source', async () => {
    const { market, log, src } = await run(recording(), 1, { durationUs: 2000, reorderWindowUs: 1000 });
    expect(market.endUs).toBe(2000);
    expect(src.closed).toBe(true);
    expect(log.some((l) => l.includes('book 101') || l.startsWith('5000'))).toBe(false);
  });

  it('recorded feed latency: receive minus exchange time, less the smallest difference so far, plus the base', async () => {
    const lat = new RecordedFeedLatency();
    const seen: number[] = [];
    const clock = new VirtualClock({ start: 0 });
    const ob = new OrderBook();
    // The recorder's clock runs ~1.27 s behind: local - exchange is -1265, -1262, -1268 and -1250 ms.
    const msgs = [
      book(1, 0, [100, 1], [100.5, 1], true, 0 - 1265),
      book(2, 10, [100, 2], [], false, 10 - 1262),
      book(3, 20, [100, 3], [], false, 20 - 1268),
      book(4, 30, [100, 4], [], false, 30 - 1250),
    ];
    const market = new ReplayMarket(clock, ob, config({ recordedLatency: lat, recordedBaseUs: 500 }), source(msgs, 10), {
      onTrade: () => {},
      onBookChange: () => seen.push(lat.sample()),
    });
    await market.fill();
    market.start();
    clock.runUntil(market.horizon());
    expect(seen).toEqual([500, 3500, 500, 18_500]);
    expect(market.stats.recorder_offset_us).toBe(-1_268_000);
  });
});
