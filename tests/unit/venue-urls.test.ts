import { describe, expect, it } from 'vitest';
import { DEFAULT_URLS, binanceStreams, snapshotUrl, websocketUrl } from '../../src/live/venue-urls.ts';

describe('live venue URLs', () => {
  it('subscribes to diff depth at the chosen speed, trades and bookTicker, in lower case', () => {
    expect(binanceStreams('binance_usdm', 'BTCUSDT', '100ms')).toEqual(['btcusdt@depth@100ms', 'btcusdt@trade', 'btcusdt@bookTicker']);
    expect(binanceStreams('binance_usdm', 'BTCUSDT', '250ms')[0]).toBe('btcusdt@depth');
    expect(binanceStreams('binance_usdm', 'BTCUSDT', '500ms')[0]).toBe('btcusdt@depth@500ms');
    expect(binanceStreams('binance_spot', 'ETHBTC', '1000ms')[0]).toBe('ethbtc@depth');
  });

  it("adds the venue's documented path to a base without one", () => {
    const s = binanceStreams('binance_usdm', 'BTCUSDT', '100ms');
    expect(websocketUrl('binance_usdm', DEFAULT_URLS.binance_usdm.ws, s)).toBe(
      'wss://fstream.binance.com/stream?streams=btcusdt@depth@100ms/btcusdt@trade/btcusdt@bookTicker',
    );
    expect(websocketUrl('binance_spot', 'wss://stream.binance.com:9443/', s)).toMatch(/^wss:\/\/stream\.binance\.com:9443\/stream\?streams=/);
    expect(websocketUrl('bybit_linear', DEFAULT_URLS.bybit_linear.ws, [])).toBe('wss://stream.bybit.com/v5/public/linear');
    expect(snapshotUrl('binance_usdm', DEFAULT_URLS.binance_usdm.rest!, 'btcusdt')).toBe('https://fapi.binance.com/fapi/v1/depth?symbol=BTCUSDT&limit=1000');
    expect(snapshotUrl('binance_spot', DEFAULT_URLS.binance_spot.rest!, 'BTCUSDT')).toBe('https://api.binance.com/api/v3/depth?symbol=BTCUSDT&limit=1000');
  });

  it('uses a base with a path as it is (Binance adding its streams query)', () => {
    expect(websocketUrl('binance_usdm', 'ws://127.0.0.1:9000/market/stream', ['a@trade'])).toBe('ws://127.0.0.1:9000/market/stream?streams=a@trade');
    expect(websocketUrl('binance_usdm', 'ws://h:1/s?key=1', ['a@trade', 'b@trade'])).toBe('ws://h:1/s?key=1&streams=a@trade/b@trade');
    expect(websocketUrl('bybit_linear', 'ws://127.0.0.1:9000/v5/public/linear-test', [])).toBe('ws://127.0.0.1:9000/v5/public/linear-test');
    expect(snapshotUrl('binance_usdm', 'http://127.0.0.1:9000/proxy/depth', 'BTCUSDT')).toBe('http://127.0.0.1:9000/proxy/depth?symbol=BTCUSDT&limit=1000');
  });

  it('refuses what is not a URL of the right kind', () => {
    expect(() => websocketUrl('binance_usdm', 'fstream.binance.com', [])).toThrow(/ws_url: not a URL/);
    expect(() => websocketUrl('bybit_linear', 'https://stream.bybit.com', [])).toThrow(/ws:\/\/ or wss:\/\//);
    expect(() => snapshotUrl('binance_spot', 'wss://x', 'BTCUSDT')).toThrow(/http/);
  });
});
