import { describe, it, expect } from 'vitest';
import { createBinanceDecoder, localTimeUs, parseLevels } from '../../src/sim/market/replay/binance-decoder.ts';
import type { BinanceDecoderOptions } from '../../src/sim/market/replay/binance-decoder.ts';
import { ReplayDataError } from '../../src/sim/market/replay/replay-message.ts';
import type { BookMessage, LineDecoder, ReplayMessage, TickerMessage, TradeMessage } from '../../src/sim/market/replay/replay-message.ts';

// Hand-written Binance lines. Local times are ns strings: T0 ms plus an offset; exchange times E are ms.
const T0 = 1_723_161_255_000n;
const ns = (ms: number): string => ((T0 + BigInt(ms)) * 1_000_000n + 123n).toString();
const us = (ms: number): number => Number(T0) * 1000 + ms * 1000;
const E0 = 1_723_161_256_000;

type Lv = [string, string][];
interface DiffSpec {
  U: number;
  u: number;
  pu?: number;
  E: number;
  b?: Lv;
  a?: Lv;
  s?: string;
}

/** A futures diff (with pu) in a combined-stream wrapper. */
const fut = (d: DiffSpec): string =>
  JSON.stringify({
    stream: 'btcusdt@depth@0ms',
    data: { e: 'depthUpdate', E: d.E, T: d.E - 1, s: d.s ?? 'BTCUSDT', U: d.U, u: d.u, pu: d.pu, b: d.b ?? [], a: d.a ?? [] },
  });
/** A spot diff (no pu, no T), raw event. */
const spot = (d: DiffSpec): string => JSON.stringify({ e: 'depthUpdate', E: d.E, s: d.s ?? 'BTCUSDT', U: d.U, u: d.u, b: d.b ?? [], a: d.a ?? [] });
const snap = (lastUpdateId: number, E?: number, bids: Lv = [['100.0', '1']], asks: Lv = [['101.0', '2']]): string =>
  JSON.stringify(E === undefined ? { lastUpdateId, bids, asks } : { lastUpdateId, E, T: E - 3, bids, asks });
const at = (ms: number, json: string): string => `${ns(ms)} ${json}`;

interface Run {
  out: ReplayMessage[];
  books: BookMessage[];
  decoder: LineDecoder;
  /** What end() threw, if anything. */
  endError: unknown;
}

function run(lines: string[], options: BinanceDecoderOptions = { market: 'usdm', symbol: 'btcusdt' }): Run {
  const decoder = createBinanceDecoder(options);
  const out: ReplayMessage[] = [];
  lines.forEach((text, i) => decoder.decode(text, i + 1, out));
  let endError: unknown;
  try {
    decoder.end(lines.length, out);
  } catch (e) {
    endError = e;
  }
  return { out, books: out.filter((m): m is BookMessage => m.kind === 'book'), decoder, endError };
}

const bookLines = (r: Run): number[] => r.books.map((b) => b.line);

