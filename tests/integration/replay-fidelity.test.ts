// Book fidelity on the real recordings in ../shared/data: the book rebuilt from each file by the
// replay's decoders matches what the venue itself said (Binance's bookTicker, Bybit's final book,
// Bybit's trade prints). Independent of the simulator: messages are applied to an OrderBook here.
import { describe, expect, it } from 'vitest';
import { OrderBook } from '../../src/sim/exchange/order-book.ts';
import type { ReplayMessage } from '../../src/sim/market/replay/replay-message.ts';
import { openReplaySource } from '../../src/sim/market/replay/replay-source.ts';
import type { ReplayFormat } from '../../src/sim/market/replay/replay-formats.ts';
import { sharedData } from '../support/shared-data.ts';

async function replay(format: ReplayFormat, file: string, symbol: string, tick: number, each: (m: ReplayMessage, book: OrderBook) => void) {
  const source = openReplaySource(format, [sharedData(file)], symbol);
  const book = new OrderBook();
  const ticks = (p: number) => Math.round(p / tick);
  for (let batch = await source.next(); batch; batch = await source.next()) {
    for (const m of batch) {
      if (m.kind === 'book') {
        if (m.snapshot) {
          book.bids.clear();
          book.asks.clear();
        }
        for (let i = 0; i < m.bids.length; i += 2) book.bids.set(ticks(m.bids[i]!), m.bids[i + 1]!);
        for (let i = 0; i < m.asks.length; i += 2) book.asks.set(ticks(m.asks[i]!), m.asks[i + 1]!);
      }
      each(m, book);
    }
  }
  return { book, stats: source.files[0]!.stats };
}

describe('Binance USD-M BTCUSDT recording', () => {
  it('after at least 99% of applied diffs the rebuilt best bid/offer equals the latest bookTicker; never crossed, no gap', async () => {
    let ticker: { bid: number; ask: number } | undefined;
    let diffs = 0;
    let matches = 0;
    let crossed = 0;
    let snapshots = 0;
    const { stats } = await replay('binance_usdm', 'binance-usdm-btcusdt-20240808.gz', 'BTCUSDT', 0.1, (m, book) => {
      if (m.kind === 'ticker') ticker = { bid: Math.round(m.bidPrice * 10), ask: Math.round(m.askPrice * 10) };
      if (m.kind !== 'book') return;
      if (book.crossed()) crossed++;
      if (m.snapshot) {
        snapshots++;
        return;
      }
      diffs++;
      if (ticker && book.bestBid() === ticker.bid && book.bestAsk() === ticker.ask) matches++;
    });
    expect(snapshots).toBe(1);
    // 6,551 diffs in the file, less the 4 wholly before the snapshot's lastUpdateId that the sync rules drop.
    expect(diffs).toBe(6_547);
    expect(matches / diffs).toBeGreaterThanOrEqual(0.99);
    expect(crossed).toBe(0);
    expect(stats.anomalies.sequence_gap).toBeUndefined();
    expect(stats.anomalies.malformed).toBeUndefined();
  });
});

describe('Bybit ob500 XRPUSDT archive', () => {
  it('ends with best bid/offer 1.9537 / 1.9538 and never crosses', async () => {
    let crossed = 0;
    const { book } = await replay('bybit_ob500', 'bybit-xrpusdt-ob500-20241201.data.zip', 'XRPUSDT', 0.0001, (m, b) => {
      if (m.kind === 'book' && b.crossed()) crossed++;
    });
    expect(book.bestBid()).toBe(19537);
    expect(book.bestAsk()).toBe(19538);
    expect(crossed).toBe(0);
  });
});

describe('Bybit v2 BTCUSD websocket recording', () => {
  it('every BTCUSD trade prints within one tick of the rebuilt best bid/offer', async () => {
    const outside: string[] = [];
    let trades = 0;
    await replay('bybit_v2', 'bybit-ws-v2-btcusd-eosusd-20210417.txt', 'BTCUSD', 0.5, (m, book) => {
      if (m.kind !== 'trade') return;
      trades++;
      const p = Math.round(m.price / 0.5);
      const bid = book.bestBid()!;
      const ask = book.bestAsk()!;
      if (p < bid - 1 || p > ask + 1) outside.push(`line ${m.line}: ${m.price} vs ${bid * 0.5}/${ask * 0.5}`);
    });
    expect(trades).toBe(131);
    expect(outside).toEqual([]);
  });

  it('the same holds for EOSUSD from the same file', async () => {
    let trades = 0;
    let outside = 0;
    await replay('bybit_v2', 'bybit-ws-v2-btcusd-eosusd-20210417.txt', 'EOSUSD', 0.001, (m, book) => {
      if (m.kind !== 'trade') return;
      trades++;
      const p = Math.round(m.price / 0.001);
      if (p < book.bestBid()! - 1 || p > book.bestAsk()! + 1) outside++;
    });
    expect(trades).toBe(19);
    expect(outside).toBe(0);
  });
});
