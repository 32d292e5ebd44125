// Venue correctness on small hand-written recordings: COIN-M contract sizes, REST snapshots told apart by
// symbol, untimed spot messages and the recorder's clock offset, off-grid levels, bad values at their own line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OrderBook } from '../../src/sim/exchange/order-book.ts';
import { createBinanceDecoder } from '../../src/sim/market/replay/binance-decoder.ts';
import { resolveContractSize } from '../../src/sim/market/replay/contract-size.ts';
import { RecordedFeedLatency, ReplayMarket } from '../../src/sim/market/replay/replay-market.ts';
import type { ReplayMessage } from '../../src/sim/market/replay/replay-message.ts';
import { ReplayDataError } from '../../src/sim/market/replay/replay-message.ts';
import { openReplaySource } from '../../src/sim/market/replay/replay-source.ts';
import type { ReplayFormat } from '../../src/sim/market/replay/replay-formats.ts';
import { VirtualClock } from '../../src/sim/clock/virtual-clock.ts';
import { driveReplay } from '../support/replay-drive.ts';

const tmp = mkdtempSync(join(tmpdir(), 'mmsim-venue-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const E0 = 1_723_161_256_000;
/** Receive time as ns digits, `ms` after E0 on the exchange's clock, plus the recorder's offset. */
const ns = (ms: number, offsetMs = 0): string => (BigInt(E0 + ms + offsetMs) * 1_000_000n).toString();
type Lv = [string, string][];
const diff = (ms: number, sym: string, U: number, u: number, pu: number, b: Lv, a: Lv, offsetMs = 0): string =>
  `${ns(ms, offsetMs)} ${JSON.stringify({ stream: `${sym.toLowerCase()}@depth@0ms`, data: { e: 'depthUpdate', E: E0 + ms, T: E0 + ms, s: sym, U, u, pu, b, a } })}`;
const snap = (ms: number, L: number, bids: Lv, asks: Lv, extra: Record<string, unknown> = {}): string =>
  `${ns(ms)} ${JSON.stringify({ lastUpdateId: L, E: E0 + ms, T: E0 + ms, ...extra, bids, asks })}`;
const trade = (ms: number, sym: string, p: string, q: string): string =>
  `${ns(ms)} ${JSON.stringify({ stream: `${sym.toLowerCase()}@trade`, data: { e: 'trade', E: E0 + ms, T: E0 + ms, s: sym, t: ms, p, q, X: 'MARKET', m: false } })}`;

let n = 0;
function file(lines: string[]): string {
  const p = join(tmp, `rec-${n++}.txt`);
  writeFileSync(p, `${lines.join('\n')}\n`);
  return p;
}

/** Runs a recording through ReplayMarket to the end; returns the book and what the exchange was told. */
async function replay(format: ReplayFormat, path: string, symbol: string, tick: number, lot: number, contractSize?: number, recorded?: RecordedFeedLatency) {
  const clock = new VirtualClock({ start: 0 });
  const book = new OrderBook();
  const trades: [number, number][] = [];
  const lat: number[] = [];
  const market = new ReplayMarket(
    clock,
    book,
    { instrument: { symbol, tickSize: tick, lotSize: lot }, durationUs: undefined, recordedLatency: recorded, recordedBaseUs: 0, contractSize },
    openReplaySource(format, [path], symbol),
    { onTrade: (_s, p, q) => trades.push([p, q]), onBookChange: () => recorded && lat.push(recorded.sample()) },
  );
  await driveReplay(clock, market);
  return { book, trades, market, lat };
}

describe('COIN-M contract sizes', () => {
  it('venue defaults: Binance COIN-M BTCUSD 100 USD, others 10 USD; Bybit inverse 1 USD; quote is 1; base none', () => {
    expect(resolveContractSize({ format: 'binance_coinm', symbol: 'BTCUSD_PERP' })).toBe(100);
    expect(resolveContractSize({ format: 'binance_coinm', symbol: 'btcusd_240927' })).toBe(100);
    expect(resolveContractSize({ format: 'binance_coinm', symbol: 'ETHUSD_PERP' })).toBe(10);
    expect(resolveContractSize({ format: 'bybit_v2', symbol: 'BTCUSD', quantity_unit: 'contracts' })).toBe(1);
    expect(resolveContractSize({ format: 'bybit_v2', symbol: 'BTCUSD', quantity_unit: 'quote' })).toBe(1);
    expect(resolveContractSize({ format: 'binance_coinm', symbol: 'ETHUSD_PERP', contract_size: 50 })).toBe(50);
    expect(resolveContractSize({ format: 'binance_usdm', symbol: 'BTCUSDT' })).toBeUndefined();
  });

  it('a BTCUSD_PERP book and trades in contracts become BTC: 20 contracts at 50,000 = 2,000 USD = 0.04 BTC', async () => {
    const path = file([
      diff(0, 'BTCUSD_PERP', 1, 10, 0, [['50000.0', '20']], [['50000.1', '5']]),
      snap(1, 10, [['50000.0', '20'], ['49999.9', '7']], [['50000.1', '5']]),
      diff(2, 'BTCUSD_PERP', 11, 12, 10, [['50000.0', '30']], []),
      trade(3, 'BTCUSD_PERP', '50000.1', '2'),
    ]);
    const { book, trades } = await replay('binance_coinm', path, 'BTCUSD_PERP', 0.1, 0.001, resolveContractSize({ format: 'binance_coinm', symbol: 'BTCUSD_PERP' }));
    expect(book.bids.qtyAt(500_000)).toBeCloseTo((30 * 100) / 50_000 / 0.001, 9); // 60 lots of 0.001 BTC
    expect(book.bids.qtyAt(499_999)).toBeCloseTo((7 * 100) / 49_999.9 / 0.001, 9);
    expect(trades).toEqual([[500_001, expect.closeTo((2 * 100) / 50_000.1 / 0.001, 9)]]);
  });

  it('ETHUSD_PERP contracts are 10 USD', async () => {
    const path = file([snap(0, 10, [['2500.00', '25']], [['2500.01', '1']]), diff(1, 'ETHUSD_PERP', 9, 11, 8, [], [])]);
    const { book } = await replay('binance_coinm', path, 'ETHUSD_PERP', 0.01, 0.001, resolveContractSize({ format: 'binance_coinm', symbol: 'ETHUSD_PERP' }));
    expect(book.bids.qtyAt(250_000)).toBeCloseTo((25 * 10) / 2500 / 0.001, 9); // 0.1 ETH
  });
});

describe('REST snapshots in a file of several symbols', () => {
  // BTCUSDT ids around 5,000; ETHUSDT ids around 900,000. Neither snapshot names its symbol.
  const lines = [
    diff(0, 'BTCUSDT', 4990, 5000, 4989, [['61800.0', '1']], [['61800.1', '1']]),
    diff(1, 'ETHUSDT', 899_990, 900_000, 899_989, [['3000.00', '1']], [['3000.01', '1']]),
    snap(2, 900_001, [['3000.00', '5']], [['3000.01', '5']]), // 3: ETHUSDT's (just past its diffs)
    snap(3, 5001, [['61800.0', '2']], [['61800.1', '3']]), // 4: BTCUSDT's
    diff(4, 'ETHUSDT', 900_001, 900_010, 900_000, [], []),
    diff(5, 'BTCUSDT', 5001, 5010, 5000, [['61799.9', '4']], []),
  ];

  it('each symbol syncs from its own snapshot, told apart by update ids; the other one is counted other_symbol', async () => {
    const path = file(lines);
    const btc = await replay('binance_usdm', path, 'BTCUSDT', 0.1, 0.001);
    expect(btc.book.bids.qtyAt(618_000)).toBe(2000);
    expect(btc.book.asks.qtyAt(618_001)).toBe(3000);
    expect(btc.market.stats.crossed_books).toBeNull();
    const eth = await replay('binance_usdm', path, 'ETHUSDT', 0.01, 0.001);
    expect(eth.book.bids.qtyAt(300_000)).toBe(5000);
    const src = openReplaySource('binance_usdm', [path], 'BTCUSDT');
    while (await src.next());
    expect(src.files[0]!.stats.anomalies.other_symbol).toMatchObject({ first_line: 2 });
    expect(src.files[0]!.stats.anomalies.other_symbol!.count).toBe(3); // ETH diffs at 2 and 5, its snapshot at 3
  });

  it('a snapshot naming its symbol (a wrapper stream or a symbol field) is used only for it', async () => {
    const wrapped = (ms: number, sym: string, L: number, bids: Lv, asks: Lv) =>
      `${ns(ms)} ${JSON.stringify({ stream: `${sym.toLowerCase()}@depthSnapshot`, data: { lastUpdateId: L, E: E0 + ms, bids, asks } })}`;
    const path = file([
      diff(0, 'BTCUSDT', 10, 20, 9, [], []),
      diff(1, 'ETHUSDT', 10, 20, 9, [], []),
      wrapped(2, 'ETHUSDT', 21, [['3000.00', '5']], [['3000.01', '5']]),
      snap(3, 21, [['61800.0', '2']], [['61800.1', '3']], { symbol: 'BTCUSDT' }),
      diff(4, 'BTCUSDT', 21, 30, 20, [], []),
      diff(5, 'ETHUSDT', 21, 30, 20, [], []),
    ]);
    const btc = await replay('binance_usdm', path, 'BTCUSDT', 0.1, 0.001);
    expect(btc.book.bids.qtyAt(618_000)).toBe(2000);
    const eth = await replay('binance_usdm', path, 'ETHUSDT', 0.01, 0.001);
    expect(eth.book.bids.qtyAt(300_000)).toBe(5000);
  });

  it('snapshots that cannot be told apart (both symbols on the same update ids): an error naming the file and line', async () => {
    const path = file([
      diff(0, 'BTCUSDT', 10, 20, 9, [], []),
      diff(1, 'ETHUSDT', 10, 20, 9, [], []),
      snap(2, 21, [['3000.00', '5']], [['3000.01', '5']]),
      diff(4, 'BTCUSDT', 21, 30, 20, [], []),
    ]);
    const err = await replay('binance_usdm', path, 'BTCUSDT', 0.1, 0.001).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplayDataError);
    expect((err as Error).message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: cannot tell which symbol this REST snapshot belongs to`));
    expect((err as Error).message).toMatch(/BTCUSDT 10\.\.20, ETHUSDT 10\.\.20/);
  });
});

describe('untimed spot messages and the recorder clock offset', () => {
  it('a recorder running 300 ms ahead: the offset estimate is positive and the latencies are the excess over the fastest', async () => {
    const spotDiff = (ms: number, U: number, u: number, lag: number, b: Lv) =>
      `${ns(ms, 300 + lag)} ${JSON.stringify({ e: 'depthUpdate', E: E0 + ms, s: 'BTCUSDT', U, u, b, a: [['101.00', '1']] })}`;
    const ticker = (localMs: number, u: number) =>
      `${ns(localMs, 300)} ${JSON.stringify({ stream: 'btcusdt@bookTicker', data: { u, s: 'BTCUSDT', b: '100.00', B: '2', a: '101.00', A: '1' } })}`;
    const path = file([
      spotDiff(0, 91, 100, 4, [['100.00', '1']]),
      `${ns(2, 300)} ${JSON.stringify({ lastUpdateId: 100, bids: [['100.00', '1']], asks: [['101.00', '1']] })}`, // spot snapshot: no E
      spotDiff(10, 101, 110, 2, [['100.00', '2']]),
      ticker(12, 111), // received at exchange time 12 ms (after the offset), after diff 110
      spotDiff(20, 111, 120, 7, [['100.00', '3']]),
    ]);
    const lat = new RecordedFeedLatency();
    const { market, lat: seen } = await replay('binance_spot', path, 'BTCUSDT', 0.01, 0.001, undefined, lat);
    // The fastest message came 2 ms after its exchange time on a clock 300 ms ahead: +302 ms, not <= 0.
    expect(market.stats.recorder_offset_us).toBe(302_000);
    expect(market.stats.time_clamped.count).toBe(0);
    // Book changes: the snapshot (untimed, placed: no excess), diff 101..110 (the fastest), diff 111..120 (5 ms
    // slower); diff 91..100 is older than the snapshot. (No overlay here: the ticker changes nothing.)
    expect(seen).toEqual([0, 0, 5000]);
  });
});

describe('off-grid price levels', () => {
  const base = (extra: Lv) => [snap(0, 10, [['61800.0', '1'], ...extra], [['61800.1', '1']]), diff(1, 'BTCUSDT', 9, 11, 8, [], [])];

  it('far from the mid (a legacy level 10% away) is counted and ignored', async () => {
    const { book, market } = await replay('binance_usdm', file(base([['55000.05', '3']])), 'BTCUSDT', 0.1, 0.001);
    expect(market.stats.off_grid_levels).toEqual({ count: 1, first_line: 1 });
    expect(book.bids.levelCount).toBe(1);
  });

  it('near the touch stops the run at file:line', async () => {
    const path = file([...base([]), diff(2, 'BTCUSDT', 12, 13, 11, [['61799.95', '1']], [])]);
    const err = await replay('binance_usdm', path, 'BTCUSDT', 0.1, 0.001).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplayDataError);
    expect((err as Error).message).toBe(`${path}:3: price 61799.95 is not a multiple of instrument.tick_size 0.1 (within 5% of the mid 61800.05)`);
  });
});

describe('a bad value in a diff is reported at its own line', () => {
  const good = [snap(0, 10, [['61800.0', '1']], [['61800.1', '1']]), diff(1, 'BTCUSDT', 9, 11, 8, [], [])];
  const raw = (levels: string): string =>
    `${ns(2)} {"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":${E0 + 2},"T":${E0 + 2},"s":"BTCUSDT","U":12,"u":13,"pu":11,"b":${levels},"a":[]}}`;
  const after = diff(3, 'BTCUSDT', 14, 15, 13, [], []);

  const cases: [string, string, RegExp][] = [
    ['a negative quantity', raw('[["61800.0","-1"]]'), /:3: depth diff: b \(bids\) level 1 quantity "-1" is negative$/],
    ['a NaN string', raw('[["61800.0","NaN"]]'), /:3: depth diff: b \(bids\) level 1 quantity "NaN" is not a decimal number$/],
    ['a hex string', raw('[["61800.0","0x1"]]'), /:3: depth diff: b \(bids\) level 1 quantity "0x1" is not a decimal number$/],
    ['an unquoted number', raw('[["61800.0",1]]'), /:3: depth diff: b \(bids\) level 1 quantity 1 is an unquoted number \(Binance sends decimal strings\)$/],
    ['a price of zero', raw('[["0","1"]]'), /:3: depth diff: b \(bids\) level 1 price "0" is not positive$/],
    ['an unquoted NaN (not JSON)', raw('[["61800.0",NaN]]'), /:3: a BTCUSDT depth line is not valid JSON \(.*\); the diff chain breaks there \(line 4: sequence gap: pu 13 != previous u 11\); the file has no later snapshot/],
    ['an unquoted 0x1 (not JSON)', raw('[["61800.0",0x1]]'), /:3: a BTCUSDT depth line is not valid JSON/],
    ['a missing pu', raw('[]').replace(',"pu":11', ''), /:3: depth diff: pu is missing$/],
    ['a string u', raw('[]').replace('"u":13', '"u":"13"'), /:3: depth diff: u is not a number: "13"$/],
  ];

  it.each(cases)('%s', (_name, bad, message) => {
    for (const fastPath of [true, false]) {
      const decoder = createBinanceDecoder({ market: 'usdm', symbol: 'BTCUSDT', fastPath });
      const out: ReplayMessage[] = [];
      const lines = [...good, bad, after];
      let err: unknown;
      try {
        lines.forEach((l, i) => decoder.decode(l, i + 1, out));
        decoder.end(lines.length, out);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ReplayDataError);
      expect((err as ReplayDataError).line).toBe(3);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('a cut last line is counted, not an error (no chain breaks after it)', () => {
    const decoder = createBinanceDecoder({ market: 'usdm', symbol: 'BTCUSDT' });
    const out: ReplayMessage[] = [];
    [...good, raw('[]').slice(0, 80)].forEach((l, i) => decoder.decode(l, i + 1, out));
    expect(() => decoder.end(3, out)).not.toThrow();
    expect(decoder.stats.anomalies.malformed).toEqual({ count: 1, first_line: 3 });
  });
});
