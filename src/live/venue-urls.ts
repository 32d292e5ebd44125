import { InputError } from '../core/errors.ts';
import type { LiveVenue } from '../sim/scenario/market-schema.ts';

/** The venues' public endpoints (Binance USD-M / spot market-data docs, Bybit v5 "Connect"). */
export const DEFAULT_URLS: Record<LiveVenue, { readonly ws: string; readonly rest: string | undefined }> = {
  binance_usdm: { ws: 'wss://fstream.binance.com', rest: 'https://fapi.binance.com' },
  binance_spot: { ws: 'wss://stream.binance.com:9443', rest: 'https://api.binance.com' },
  bybit_linear: { ws: 'wss://stream.bybit.com', rest: undefined },
};

/** The Binance streams a session subscribes to: diff depth, trades and the best bid/offer. */
export function binanceStreams(venue: LiveVenue, symbol: string, depthSpeed: string): string[] {
  const s = symbol.toLowerCase();
  // `@depth` alone is the venue's default speed: 250 ms on USD-M, 1000 ms on spot.
  const plain = venue === 'binance_usdm' ? '250ms' : '1000ms';
  return [depthSpeed === plain ? `${s}@depth` : `${s}@depth@${depthSpeed}`, `${s}@trade`, `${s}@bookTicker`];
}

function parse(url: string, what: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new InputError(`${what}: not a URL: ${JSON.stringify(url)}`);
  }
}

const hasPath = (u: URL): boolean => u.pathname !== '' && u.pathname !== '/';

/**
 * The websocket URL to open. `base` without a path (or `/`) gets the venue's documented path:
 * Binance `/stream?streams=a/b/c` (combined streams), Bybit `/v5/public/linear`; a base with a path is used
 * as it is, Binance adding its `streams` query.
 */
export function websocketUrl(venue: LiveVenue, base: string, streams: readonly string[]): string {
  const u = parse(base, 'ws_url');
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new InputError(`ws_url: must be ws:// or wss://, was ${JSON.stringify(base)}`);
  if (venue === 'bybit_linear') {
    if (!hasPath(u)) u.pathname = '/v5/public/linear';
    return u.toString();
  }
  if (!hasPath(u)) u.pathname = '/stream';
  // Binance takes the stream names with literal `/` and `@`: no percent-encoding.
  const query = `streams=${streams.join('/')}`;
  const q = u.search.length > 1 ? `${u.search}&${query}` : `?${query}`;
  return `${u.origin}${u.pathname}${q}`;
}

/** The REST depth snapshot URL: `<base>/fapi/v1/depth` (USD-M) or `<base>/api/v3/depth` (spot) unless base has a path. */
export function snapshotUrl(venue: LiveVenue, base: string, symbol: string, limit = 1000): string {
  const u = parse(base, 'rest_url');
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new InputError(`rest_url: must be http:// or https://, was ${JSON.stringify(base)}`);
  if (!hasPath(u)) u.pathname = venue === 'binance_usdm' ? '/fapi/v1/depth' : '/api/v3/depth';
  u.searchParams.set('symbol', symbol.toUpperCase());
  u.searchParams.set('limit', String(limit));
  return u.toString();
}
