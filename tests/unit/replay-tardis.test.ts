import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { BookMessage } from '../../src/sim/market/replay/replay-message.ts';
import { createTardisDecoder } from '../../src/sim/market/replay/tardis-decoder.ts';
import { decodeFile, decodeLines, thrownDataError } from '../support/decode.ts';

// Column layouts as documented at https://docs.tardis.dev/downloadable-csv-files/data-types
// ("CSV format details": comma delimiter, LF, '.' decimals, timestamps in µs since the epoch, UTC):
//   incremental_book_L2: exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount
//     (is_snapshot true|false, side bid|ask, amount 0 removes the level; rows of one message share local_timestamp)
//   trades:              exchange,symbol,timestamp,local_timestamp,id,side,price,amount
//     (side: liquidity taker side, buy|sell|unknown)
//   book_snapshot_25:    exchange,symbol,timestamp,local_timestamp,
//                        asks[0].price,asks[0].amount,bids[0].price,bids[0].amount, ... up to [24]
//     (empty cells where the book has fewer levels)
const BOOK_HEADER = 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount';
const TRADES_HEADER = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
const SNAP25_HEADER = [
  'exchange,symbol,timestamp,local_timestamp',
  ...Array.from({ length: 25 }, (_, i) => `asks[${i}].price,asks[${i}].amount,bids[${i}].price,bids[${i}].amount`),
].join(',');

