import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBybitOb500Decoder } from '../../src/sim/market/replay/bybit-ob500-decoder.ts';
import { readLineBatches } from '../../src/sim/market/replay/line-source.ts';
import type { BookMessage, ReplayMessage } from '../../src/sim/market/replay/replay-message.ts';
import { decodeLines, thrownDataError } from '../support/decode.ts';

const REAL = resolve(process.cwd(), '../shared/data/bybit-xrpusdt-ob500-20241201.data.zip');

type Lvl = [string, string];
const msg = (type: 'snapshot' | 'delta', u: number, ts: number, b: Lvl[], a: Lvl[], s = 'XRPUSDT'): string =>
  JSON.stringify({ topic: `orderbook.500.${s}`, type, ts, data: { s, b, a, u, seq: 1000 + u }, cts: ts - 3 });

/** Flat `[price, qty, ...]` onto a price → qty map, quantity 0 deleting. */
function applyLevels(side: Map<number, number>, flat: readonly number[]): void {
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i + 1]! > 0) side.set(flat[i]!, flat[i + 1]!);
    else side.delete(flat[i]!);
  }
}

const books = (out: ReplayMessage[]): BookMessage[] => out.filter((m): m is BookMessage => m.kind === 'book');

describe('Bybit ob500 decoder: hand-written lines', () => {
  it('emits the snapshot then each delta as flat levels, quantity 0 kept as a delete', () => {
    const d = createBybitOb500Decoder({ symbol: 'XRPUSDT' });
    const out = decodeLines(d, [
      msg('snapshot', 10, 1_733_011_200_691, [['1.9531', '6203'], ['1.9530', '2409']], [['1.9532', '100']]),
      msg('delta', 11, 1_733_011_200_693, [['1.9531', '0'], ['1.9529', '5']], []),
      msg('delta', 12, 1_733_011_200_790, [], [['1.9532', '0'], ['1.9533', '7.5']]),
    ]);
    expect(out).toEqual([
      { kind: 'book', snapshot: true, bids: [1.9531, 6203, 1.953, 2409], asks: [1.9532, 100], exchangeUs: 1_733_011_200_691_000, localUs: undefined, line: 1 },
      { kind: 'book', snapshot: false, bids: [1.9531, 0, 1.9529, 5], asks: [], exchangeUs: 1_733_011_200_693_000, localUs: undefined, line: 2 },
      { kind: 'book', snapshot: false, bids: [], asks: [1.9532, 0, 1.9533, 7.5], exchangeUs: 1_733_011_200_790_000, localUs: undefined, line: 3 },
    ]);
    expect(d.stats).toEqual({ lines: 3, messages: { snapshot: 1, delta: 2 }, anomalies: {} });
  });

  it('stops at a sequence gap and resyncs at the next snapshot', () => {
    const d = createBybitOb500Decoder({ symbol: 'XRPUSDT' });
    const out = decodeLines(d, [
      msg('snapshot', 10, 1000, [['1.0', '1']], [['1.1', '1']]),
      msg('delta', 11, 1001, [['1.0', '2']], []),
      msg('delta', 13, 1002, [['1.0', '3']], []), // gap: 12 is missing
      msg('delta', 14, 1003, [['1.0', '4']], []),
      msg('snapshot', 20, 1004, [['1.0', '5']], [['1.1', '5']]),
      msg('delta', 21, 1005, [], [['1.1', '6']]),
    ]);
    expect(books(out).map((m) => [m.line, m.snapshot])).toEqual([
      [1, true],
      [2, false],
      [5, true],
      [6, false],
    ]);
    expect(d.stats.anomalies).toEqual({
      sequence_gap: { count: 1, first_line: 3 },
      out_of_sync: { count: 1, first_line: 4 },
      resync: { count: 1, first_line: 5 },
    });
  });

  it('throws at the end when a gap was never followed by a snapshot, naming the gap line', () => {
    const d = createBybitOb500Decoder({ symbol: 'XRPUSDT' });
    const lines = [msg('snapshot', 10, 1000, [['1.0', '1']], []), msg('delta', 11, 1001, [['1.0', '2']], []), msg('delta', 15, 1002, [['1.0', '3']], []), msg('delta', 16, 1003, [], [])];
    const out: ReplayMessage[] = [];
    lines.forEach((l, i) => d.decode(l, i + 1, out));
    expect(out).toHaveLength(2);
    const err = thrownDataError(() => d.end(lines.length, out));
    expect(err.line).toBe(3);
    expect(err.detail).toMatch(/u jumped from 11 to 15/);
    expect(err.inFile('ob.zip').message).toMatch(/^ob\.zip:3: order book sequence gap/);
  });

  it('treats u=1 as a service restart snapshot and skips stale deltas without losing sync', () => {
    const d = createBybitOb500Decoder({ symbol: 'XRPUSDT' });
    const out = decodeLines(d, [
      msg('snapshot', 10, 1000, [['1.0', '1']], []),
      msg('delta', 11, 1001, [['1.0', '2']], []),
      msg('delta', 11, 1002, [['1.0', '2']], []), // the same update again
      msg('delta', 1, 1003, [['2.0', '1']], [['2.1', '1']]), // service restart: a full book
      msg('delta', 2, 1004, [['2.0', '3']], []),
    ]);
    expect(books(out).map((m) => [m.line, m.snapshot])).toEqual([
      [1, true],
      [2, false],
      [4, true],
      [5, false],
    ]);
    expect(d.stats.anomalies).toEqual({ stale_delta: { count: 1, first_line: 3 }, service_restart: { count: 1, first_line: 4 } });
  });

  it('counts deltas before the first snapshot, and throws at the end when no snapshot ever came', () => {
    const d = createBybitOb500Decoder({ symbol: 'XRPUSDT' });
    const out = decodeLines(d, [msg('delta', 9, 999, [['1.0', '1']], []), msg('snapshot', 10, 1000, [['1.0', '1']], []), msg('delta', 11, 1001, [], [])]);
    expect(books(out).map((m) => m.line)).toEqual([2, 3]);
    expect(d.stats.anomalies).toEqual({ before_snapshot: { count: 1, first_line: 1 } });

    const none = createBybitOb500Decoder({ symbol: 'XRPUSDT' });
    const err = thrownDataError(() => decodeLines(none, ['', msg('delta', 9, 999, [['1.0', '1']], []), msg('delta', 10, 1000, [], [])]));
    expect(err.line).toBe(2);
    expect(err.detail).toMatch(/no snapshot/);
    expect(none.stats.anomalies.before_snapshot).toEqual({ count: 2, first_line: 2 });
  });

  it('counts bad lines and other symbols by kind with their first line, never throwing', () => {
    const d = createBybitOb500Decoder({ symbol: 'XRPUSDT' });
    const out = decodeLines(d, [
      '',
      '{"topic":"orderbook.500.XRPUSDT",',
      msg('snapshot', 10, 1000, [['1.0', '1']], [], 'BTCUSDT'),
      JSON.stringify({ topic: 'publicTrade.XRPUSDT', type: 'snapshot', ts: 1, data: [] }),
      msg('snapshot', 10, 1000, [['1.0', '1']], []),
      '{"topic":"orderbook.500.XRPUSDT","type":"delta"', // a cut line: not JSON, counted
      '   ',
      msg('delta', 12, 1002, [['1.0', '1']], [], 'BTCUSDT'),
      msg('snapshot', 20, 1003, [['1.0', '1']], []),
    ]);
    expect(books(out).map((m) => m.line)).toEqual([5, 9]);
    expect(d.stats.anomalies).toEqual({
      blank: { count: 2, first_line: 1 },
      malformed: { count: 2, first_line: 2 },
      other_symbol: { count: 2, first_line: 3 },
      unknown_message: { count: 1, first_line: 4 },
    });
  });

  it('a bad value in a message of our book is an error at its own line, naming the level and the value', () => {
    const cases: [Lvl, RegExp][] = [
      [["1.0", "-5"], /b \(bids\) level 2 quantity "-5" is negative/],
      [['1.0', 'NaN'], /quantity "NaN" is not a decimal number/],
      [['0x1', '1'], /price "0x1" is not a decimal number/],
      [['1.0.0', '1'], /price "1.0.0" is not a decimal number/],
      [['0', '1'], /price "0" is not positive/],
      [['1.0', ''], /quantity "" is not a decimal number/],
    ];
    for (const [level, detail] of cases) {
      const d = createBybitOb500Decoder({ symbol: 'XRPUSDT' });
      const lines = [msg('snapshot', 10, 1000, [['1.0', '1']], []), msg('delta', 11, 1001, [['1.1', '2'], level], []), msg('delta', 12, 1002, [['1.0', '2']], [])];
      const err = thrownDataError(() => decodeLines(d, lines));
      expect(err.line, String(level)).toBe(2);
      expect(err.detail, String(level)).toMatch(detail);
    }
    // A level that is not a pair, on the ask side of a snapshot.
    const d = createBybitOb500Decoder({ symbol: 'XRPUSDT' });
    const bad = JSON.stringify({ topic: 'orderbook.500.XRPUSDT', type: 'snapshot', ts: 1, data: { s: 'XRPUSDT', b: [], a: [['1.0']], u: 5, seq: 1 } });
    const err = thrownDataError(() => decodeLines(d, ['', bad]));
    expect([err.line, err.detail]).toEqual([2, 'order book snapshot: a (asks) level 1 is not a [price, size] pair: ["1.0"]']);
  });
});