describe('Binance futures book sync (pu chain)', () => {
  // Snapshot lastUpdateId 100. Line 1 is older than it (u < 100), line 2 bridges it (U <= 100 <= u).
  const before = [
    at(0, fut({ U: 80, u: 90, pu: 79, E: E0 + 0, b: [['99.0', '5']] })),
    at(10, fut({ U: 91, u: 104, pu: 90, E: E0 + 10, b: [['99.5', '1']] })),
    at(15, JSON.stringify({ stream: 'btcusdt@trade', data: { e: 'trade', E: E0 + 15, T: E0 + 15, s: 'BTCUSDT', t: 1, p: '100.5', q: '0.5', X: 'MARKET', m: true } })),
  ];
  const snapshotLine = at(20, snap(100, E0 + 8, [['100.0', '1'], ['99.9', '3']], [['101.0', '2']]));

  it('buffers diffs before the snapshot, drops those older than it, applies from the bridging diff on', () => {
    const r = run([
      ...before,
      snapshotLine, // line 4
      at(30, fut({ U: 105, u: 110, pu: 104, E: E0 + 30, a: [['101.0', '0']] })),
      at(40, fut({ U: 111, u: 120, pu: 110, E: E0 + 40 })),
    ]);
    expect(r.endError).toBeUndefined();
    // Nothing of the book before the snapshot; the trade is passed on when read.
    expect(r.out[0]!.kind).toBe('trade');
    expect(bookLines(r)).toEqual([4, 2, 5, 6]);
    const [s, bridged, c, d] = r.books as [BookMessage, BookMessage, BookMessage, BookMessage];
    expect(s).toMatchObject({ snapshot: true, bids: [100, 1, 99.9, 3], asks: [101, 2], exchangeUs: (E0 + 8) * 1000, localUs: us(20) });
    // The buffered diff keeps its line but takes the snapshot's times: the local book starts at the snapshot.
    expect(bridged).toMatchObject({ snapshot: false, bids: [99.5, 1], asks: [], exchangeUs: (E0 + 8) * 1000, localUs: us(20) });
    expect(c).toMatchObject({ snapshot: false, asks: [101, 0], exchangeUs: (E0 + 30) * 1000, localUs: us(30) });
    expect(d.exchangeUs).toBe((E0 + 40) * 1000);
    expect(r.decoder.stats.anomalies).toEqual({ stale_diff: { count: 1, first_line: 1 } });
    expect(r.decoder.stats.messages).toEqual({ depth: 4, trade: 1, snapshot: 1 });
  });

  it('keeps a diff whose u equals lastUpdateId (futures drop only u < lastUpdateId)', () => {
    const r = run([at(0, fut({ U: 95, u: 100, pu: 94, E: E0 })), at(5, snap(100, E0)), at(10, fut({ U: 101, u: 105, pu: 100, E: E0 + 10 }))]);
    expect(bookLines(r)).toEqual([2, 1, 3]);
    expect(r.decoder.stats.anomalies).toEqual({});
  });

  it('waits for a bridging diff when the snapshot is newer than every buffered diff; that diff keeps its own times', () => {
    const r = run([at(0, fut({ U: 80, u: 90, pu: 79, E: E0 })), at(5, snap(100, E0 + 4)), at(10, fut({ U: 91, u: 104, pu: 90, E: E0 + 10 }))]);
    expect(bookLines(r)).toEqual([2, 3]);
    expect(r.books[1]).toMatchObject({ exchangeUs: (E0 + 10) * 1000, localUs: us(10) });
    expect(r.decoder.stats.anomalies).toEqual({ stale_diff: { count: 1, first_line: 1 } });
  });

  it('a snapshot older than the earliest buffered diff is counted snapshot_too_old; the next snapshot syncs', () => {
    const r = run([
      at(0, fut({ U: 96, u: 104, pu: 95, E: E0 })),
      at(5, snap(50, E0 + 1)), // U 96 > 50: the updates 51..95 are missing
      at(10, fut({ U: 105, u: 110, pu: 104, E: E0 + 10 })),
      at(20, snap(107, E0 + 15)),
      at(30, fut({ U: 111, u: 115, pu: 110, E: E0 + 30 })),
    ]);
    expect(r.endError).toBeUndefined();
    expect(bookLines(r)).toEqual([4, 3, 5]);
    expect(r.decoder.stats.anomalies).toEqual({
      snapshot_too_old: { count: 1, first_line: 2 },
      stale_diff: { count: 1, first_line: 1 },
    });
  });

  it('a deliberate gap (pu != previous u) stops book messages; a later snapshot resyncs', () => {
    const r = run([
      ...before,
      snapshotLine, // 4
      at(30, fut({ U: 105, u: 110, pu: 104, E: E0 + 30 })), // 5 applied
      at(40, fut({ U: 115, u: 120, pu: 114, E: E0 + 40 })), // 6 GAP: 111..114 missing
      at(50, fut({ U: 121, u: 130, pu: 120, E: E0 + 50 })), // 7 buffered
      at(55, fut({ U: 131, u: 140, pu: 130, E: E0 + 55 })), // 8 buffered
      at(60, snap(135, E0 + 52)), // 9 resync: 7 is stale, 8 bridges
      at(70, fut({ U: 141, u: 150, pu: 140, E: E0 + 70 })), // 10
    ]);
    expect(r.endError).toBeUndefined();
    expect(bookLines(r)).toEqual([4, 2, 5, 9, 8, 10]);
    expect(r.books.map((b) => b.snapshot)).toEqual([true, false, false, true, false, false]);
    const a = r.decoder.stats.anomalies;
    expect(a.sequence_gap).toEqual({ count: 1, first_line: 6 });
    expect(a.resync).toEqual({ count: 1, first_line: 9 });
    expect(a.stale_diff).toEqual({ count: 3, first_line: 1 }); // lines 1, 6 and 7 (6 and 7 are older than snapshot 135)
    for (let i = 1; i < r.books.length; i++) expect(r.books[i]!.exchangeUs).toBeGreaterThanOrEqual(r.books[i - 1]!.exchangeUs);
  });

  it('a gap with no later snapshot: end() throws ReplayDataError naming the gap line', () => {
    const r = run([
      ...before,
      snapshotLine,
      at(30, fut({ U: 105, u: 110, pu: 104, E: E0 + 30 })),
      at(40, fut({ U: 115, u: 120, pu: 114, E: E0 + 40 })), // 6: gap
      at(50, fut({ U: 121, u: 130, pu: 120, E: E0 + 50 })),
    ]);
    expect(bookLines(r)).toEqual([4, 2, 5]);
    expect(r.endError).toBeInstanceOf(ReplayDataError);
    const err = r.endError as ReplayDataError;
    expect(err.line).toBe(6);
    expect(err.detail).toBe('sequence gap: pu 114 != previous u 110; the file has no later snapshot to resync from');
  });

  it('a gap among the buffered diffs applied at sync is caught too', () => {
    const r = run([
      at(0, fut({ U: 91, u: 104, pu: 90, E: E0 })),
      at(5, fut({ U: 108, u: 112, pu: 107, E: E0 + 5 })), // 2: pu 107 != 104
      at(10, snap(100, E0 + 1)),
    ]);
    expect(bookLines(r)).toEqual([3, 1]);
    expect(r.decoder.stats.anomalies.sequence_gap).toEqual({ count: 1, first_line: 2 });
    expect((r.endError as ReplayDataError).line).toBe(2);
  });

  it('ignores a repeated diff (u <= previous u) as stale instead of calling it a gap', () => {
    const r = run([
      at(0, fut({ U: 91, u: 104, pu: 90, E: E0 })),
      at(5, snap(100, E0)),
      at(10, fut({ U: 105, u: 110, pu: 104, E: E0 + 10 })),
      at(11, fut({ U: 105, u: 110, pu: 104, E: E0 + 10 })), // 4: the same event again
      at(20, fut({ U: 111, u: 115, pu: 110, E: E0 + 20 })),
    ]);
    expect(bookLines(r)).toEqual([2, 1, 3, 5]);
    expect(r.decoder.stats.anomalies).toEqual({ stale_diff: { count: 1, first_line: 4 } });
  });

  it('a file that never syncs: end() throws naming the first diff', () => {
    const noSnapshot = run(['{"result":null,"id":1}', at(0, fut({ U: 91, u: 104, pu: 90, E: E0 })), at(5, fut({ U: 105, u: 110, pu: 104, E: E0 + 5 }))]);
    expect(noSnapshot.books).toEqual([]);
    expect(noSnapshot.endError).toBeInstanceOf(ReplayDataError);
    expect((noSnapshot.endError as ReplayDataError).line).toBe(2);
    expect((noSnapshot.endError as ReplayDataError).detail).toMatch(/^no usable depth snapshot: the file has no REST depth snapshot/);

    const tooOld = run([at(0, fut({ U: 96, u: 104, pu: 95, E: E0 })), at(5, snap(50, E0))]);
    expect((tooOld.endError as ReplayDataError).detail).toMatch(/^no usable depth snapshot: 1 snapshot\(s\) older than/);

    const empty = run(['{"result":null,"id":1}']);
    expect((empty.endError as ReplayDataError).line).toBe(1);
    expect((empty.endError as ReplayDataError).detail).toMatch(/no usable depth snapshot/);
  });

  it('bounds the pre-sync buffer, dropping the oldest diffs (buffer_overflow)', () => {
    const lines: string[] = [];
    for (let k = 0; k < 10; k++) lines.push(at(k, fut({ U: 10 * k + 1, u: 10 * k + 10, pu: 10 * k, E: E0 + k })));
    lines.push(at(20, snap(75, E0 + 20))); // bridged by the diff 71..80 (line 8)
    const r = run(lines, { market: 'usdm', symbol: 'BTCUSDT', maxBufferedDiffs: 4 });
    expect(r.decoder.stats.anomalies.buffer_overflow).toEqual({ count: 6, first_line: 1 });
    expect(r.decoder.stats.anomalies.stale_diff).toEqual({ count: 1, first_line: 7 });
    expect(bookLines(r)).toEqual([11, 8, 9, 10]);
  });

  it('holds a diff stamped before the snapshot it follows at the book time (book times never go backwards)', () => {
    const r = run([at(0, fut({ U: 91, u: 104, pu: 90, E: E0 })), at(5, snap(100, E0 + 50)), at(10, fut({ U: 105, u: 110, pu: 104, E: E0 + 20 }))]);
    expect(r.books.map((b) => b.exchangeUs)).toEqual([(E0 + 50) * 1000, (E0 + 50) * 1000, (E0 + 50) * 1000]);
    expect(r.decoder.stats.anomalies.book_time_clamped).toEqual({ count: 1, first_line: 3 });
  });

  it('COIN-M follows the same pu rules', () => {
    const r = run(
      [
        at(0, fut({ U: 91, u: 104, pu: 90, E: E0, s: 'BTCUSD_PERP' })),
        at(5, snap(100, E0)),
        at(10, fut({ U: 106, u: 110, pu: 105, E: E0 + 10, s: 'BTCUSD_PERP' })),
      ],
      { market: 'coinm', symbol: 'btcusd_perp' },
    );
    expect(r.decoder.stats.anomalies.sequence_gap).toEqual({ count: 1, first_line: 3 });
    expect((r.endError as ReplayDataError).detail).toBe('sequence gap: pu 105 != previous u 104; the file has no later snapshot to resync from');
  });
});