const dir = mkdtempSync(join(tmpdir(), 'mmsim-tardis-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeCsv(name: string, lines: readonly string[], gzip = false): string {
  const path = join(dir, name);
  const text = lines.join('\n') + '\n';
  writeFileSync(path, gzip ? gzipSync(text) : text);
  return path;
}

const T0 = 1_640_995_200_000_000; // 2022-01-01T00:00:00Z in µs
const row = (sym: string, ts: number, local: number, snap: boolean, side: 'bid' | 'ask', price: string, amount: string): string =>
  `binance-futures,${sym},${T0 + ts},${T0 + local},${snap},${side},${price},${amount}`;

const BOOK_LINES = [
  BOOK_HEADER,
  row('BTCUSDT', 1, 2, false, 'bid', '49990.0', '1'), // 2: before the first snapshot (a buffered update): skipped
  row('BTCUSDT', 10, 20, true, 'bid', '50000.0', '1.5'), // 3: snapshot
  row('BTCUSDT', 10, 20, true, 'bid', '49999.5', '2'),
  row('BTCUSDT', 10, 20, true, 'ask', '50000.5', '0'), // 5: amount 0 in a snapshot: an absent level
  row('BTCUSDT', 10, 20, true, 'ask', '50001.0', '3'),
  row('BTCUSDT', 30, 40, false, 'bid', '50000.0', '0'), // 7: one message (local 40): delete + insert
  row('BTCUSDT', 31, 40, false, 'ask', '50000.5', '0.25'),
  row('ETHUSDT', 32, 41, false, 'ask', '3000.0', '1'), // 9: another symbol
  row('BTCUSDT', 35, 45, false, 'ask', '50001.0', '2.5'), // 10: the next message (local 45)
  'binance-futures,BTCUSDT,not-a-time,x,false,bid,1,1', // 11: malformed
  row('BTCUSDT', 50, 60, true, 'bid', '49000.0', '1'), // 12: a new snapshot after updates: the book resets
  row('BTCUSDT', 51, 61, true, 'ask', '49001.0', '1'), // 13: same snapshot run although another local time
  row('BTCUSDT', 70, 80, false, 'ask', '49001.0', '0.5'), // 14: an update (flushed by end())
];

const EXPECTED_BOOK: BookMessage[] = [
  { kind: 'book', snapshot: true, bids: [50000, 1.5, 49999.5, 2], asks: [50001, 3], exchangeUs: T0 + 10, localUs: T0 + 20, line: 3 },
  { kind: 'book', snapshot: false, bids: [50000, 0], asks: [50000.5, 0.25], exchangeUs: T0 + 31, localUs: T0 + 40, line: 7 },
  { kind: 'book', snapshot: false, bids: [], asks: [50001, 2.5], exchangeUs: T0 + 35, localUs: T0 + 45, line: 10 },
  { kind: 'book', snapshot: true, bids: [49000, 1], asks: [49001, 1], exchangeUs: T0 + 51, localUs: T0 + 61, line: 12 },
  { kind: 'book', snapshot: false, bids: [], asks: [49001, 0.5], exchangeUs: T0 + 70, localUs: T0 + 80, line: 14 },
];

const EXPECTED_BOOK_ANOMALIES = {
  before_snapshot: { count: 1, first_line: 2 },
  zero_in_snapshot: { count: 1, first_line: 5 },
  other_symbol: { count: 1, first_line: 9 },
  malformed: { count: 1, first_line: 11 },
};

describe('Tardis decoder: incremental_book_L2', () => {
  it('groups rows of one message by local_timestamp, resets at a new snapshot run, flushes at the end', async () => {
    const d = createTardisDecoder({ symbol: 'BTCUSDT' });
    const out = await decodeFile(d, writeCsv('incremental_book_L2.csv', BOOK_LINES));
    expect(out).toEqual(EXPECTED_BOOK);
    expect(d.stats).toEqual({ lines: 14, messages: { snapshot: 2, delta: 3 }, anomalies: EXPECTED_BOOK_ANOMALIES });
  });

  it('reads the same file gzipped (readLineBatches unpacks it) to the same messages', async () => {
    const d = createTardisDecoder({ symbol: 'BTCUSDT' });
    const out = await decodeFile(d, writeCsv('binance-futures_incremental_book_L2_2022-01-01_BTCUSDT.csv.gz', BOOK_LINES, true));
    expect(out).toEqual(EXPECTED_BOOK);
    expect(d.stats.anomalies).toEqual(EXPECTED_BOOK_ANOMALIES);
  });

  it('consecutive rows with the same local time but a different is_snapshot are separate messages', () => {
    const d = createTardisDecoder({ symbol: 'BTCUSDT' });
    const out = decodeLines(d, [BOOK_HEADER, row('BTCUSDT', 1, 5, true, 'bid', '10', '1'), row('BTCUSDT', 1, 5, false, 'bid', '10', '2'), row('BTCUSDT', 1, 5, false, 'ask', '11', '1')]);
    expect(out.map((m) => [(m as BookMessage).snapshot, m.line])).toEqual([
      [true, 2],
      [false, 3],
    ]);
  });

  it('throws at the end when the file has updates and never a snapshot', () => {
    const d = createTardisDecoder({ symbol: 'BTCUSDT' });
    const err = thrownDataError(() => decodeLines(d, [BOOK_HEADER, '', row('BTCUSDT', 1, 2, false, 'bid', '1', '1'), row('BTCUSDT', 3, 4, false, 'bid', '1', '2')]));
    expect(err.line).toBe(3);
    expect(err.detail).toMatch(/no snapshot/);
    expect(d.stats.anomalies).toEqual({ blank: { count: 1, first_line: 2 }, before_snapshot: { count: 2, first_line: 3 } });
  });

  it('a bad value in a row of our book is an error at its own line (the book would silently be wrong)', () => {
    const cases: [string, RegExp][] = [
      [row('BTCUSDT', 3, 4, false, 'bid', '100', '-1'), /quantity "-1" is negative/],
      [row('BTCUSDT', 3, 4, false, 'bid', '0x1', '1'), /price "0x1" is not a decimal number/],
      [row('BTCUSDT', 3, 4, false, 'ask', '101', 'NaN'), /quantity "NaN" is not a decimal number/],
      [row('BTCUSDT', 3, 4, false, 'buy' as 'bid', '101', '1'), /side "buy" is not bid or ask/],
      [row('BTCUSDT', 3, 4, false, 'bid', '0', '1'), /price "0" is not positive/],
    ];
    for (const [bad, detail] of cases) {
      const d = createTardisDecoder({ symbol: 'BTCUSDT' });
      const err = thrownDataError(() => decodeLines(d, [BOOK_HEADER, row('BTCUSDT', 1, 2, true, 'bid', '100', '1'), bad, row('BTCUSDT', 5, 6, false, 'bid', '100', '2')]));
      expect(err.line, bad).toBe(3);
      expect(err.detail, bad).toMatch(detail);
    }
  });

  it('reads a line with quoted fields with csv-parse', () => {
    const d = createTardisDecoder({ symbol: 'BTCUSDT' });
    const out = decodeLines(d, [BOOK_HEADER, `"binance-futures","BTCUSDT",${T0},${T0 + 1},"true",bid,"100.5",2`, 'binance-futures,"BTC', 'a,b,c']);
    expect(out).toEqual([{ kind: 'book', snapshot: true, bids: [100.5, 2], asks: [], exchangeUs: T0, localUs: T0 + 1, line: 2 }]);
    expect(d.stats.anomalies).toEqual({ malformed: { count: 2, first_line: 3 } });
  });
});

describe('Tardis decoder: trades', () => {
  it('emits buy/sell taker trades, counts and skips the unknown side and other symbols', async () => {
    const d = createTardisDecoder({ symbol: 'BTCUSDT' });
    const out = await decodeFile(
      d,
      writeCsv('trades.csv', [
        TRADES_HEADER,
        `binance-futures,BTCUSDT,${T0 + 100},${T0 + 150},1001,buy,50000.5,0.01`,
        `binance-futures,BTCUSDT,${T0 + 200},${T0 + 250},1002,sell,49999.5,0.02`,
        `binance-futures,BTCUSDT,${T0 + 300},${T0 + 350},1003,unknown,50000.0,0.03`,
        `binance-futures,ETHUSDT,${T0 + 400},${T0 + 450},1004,buy,3000.0,1`,
        `binance-futures,BTCUSDT,${T0 + 500},${T0 + 550},,sell,50001.0,0.5`, // no trade id: an empty cell is fine
        `binance-futures,BTCUSDT,${T0 + 600},${T0 + 650},1006,buy,,0.5`, // no price: malformed
      ]),
    );
    expect(out).toEqual([
      { kind: 'trade', aggressor: 'buy', price: 50000.5, qty: 0.01, exchangeUs: T0 + 100, localUs: T0 + 150, line: 2 },
      { kind: 'trade', aggressor: 'sell', price: 49999.5, qty: 0.02, exchangeUs: T0 + 200, localUs: T0 + 250, line: 3 },
      { kind: 'trade', aggressor: 'sell', price: 50001, qty: 0.5, exchangeUs: T0 + 500, localUs: T0 + 550, line: 6 },
    ]);
    expect(d.stats).toEqual({
      lines: 7,
      messages: { trade: 5 },
      anomalies: { unknown_side: { count: 1, first_line: 4 }, other_symbol: { count: 1, first_line: 5 }, malformed: { count: 1, first_line: 7 } },
    });
  });
});

describe('Tardis decoder: numbers', () => {
  it('reads prices and amounts to the same doubles as Number(), and rejects bad cells', () => {
    const cells = ['0.1', '3.14159', '49999.99', '0.00000001', '7.', '.5', '1e-3', '123456789.123456789', '00012.50', '96000.123456789012'];
    const d = createTardisDecoder({ symbol: 'BTCUSDT' });
    const out = decodeLines(d, [
      TRADES_HEADER,
      ...cells.map((c, i) => `bybit,BTCUSDT,${T0 + i},${T0 + i},${i},buy,${c},${c}`),
      `bybit,BTCUSDT,${T0},${T0},x,buy,-5,1`, // negative price
      `bybit,BTCUSDT,${T0},${T0},x,buy,5,0`, // a trade of nothing
      `bybit,BTCUSDT,${T0},${T0},x,buy,1.2.3,1`,
      `bybit,BTCUSDT,1e15,${T0},x,buy,1,1`, // timestamps are integers
      `bybit,BTCUSDT,12345678901234567,${T0},x,buy,1,1`, // beyond µs precision of a double
      `bybit,BTCUSDT,${T0},${T0},x,buy,1,1,extra`,
    ]);
    expect(out.map((m) => (m.kind === 'trade' ? [m.price, m.qty] : []))).toEqual(cells.map((c) => [Number(c), Number(c)]));
    expect(d.stats.anomalies).toEqual({ malformed: { count: 6, first_line: cells.length + 2 } });
  });
});

describe('Tardis decoder: book_snapshot_25', () => {
  /** A row with the given levels (best first) and empty cells for the rest, in the documented column order. */
  const snapRow = (sym: string, ts: number, local: number, asks: [string, string][], bids: [string, string][]): string => {
    const cells = [`binance-futures`, sym, String(T0 + ts), String(T0 + local)];
    for (let i = 0; i < 25; i++) cells.push(asks[i]?.[0] ?? '', asks[i]?.[1] ?? '', bids[i]?.[0] ?? '', bids[i]?.[1] ?? '');
    return cells.join(',');
  };

  it('emits each row as a snapshot, missing levels (empty cells) left out', async () => {
    const d = createTardisDecoder({ symbol: 'BTCUSDT' });
    const full = Array.from({ length: 25 }, (_, i): [string, string] => [String(100 + i), String(i + 1)]);
    const out = await decodeFile(
      d,
      writeCsv(
        'book_snapshot_25.csv.gz',
        [
          SNAP25_HEADER,
          snapRow('BTCUSDT', 1, 2, [['101', '1'], ['102', '2']], [['100', '3']]),
          snapRow('ETHUSDT', 3, 4, [['3001', '1']], [['3000', '1']]),
          snapRow('BTCUSDT', 5, 6, full, []),
          snapRow('BTCUSDT', 7, 8, [['101', '']], []), // a price without its amount: malformed
          snapRow('BTCUSDT', 9, 10, [], []).split(',').slice(0, 50).join(','), // a short row: malformed
        ],
        true,
      ),
    );
    expect(out).toEqual([
      { kind: 'book', snapshot: true, bids: [100, 3], asks: [101, 1, 102, 2], exchangeUs: T0 + 1, localUs: T0 + 2, line: 2 },
      { kind: 'book', snapshot: true, bids: [], asks: full.flatMap(([p, q]) => [Number(p), Number(q)]), exchangeUs: T0 + 5, localUs: T0 + 6, line: 4 },
    ]);
    expect(d.stats).toEqual({
      lines: 6,
      messages: { book_snapshot: 3 },
      anomalies: { other_symbol: { count: 1, first_line: 3 }, malformed: { count: 2, first_line: 5 } },
    });
  });
});

describe('Tardis decoder: the header', () => {
  it('an unknown header throws ReplayDataError at line 1', () => {
    for (const header of ['exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount', '{"topic":"orderbook.500.XRPUSDT"}', '']) {
      const err = thrownDataError(() => decodeLines(createTardisDecoder({ symbol: 'BTCUSDT' }), [header, 'x']));
      expect(err.line).toBe(1);
      expect(err.detail).toMatch(/^not a Tardis .* file: header/);
    }
  });

  it('accepts book_snapshot_5 (same layout, 5 levels) but not a 25-level header with a column out of order', () => {
    const snap5 = ['exchange,symbol,timestamp,local_timestamp', ...Array.from({ length: 5 }, (_, i) => `asks[${i}].price,asks[${i}].amount,bids[${i}].price,bids[${i}].amount`)].join(',');
    const out = decodeLines(createTardisDecoder({ symbol: 'X' }), [snap5, `e,X,1,2,11,1,10,1${',,,,'.repeat(4)}`]);
    expect(out).toEqual([{ kind: 'book', snapshot: true, bids: [10, 1], asks: [11, 1], exchangeUs: 1, localUs: 2, line: 2 }]);
    const swapped = SNAP25_HEADER.replace('asks[3].price,asks[3].amount', 'asks[3].amount,asks[3].price');
    expect(thrownDataError(() => decodeLines(createTardisDecoder({ symbol: 'X' }), [swapped])).line).toBe(1);
  });
});
