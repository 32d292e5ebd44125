import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBybitV2Decoder, parseEpochSecondsToUs } from '../../src/sim/market/replay/bybit-v2-decoder.ts';
import { ReplayDataError } from '../../src/sim/market/replay/replay-message.ts';
import type { BookMessage, ReplayMessage, TradeMessage } from '../../src/sim/market/replay/replay-message.ts';
import { decodeFile, decodeLines, thrownDataError } from '../support/decode.ts';

const REAL = resolve(process.cwd(), '../shared/data/bybit-ws-v2-btcusd-eosusd-20210417.txt');

/** Flat `[price, qty, ...]` onto a price → qty map, quantity 0 deleting. */
function applyLevels(side: Map<number, number>, flat: readonly number[]): void {
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i + 1]! > 0) side.set(flat[i]!, flat[i + 1]!);
    else side.delete(flat[i]!);
  }
}

const books = (out: ReplayMessage[]): BookMessage[] => out.filter((m): m is BookMessage => m.kind === 'book');
const trades = (out: ReplayMessage[]): TradeMessage[] => out.filter((m): m is TradeMessage => m.kind === 'trade');

/** A data line as cryptofeed writes it: `<local epoch seconds>: <raw JSON>`. */
const data = (t: string, json: unknown): string => `${t}: ${JSON.stringify(json)}`;
const lvl = (price: string, side: 'Buy' | 'Sell', size?: number, symbol = 'BTCUSD') => ({
  price,
  symbol,
  id: Math.round(Number(price) * 10_000),
  side,
  ...(size === undefined ? {} : { size }),
});
const snapshot = (t: string, cs: number, e6: number, levels: unknown, symbol = 'BTCUSD') =>
  data(t, { topic: `orderBookL2_25.${symbol}`, type: 'snapshot', data: levels, cross_seq: cs, timestamp_e6: e6 });
const delta = (t: string, cs: number, e6: number, d: { delete?: unknown[]; update?: unknown[]; insert?: unknown[] }, symbol = 'BTCUSD') =>
  data(t, {
    topic: `orderBookL2_25.${symbol}`,
    type: 'delta',
    data: { delete: d.delete ?? [], update: d.update ?? [], insert: d.insert ?? [], transactTimeE6: 0 },
    cross_seq: cs,
    timestamp_e6: e6,
  });

describe('parseEpochSecondsToUs', () => {
  const us = (s: string): number => parseEpochSecondsToUs(s, s.length);
  it('reads seconds with decimals as integer µs exactly (no float multiply)', () => {
    expect(us('1618677786.986287')).toBe(1_618_677_786_986_287);
    expect(us('1618677786.9867148')).toBe(1_618_677_786_986_714); // the 7th digit is below the µs: cut
    expect(us('1618677786.51142')).toBe(1_618_677_786_511_420);
    expect(us('1618677786.5')).toBe(1_618_677_786_500_000);
    expect(us('1618677786')).toBe(1_618_677_786_000_000);
    expect(us('0.000001')).toBe(1);
    // A line of the real file where the float route is a µs off (1618677786.9871309 × 1e6 rounds up to ...131).
    expect(us('1618677786.9871309')).toBe(1_618_677_786_987_130);
    expect(Math.trunc(Number('1618677786.9871309') * 1e6)).toBe(1_618_677_786_987_131);
  });
  it('is NaN for anything else', () => {
    for (const s of ['', '.5', '16186.', '1.2.3', 'abc', '1e9', '-1.5', '1618677786.98x']) expect(us(s)).toBeNaN();
  });
});