describe('Binance spot book sync (U == previous u + 1)', () => {
  const opts: BinanceDecoderOptions = { market: 'spot', symbol: 'BTCUSDT' };

  it('drops u <= lastUpdateId, applies from U <= lastUpdateId + 1 <= u, then a contiguous chain', () => {
    const r = run(
      [
        at(0, spot({ U: 81, u: 90, E: E0 })), // stale
        at(5, spot({ U: 91, u: 100, E: E0 + 5 })), // u == lastUpdateId: stale on spot
        at(10, spot({ U: 101, u: 110, E: E0 + 10, b: [['99.0', '4']] })), // first: 101 <= 101 <= 110
        at(20, snap(100)), // spot snapshots have no E: placed by receive time and update id (below)
        at(30, spot({ U: 111, u: 120, E: E0 + 30 })),
        at(40, spot({ U: 121, u: 125, E: E0 + 40 })),
      ],
      opts,
    );
    expect(r.endError).toBeUndefined();
    expect(bookLines(r)).toEqual([4, 3, 5, 6]);
    // The recorder's clock runs 1 s behind (local - E = -1000 ms on every diff): the snapshot received at
    // local 20 ms is E0 + 20 ms on the exchange's clock, but its book (update 100) precedes the diff that
    // continues it (101..110, stamped E0 + 10): it is placed at E0 + 10, untimed (no clock-offset sample).
    expect(r.books[0]).toMatchObject({ snapshot: true, exchangeUs: (E0 + 10) * 1000, localUs: us(20), seq: 100, untimed: true });
    expect(r.books[1]).toMatchObject({ bids: [99, 4], exchangeUs: (E0 + 10) * 1000, localUs: us(20), seq: 110 });
    expect(r.decoder.stats.anomalies).toEqual({ stale_diff: { count: 2, first_line: 1 } });
  });

  it('a snapshot without E or local time takes the last diff E', () => {
    const r = run([spot({ U: 101, u: 110, E: E0 + 10 }), snap(100), spot({ U: 111, u: 120, E: E0 + 30 })], opts);
    expect(r.books.map((b) => [b.line, b.exchangeUs, b.localUs])).toEqual([
      [2, (E0 + 10) * 1000, undefined],
      [1, (E0 + 10) * 1000, undefined],
      [3, (E0 + 30) * 1000, undefined],
    ]);
  });

  it('a spot snapshot too old (U > lastUpdateId + 1) waits for the next one', () => {
    const r = run([at(0, spot({ U: 102, u: 110, E: E0 })), at(5, snap(100)), at(10, snap(105)), at(20, spot({ U: 111, u: 115, E: E0 + 20 }))], opts);
    expect(r.decoder.stats.anomalies.snapshot_too_old).toEqual({ count: 1, first_line: 2 });
    expect(bookLines(r)).toEqual([3, 1, 4]);
  });

  it('a deliberate gap (U != previous u + 1) with a later snapshot: resync', () => {
    const r = run(
      [
        at(0, spot({ U: 101, u: 110, E: E0 })),
        at(5, snap(100)), // 2
        at(10, spot({ U: 111, u: 120, E: E0 + 10 })), // 3
        at(20, spot({ U: 123, u: 130, E: E0 + 20 })), // 4 GAP: 121, 122 missing
        at(30, spot({ U: 131, u: 140, E: E0 + 30 })), // 5 buffered
        at(35, snap(134)), // 6: 4 is stale, 5 bridges (131 <= 135 <= 140)
        at(40, spot({ U: 141, u: 150, E: E0 + 40 })), // 7
      ],
      opts,
    );
    expect(r.endError).toBeUndefined();
    expect(bookLines(r)).toEqual([2, 1, 3, 6, 5, 7]);
    expect(r.decoder.stats.anomalies.sequence_gap).toEqual({ count: 1, first_line: 4 });
    expect(r.decoder.stats.anomalies.resync).toEqual({ count: 1, first_line: 6 });
  });

  it('a deliberate gap with no later snapshot: end() throws naming the gap line', () => {
    const r = run([at(0, spot({ U: 101, u: 110, E: E0 })), at(5, snap(100)), at(10, spot({ U: 111, u: 120, E: E0 + 10 })), at(20, spot({ U: 123, u: 130, E: E0 + 20 }))], opts);
    expect(r.endError).toBeInstanceOf(ReplayDataError);
    expect((r.endError as ReplayDataError).line).toBe(4);
    expect((r.endError as ReplayDataError).detail).toBe('sequence gap: U 123 != previous u + 1 (121); the file has no later snapshot to resync from');
  });

  it('ignores u <= the local update id; applies an overlapping diff (U <= local + 1 <= u), as Binance documents', () => {
    const r = run(
      [
        at(0, spot({ U: 101, u: 110, E: E0 })),
        at(5, snap(100)),
        at(10, spot({ U: 105, u: 110, E: E0 + 10 })), // 3: all already applied
        at(20, spot({ U: 108, u: 115, E: E0 + 20 })), // 4: overlaps, brings 111..115
        at(30, spot({ U: 116, u: 120, E: E0 + 30 })),
      ],
      opts,
    );
    expect(r.endError).toBeUndefined();
    expect(bookLines(r)).toEqual([2, 1, 4, 5]);
    expect(r.decoder.stats.anomalies).toEqual({ stale_diff: { count: 1, first_line: 3 } });
  });

  it('spot bookTicker has no times: placed by update id among the diffs and by corrected receive time; unplaceable ones are counted', () => {
    const t = (u: number): string => JSON.stringify({ stream: 'btcusdt@bookTicker', data: { u, s: 'BTCUSDT', b: '25.35', B: '31.21', a: '25.36', A: '40.66' } });
    const r = run(
      [
        t(5), // 1: no local time, no diff yet: nothing places it
        at(8, snap(1)), // 2
        at(-990, spot({ U: 1, u: 3, E: E0 })), // 3: local - E = -1000 ms - 990 ms... the offset so far
        at(-985, t(4)), // 4: after diff u 3 (E0), receive time on the exchange clock E0 + 5 ms
        at(-980, spot({ U: 4, u: 9, E: E0 + 20 })), // 5
        at(-900, t(7)), // 6: contained in diff 4..9 (E0 + 20): no later than it, though received at E0 + 90
        t(12), // 7: no local time: after the last diff it follows (E0 + 20)
      ],
      opts,
    );
    const tickers = r.out.filter((m): m is TickerMessage => m.kind === 'ticker');
    const offset = us(-990) - E0 * 1000;
    expect(tickers.map((m) => [m.line, m.exchangeUs, m.seq, m.untimed])).toEqual([
      [4, us(-985) - offset, 4, true],
      [6, (E0 + 20) * 1000, 7, true],
      [7, (E0 + 20) * 1000, 12, true],
    ]);
    expect(us(-985) - offset).toBe((E0 + 5) * 1000);
    expect(r.decoder.stats.anomalies.untimed_ticker).toEqual({ count: 1, first_line: 1 });
    expect(r.decoder.stats.messages.bookTicker).toBe(4);
  });
});

