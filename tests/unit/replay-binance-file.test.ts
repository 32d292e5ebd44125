import { describe, it, expect, beforeAll } from 'vitest';
import { createBinanceDecoder } from '../../src/sim/market/replay/binance-decoder.ts';
import type { BookMessage, DecoderStats, ReplayMessage } from '../../src/sim/market/replay/replay-message.ts';
import { readLineBatches } from '../../src/sim/market/replay/line-source.ts';
import { sharedData } from '../support/shared-data.ts';

// The real recording (hftbacktest's examples/usdm/btcusdt_20240808.gz, MIT; see ../shared/data/SOURCES.md).
// The rebuilt book against bookTicker is checked in tests/integration/replay-fidelity.test.ts.
const FILE = sharedData('binance-usdm-btcusdt-20240808.gz');

describe('Binance USD-M BTCUSDT 2024-08-08 recording', () => {
  let messages: ReplayMessage[] = [];
  let stats: DecoderStats;
  let lines = 0;

  beforeAll(async () => {
    const decoder = createBinanceDecoder({ market: 'usdm', symbol: 'BTCUSDT' });
    const out: ReplayMessage[] = [];
    for await (const batch of readLineBatches(FILE)) for (let i = 0; i < batch.length; i++) decoder.decode(batch[i]!, ++lines, out);
    decoder.end(lines, out); // throws if the book ends out of sync
    messages = out;
    stats = decoder.stats;
  });

  it('reads every line and counts the documented messages', () => {
    expect(lines).toBe(93_954);
    expect(stats.lines).toBe(93_954);
    expect(stats.messages).toEqual({ depth: 6_551, trade: 21_313, bookTicker: 66_089, snapshot: 1 });
    // All 21,313 trades are X == "MARKET": none skipped. The only unused lines are the 4 diffs older than the snapshot.
    expect(stats.anomalies).toEqual({ stale_diff: { count: 4, first_line: 1 } });
    expect(stats.anomalies.sequence_gap).toBeUndefined();
    expect(stats.anomalies.malformed).toBeUndefined();
  });

  it('emits the snapshot first (line 55, 1000 x 1000), then the 6,547 diffs from the one that bridges it', () => {
    const books = messages.filter((m): m is BookMessage => m.kind === 'book');
    expect(books.length).toBe(1 + 6_551 - 4);
    const first = books[0]!;
    expect(first.snapshot).toBe(true);
    expect(first.line).toBe(55);
    expect(first.bids.length).toBe(2 * 1000);
    expect(first.asks.length).toBe(2 * 1000);
    expect(first.bids.slice(0, 2)).toEqual([61800.2, 2.909]);
    expect(books.slice(1).every((b) => !b.snapshot)).toBe(true);
    // The two diffs buffered before the snapshot that survive (lines 42 and 50) take its times.
    expect(books.slice(1, 3).map((b) => [b.line, b.exchangeUs, b.localUs])).toEqual([
      [42, first.exchangeUs, first.localUs],
      [50, first.exchangeUs, first.localUs],
    ]);
    expect(first.exchangeUs).toBe(1_723_161_256_501_000);
    expect(first.localUs).toBe(1_723_161_255_319_702);
  });

  it('book exchange times never go backwards', () => {
    let last = -Infinity;
    let backwards = 0;
    for (const m of messages) {
      if (m.kind !== 'book') continue;
      if (m.exchangeUs < last) backwards++;
      last = m.exchangeUs;
    }
    expect(backwards).toBe(0);
  });

  it('local minus exchange time is negative (the recorder clock is about 1.27 s behind), between -2 s and -0.5 s at the median', () => {
    const d = messages.filter((m) => m.localUs !== undefined).map((m) => m.localUs! - m.exchangeUs);
    expect(d.length).toBe(messages.length);
    d.sort((a, b) => a - b);
    const median = d[d.length >> 1]!;
    expect(median).toBeGreaterThan(-2_000_000);
    expect(median).toBeLessThan(-500_000);
  });
});