describe('Bybit v2 decoder: hand-written lines', () => {
  it('emits the snapshot, resolves deletes and updates by level id, emits trades per element', () => {
    const d = createBybitV2Decoder({ symbol: 'BTCUSD' });
    const out = decodeLines(d, [
      'wss://stream.bybit.com/realtime <-> 1618677785.489609',
      'wss://stream.bybit.com/realtime <- 1618677786.5113149: {"op":"subscribe","args":["trade.BTCUSD"]}',
      data('1618677786.801381', { success: true, ret_msg: '', conn_id: 'x', request: { op: 'subscribe', args: ['trade.BTCUSD'] } }),
      snapshot('1618677786.986486', 100, 1_618_677_785_357_289, [lvl('60591.00', 'Buy', 10), lvl('60591.50', 'Buy', 20), lvl('60592.00', 'Sell', 30), lvl('60592.50', 'Sell', 40)]),
      // delete without price or size (resolved by id), update without price, insert
      delta('1618677786.9866', 101, 1_618_677_785_400_000, {
        delete: [{ symbol: 'BTCUSD', id: 605910000, side: 'Buy' }],
        update: [{ symbol: 'BTCUSD', id: 605920000, side: 'Sell', size: 35 }],
        insert: [lvl('60590.50', 'Buy', 5)],
      }),
      data('1618677816.460866', {
        topic: 'trade.BTCUSD',
        data: [
          { trade_time_ms: 1618677816319, timestamp: '2021-04-17T16:43:36.000Z', symbol: 'BTCUSD', side: 'Sell', size: 97, price: 60622.5, tick_direction: 'MinusTick', trade_id: 'a', cross_seq: 102 },
          { trade_time_ms: 1618677816320, timestamp: '2021-04-17T16:43:36.000Z', symbol: 'BTCUSD', side: 'Buy', size: 3, price: 60623, tick_direction: 'PlusTick', trade_id: 'b', cross_seq: 102 },
        ],
      }),
    ]);
    expect(out).toEqual([
      { kind: 'book', snapshot: true, bids: [60591, 10, 60591.5, 20], asks: [60592, 30, 60592.5, 40], exchangeUs: 1_618_677_785_357_289, localUs: 1_618_677_786_986_486, line: 4 },
      { kind: 'book', snapshot: false, bids: [60591, 0, 60590.5, 5], asks: [60592, 35], exchangeUs: 1_618_677_785_400_000, localUs: 1_618_677_786_986_600, line: 5 },
      { kind: 'trade', aggressor: 'sell', price: 60622.5, qty: 97, exchangeUs: 1_618_677_816_319_000, localUs: 1_618_677_816_460_866, line: 6 },
      { kind: 'trade', aggressor: 'buy', price: 60623, qty: 3, exchangeUs: 1_618_677_816_320_000, localUs: 1_618_677_816_460_866, line: 6 },
    ]);
    expect(d.stats).toEqual({ lines: 6, messages: { snapshot: 1, delta: 1, trade: 2 }, anomalies: { control: { count: 3, first_line: 1 } } });
  });

  it('accepts the {order_book: [...]} snapshot form; an update to quantity 0 deletes; a deleted id is unknown afterwards', () => {
    const d = createBybitV2Decoder({ symbol: 'BTCUSD' });
    const out = decodeLines(d, [
      snapshot('1.0', 1, 1_000_000, { order_book: [lvl('100.00', 'Buy', 1), lvl('100.50', 'Sell', 2)] }),
      delta('2.0', 2, 2_000_000, { update: [{ id: 1_000_000, symbol: 'BTCUSD', side: 'Buy', size: 0 }] }),
      delta('3.0', 3, 3_000_000, { delete: [{ id: 1_000_000, symbol: 'BTCUSD', side: 'Buy' }], update: [{ id: 1_000_000, symbol: 'BTCUSD', side: 'Buy', size: 4 }] }),
    ]);
    expect(books(out).map((m) => [m.snapshot, m.bids, m.asks])).toEqual([
      [true, [100, 1], [100.5, 2]],
      [false, [100, 0], []],
      [false, [], []],
    ]);
    expect(d.stats.anomalies).toEqual({ unknown_level: { count: 2, first_line: 3 } });
  });

  it('an update of an unknown id that carries price and side is counted and applied', () => {
    const d = createBybitV2Decoder({ symbol: 'BTCUSD' });
    const out = decodeLines(d, [snapshot('1.0', 1, 1_000_000, [lvl('100.00', 'Buy', 1)]), delta('2.0', 2, 2_000_000, { update: [lvl('99.50', 'Buy', 7)] })]);
    expect(books(out)[1]!.bids).toEqual([99.5, 7]);
    expect(d.stats.anomalies).toEqual({ unknown_level: { count: 1, first_line: 2 } });
  });

  it('counts a cross_seq that does not increase as out_of_order, other symbols, bad lines and deltas before the snapshot', () => {
    const d = createBybitV2Decoder({ symbol: 'BTCUSD' });
    const out = decodeLines(d, [
      delta('1.0', 5, 1_000_000, { insert: [lvl('1.00', 'Buy', 1)] }), // before any snapshot
      snapshot('1.5', 9, 1_000_000, [lvl('7.943', 'Buy', 1, 'EOSUSD')], 'EOSUSD'),
      snapshot('2.0', 10, 2_000_000, [lvl('100.00', 'Buy', 1), lvl('101.00', 'Sell', 1)]),
      delta('3.0', 12, 3_000_000, { update: [lvl('100.00', 'Buy', 2)] }),
      delta('4.0', 11, 4_000_000, { update: [lvl('100.00', 'Buy', 3)] }), // cross_seq went back
      delta('5.0', 11, 5_000_000, { update: [lvl('100.00', 'Buy', 4)] }), // and repeats
      '',
      '1618677786.9: {"topic":"orderBookL2_25.BTCUSD",',
      'garbage line',
      '16x: {}',
      data('6.0', { topic: 'instrument_info.100ms.BTCUSD', type: 'snapshot', data: {} }),
      data('7.0', { success: false, ret_msg: 'error:topic invalid', request: { op: 'subscribe', args: ['x'] } }),
      data('8.0', { topic: 'trade.BTCUSD', data: [{ trade_time_ms: 8000, symbol: 'BTCUSD', side: 'None', size: 1, price: 100 }] }),
      data('9.0', { topic: 'trade.EOSUSD', data: [{ trade_time_ms: 9000, symbol: 'EOSUSD', side: 'Buy', size: 1, price: 7.9 }] }),
    ]);
    expect(books(out).map((m) => m.line)).toEqual([3, 4, 5, 6]);
    expect(trades(out)).toEqual([]);
    expect(d.stats.messages).toEqual({ delta: 4, snapshot: 1, trade: 1 });
    expect(d.stats.anomalies).toEqual({
      before_snapshot: { count: 1, first_line: 1 },
      other_symbol: { count: 2, first_line: 2 },
      out_of_order: { count: 2, first_line: 5 },
      blank: { count: 1, first_line: 7 },
      malformed: { count: 4, first_line: 8 },
      unknown_message: { count: 1, first_line: 11 },
      control_error: { count: 1, first_line: 12 },
    });
  });

  it('a bad level value in a message of our book is an error at its own line, naming the list, the level and the value', () => {
    const base = snapshot('2.0', 10, 2_000_000, [lvl('100.00', 'Buy', 1), lvl('101.00', 'Sell', 1)]);
    const cases: [string, RegExp][] = [
      [delta('3.0', 11, 3_000_000, { insert: [{ ...lvl('99.50', 'Buy', 1), size: -2 }] }), /insert level 1 quantity -2 is negative/],
      [delta('3.0', 11, 3_000_000, { insert: [{ ...lvl('99.50', 'Buy', 1), price: '0x1' }] }), /insert level 1 price "0x1" is not a decimal number/],
      [delta('3.0', 11, 3_000_000, { update: [lvl('100.00', 'Buy', 1), { ...lvl('101.00', 'Sell', 1), size: 'NaN' }] }), /update level 2 quantity "NaN" is not a decimal number/],
      [delta('3.0', 11, 3_000_000, { insert: [{ ...lvl('99.50', 'Buy', 1), side: 'Bid' }] }), /insert level 1 side "Bid" is not "Buy" or "Sell"/],
      [delta('3.0', 11, 3_000_000, { delete: [{ side: 'Buy' }] }), /delete level 1 has no id/],
      [snapshot('3.0', 11, 3_000_000, [lvl('100.00', 'Buy', 1), { ...lvl('102.00', 'Sell', 1), price: '' }]), /snapshot level 2 price "" is not a decimal number/],
    ];
    for (const [line, detail] of cases) {
      const d = createBybitV2Decoder({ symbol: 'BTCUSD' });
      const err = thrownDataError(() => decodeLines(d, [base, line, delta('4.0', 12, 4_000_000, { update: [lvl('100.00', 'Buy', 3)] })]));
      expect(err.line, line).toBe(2);
      expect(err.detail, line).toMatch(detail);
    }
  });

  it('throws at the end when the symbol had deltas and never a snapshot', () => {
    const d = createBybitV2Decoder({ symbol: 'BTCUSD' });
    let err: unknown;
    try {
      decodeLines(d, ['wss://stream.bybit.com/realtime <-> 1.0', delta('2.0', 1, 1, { insert: [lvl('1.00', 'Buy', 1)] }), delta('3.0', 2, 2, { insert: [lvl('2.00', 'Buy', 1)] })]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ReplayDataError);
    expect((err as ReplayDataError).line).toBe(2);
    expect((err as ReplayDataError).detail).toMatch(/no snapshot/);
  });
});

describe('Bybit v2 decoder: the real cryptofeed recording (BTCUSD + EOSUSD, 2021-04-17)', () => {
  it('BTCUSD: 1 snapshot, 506 deltas, 131 trades; cross_seq increasing; EOSUSD counted as other_symbol', async () => {
    const d = createBybitV2Decoder({ symbol: 'BTCUSD' });
    const out = await decodeFile(d, REAL);
    const bm = books(out);
    const tm = trades(out);
    expect(bm.filter((m) => m.snapshot)).toHaveLength(1);
    expect(bm.filter((m) => !m.snapshot)).toHaveLength(506);
    expect(tm).toHaveLength(131);
    expect(d.stats.lines).toBe(1105);
    expect(d.stats.messages).toEqual({ snapshot: 1, delta: 506, trade: 131 });
    // No out_of_order: cross_seq strictly increases. EOSUSD: 1 snapshot + 510 deltas + 13 trade messages.
    // control: 5 wss:// lines and 4 subscription answers; blank: the file ends with two empty lines.
    expect(d.stats.anomalies).toEqual({
      control: { count: 9, first_line: 1 },
      other_symbol: { count: 524, first_line: 8 },
      blank: { count: 2, first_line: 1104 },
    });
    expect(bm[0]).toMatchObject({ snapshot: true, line: 12, localUs: 1_618_677_786_986_486, exchangeUs: 1_618_677_785_357_289 });
    expect(bm[0]!.bids.length / 2).toBe(25);
    expect(bm[0]!.asks.length / 2).toBe(25);

    // Rebuild the book: 25 x 25 levels, never crossed; every trade prints within one tick (0.5) of the touch.
    const bids = new Map<number, number>();
    const asks = new Map<number, number>();
    let bestBid = 0;
    let bestAsk = Infinity;
    let lastLocal = 0;
    for (const m of out) {
      expect(m.localUs!).toBeGreaterThanOrEqual(lastLocal);
      lastLocal = m.localUs!;
      if (m.kind === 'trade') {
        expect(m.price).toBeGreaterThanOrEqual(bestBid - 0.5);
        expect(m.price).toBeLessThanOrEqual(bestAsk + 0.5);
        continue;
      }
      if (m.kind !== 'book') continue;
      if (m.snapshot) {
        bids.clear();
        asks.clear();
      }
      applyLevels(bids, m.bids);
      applyLevels(asks, m.asks);
      expect(bids.size).toBe(25);
      expect(asks.size).toBe(25);
      bestBid = Math.max(...bids.keys());
      bestAsk = Math.min(...asks.keys());
      expect(bestBid).toBeLessThan(bestAsk);
    }
  });

  it('EOSUSD: 1 snapshot, 510 deltas, 19 trades', async () => {
    const d = createBybitV2Decoder({ symbol: 'EOSUSD' });
    const out = await decodeFile(d, REAL);
    expect(books(out).filter((m) => m.snapshot)).toHaveLength(1);
    expect(books(out).filter((m) => !m.snapshot)).toHaveLength(510);
    expect(trades(out)).toHaveLength(19);
    expect(d.stats.messages).toEqual({ snapshot: 1, delta: 510, trade: 19 });
    // BTCUSD: 1 snapshot + 506 deltas + 63 trade messages.
    expect(d.stats.anomalies).toEqual({
      control: { count: 9, first_line: 1 },
      other_symbol: { count: 570, first_line: 12 },
      blank: { count: 2, first_line: 1104 },
    });
  });
});