describe('Binance lines: anomalies, trades, times', () => {
  it('counts every unusable line by kind with its first line, and never throws from decode', () => {
    const ok = at(0, fut({ U: 91, u: 104, pu: 90, E: E0 }));
    const lines = [
      '{"result":null,"id":1}', // 1 control
      '', // 2 blank
      '   ', // 3 blank
      at(1, '{"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate"'), // 4 malformed: bad JSON
      at(2, fut({ U: 1, u: 2, pu: 0, E: E0, s: 'ETHUSDT' })), // 5 other_symbol
      at(3, '{"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1,"s":"BTCUSDT","k":{}}}'), // 6 unknown_message
      // (A futures diff of ours without pu, or with a bad level, is no longer counted: it stops the replay at its
      // own line, see 'bad values in a diff'. Lines 7 and 10 are malformed trades and tickers instead.)
      at(4, '{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"100","q":"0x1","m":true}'), // 7 malformed: q is not a decimal (parseFloat would say 0)
      'x1723161255030314667 {"e":"trade"}', // 8 malformed: local time not digits
      at(5, '{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":100,"q":"1","m":true}'), // 9 malformed: p is a number
      at(6, '{"e":"bookTicker","u":1,"s":"BTCUSDT","b":"100","B":"NaN","a":"101","A":"1","E":1}'), // 10 malformed: B is NaN
      at(7, '{"stream":"btcusdt@depth20@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"pu":0,"b":[],"a":[]}}'), // 11 partial_depth
      at(8, '{"code":-1003,"msg":"Too many requests"}'), // 12 api_error
      at(9, '{"hello":1}'), // 13 unknown_message
      at(10, '[1,2]'), // 14 malformed
      ok, // 15
      at(11, '{"result":null,"id":2}'), // 16 control
      at(12, fut({ U: 1, u: 2, pu: 0, E: E0, s: 'ethusdt' })), // 17 other_symbol
      '1723161255030314667', // 18 malformed: no JSON
    ];
    const decoder = createBinanceDecoder({ market: 'usdm', symbol: 'BTCUSDT' });
    const out: ReplayMessage[] = [];
    lines.forEach((l, i) => expect(() => decoder.decode(l, i + 1, out)).not.toThrow());
    expect(out).toEqual([]);
    expect(decoder.stats.lines).toBe(18);
    expect(decoder.stats.messages).toEqual({ depth: 1 });
    expect(decoder.stats.anomalies).toEqual({
      control: { count: 2, first_line: 1 },
      blank: { count: 2, first_line: 2 },
      malformed: { count: 7, first_line: 4 },
      other_symbol: { count: 2, first_line: 5 },
      unknown_message: { count: 2, first_line: 6 },
      partial_depth: { count: 1, first_line: 11 },
      api_error: { count: 1, first_line: 12 },
    });
  });

  it('maps m (buyer is maker) to a sell aggressor, for trade and aggTrade, before any book sync', () => {
    const trade = (m: boolean, X?: string): string =>
      JSON.stringify({ stream: 'btcusdt@trade', data: { e: 'trade', E: E0 + 1, T: E0, s: 'BTCUSDT', t: 7, p: '61800.30', q: '0.006', X, m } });
    const agg = JSON.stringify({ e: 'aggTrade', E: E0 + 2, T: E0 + 2, s: 'btcusdt', a: 5, p: '61800.20', q: '1.5', f: 10, l: 12, m: true });
    const r = run([at(0, trade(false, 'MARKET')), at(1, trade(true, 'MARKET')), at(2, agg), at(3, trade(true))]);
    const trades = r.out as TradeMessage[];
    expect(trades).toEqual([
      // Stamped with the trade time T (E0 here), not the event time E (E0 + 1); seq is the trade (or aggTrade) id.
      { kind: 'trade', aggressor: 'buy', price: 61800.3, qty: 0.006, exchangeUs: E0 * 1000, localUs: us(0), line: 1, seq: 7 },
      { kind: 'trade', aggressor: 'sell', price: 61800.3, qty: 0.006, exchangeUs: E0 * 1000, localUs: us(1), line: 2, seq: 7 },
      { kind: 'trade', aggressor: 'sell', price: 61800.2, qty: 1.5, exchangeUs: (E0 + 2) * 1000, localUs: us(2), line: 3, seq: 5 },
      { kind: 'trade', aggressor: 'sell', price: 61800.3, qty: 0.006, exchangeUs: E0 * 1000, localUs: us(3), line: 4, seq: 7 },
    ]);
    expect(r.decoder.stats.messages).toEqual({ trade: 3, aggTrade: 1 });
  });

  it('skips futures trades whose X is not MARKET (insurance fund, ADL), counted as non_market_trade', () => {
    const t = (X: string): string => JSON.stringify({ e: 'trade', E: E0, T: E0, s: 'BTCUSDT', t: 1, p: '3.7041208', q: '3.5', X, m: true });
    const r = run([at(0, t('INSURANCE_FUND')), at(1, t('ADL')), at(2, t('NA')), at(3, t('MARKET'))]);
    expect(r.out.map((m) => m.line)).toEqual([4]);
    expect(r.decoder.stats.anomalies.non_market_trade).toEqual({ count: 3, first_line: 1 });
    expect(r.decoder.stats.messages.trade).toBe(4);
  });

  it('accepts lines without a local time (localUs undefined) and raw events without the stream wrapper', () => {
    const ticker = JSON.stringify({ e: 'bookTicker', u: 1, s: 'BTCUSDT', b: '61800.20', B: '2.5', a: '61800.30', A: '2.51', T: E0, E: E0 + 1 });
    const r = run([ticker, fut({ U: 91, u: 104, pu: 90, E: E0 }), snap(100, E0 + 2)]);
    expect(r.endError).toBeUndefined();
    expect(r.out.map((m) => [m.kind, m.line, m.exchangeUs, m.localUs])).toEqual([
      ['ticker', 1, (E0 + 1) * 1000, undefined],
      ['book', 3, (E0 + 2) * 1000, undefined],
      ['book', 2, (E0 + 2) * 1000, undefined],
    ]);
  });
});