describe('Bybit ob500 decoder: the real XRPUSDT archive (nautilus_trader test data)', () => {
  it('decodes 1 snapshot (500 x 500) and 49 contiguous deltas with 2,966 level changes and no anomaly', async () => {
    const d = createBybitOb500Decoder({ symbol: 'XRPUSDT' });
    const out: ReplayMessage[] = [];
    let line = 0;
    for await (const batch of readLineBatches(REAL)) for (const text of batch) d.decode(text, ++line, out);
    d.end(line, out);

    expect(line).toBe(50);
    expect(d.stats).toEqual({ lines: 50, messages: { snapshot: 1, delta: 49 }, anomalies: {} });
    const bm = books(out);
    expect(bm).toHaveLength(50);
    expect(bm[0]!.snapshot).toBe(true);
    expect(bm[0]!.bids.length / 2).toBe(500);
    expect(bm[0]!.asks.length / 2).toBe(500);
    expect(bm.slice(1).every((m) => !m.snapshot)).toBe(true);
    const changes = bm.slice(1).reduce((n, m) => n + (m.bids.length + m.asks.length) / 2, 0);
    expect(changes).toBe(2966);
    // No gap and no stale delta: u ran 20254869..20254918 without a hole (else sequence_gap/stale_delta).
    expect(bm[0]!.exchangeUs).toBe(1_733_011_200_691_000);
    expect(bm[49]!.exchangeUs).toBe(1_733_011_205_490_000);
    expect(bm.every((m) => m.localUs === undefined)).toBe(true);
    for (let i = 1; i < bm.length; i++) expect(bm[i]!.line).toBe(i + 1);

    // Rebuild the book: it never crosses and ends at 1.9537 / 1.9538 (SOURCES.md).
    const bids = new Map<number, number>();
    const asks = new Map<number, number>();
    for (const m of bm) {
      if (m.snapshot) {
        bids.clear();
        asks.clear();
      }
      applyLevels(bids, m.bids);
      applyLevels(asks, m.asks);
      expect(Math.max(...bids.keys())).toBeLessThan(Math.min(...asks.keys()));
    }
    expect(Math.max(...bids.keys())).toBe(1.9537);
    expect(Math.min(...asks.keys())).toBe(1.9538);
  });
});