describe('Binance helpers', () => {
  it('converts ns local times to µs exactly, past 2^53', () => {
    const t = '1723161255030314667';
    expect(BigInt(t)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expect(localTimeUs(t, t.length)).toBe(1723161255030314);
    expect(localTimeUs('1723161255030314', 16)).toBe(1723161255030314); // µs (hftbacktest's older collector)
    expect(localTimeUs('172316125503031466a', 19)).toBeNaN();
    expect(localTimeUs('1723161255030', 13)).toBeNaN();
    expect(localTimeUs('9999999999999999999', 19)).toBeNaN(); // past 2^53 µs
  });

  it('parses levels into a flat array and rejects bad ones', () => {
    expect(parseLevels([['61800.20', '2.909'], ['61800.10', '0.000']])).toEqual([61800.2, 2.909, 61800.1, 0]);
    expect(parseLevels([])).toEqual([]);
    expect(parseLevels([['1', '-1']])).toBeNull();
    expect(parseLevels([[1, '1']])).toBeNull();
    expect(parseLevels([['1']])).toBeNull();
    expect(parseLevels('x')).toBeNull();
  });

  it('rejects bad options', () => {
    expect(() => createBinanceDecoder({ market: 'options' as 'spot', symbol: 'X' })).toThrow(/market/);
    expect(() => createBinanceDecoder({ market: 'spot', symbol: '' })).toThrow(/symbol/);
  });
});
