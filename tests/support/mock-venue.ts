/**
 * A local mock of a venue's public market data (test helper): a websocket and HTTP server on loopback that
 * serves a real recording in the venue's documented live message shapes, at an accelerated pace, with
 * its own order book behind the REST depth snapshot. It follows the venues' documentation, not any client,
 * so that a client deviating from the docs fails against it.
 *
 * - One clock for all clients: the first subscription to a served stream starts the recording, `speed`
 *   times its recorded pace; later clients join it where it is; at the end the sockets stay open and idle.
 * - Binance (mock-venue/binance.ts): `/ws`, `/ws/<stream>`, `/stream?streams=a/b`, live SUBSCRIBE /
 *   UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY combined; USD-M also under `/public` (depth,
 *   bookTicker, trade) and `/market` (aggTrade), an unrouted path getting `/public` streams only. Stream
 *   names are `<lower-case symbol>@depth[@100ms|@250ms|@500ms|@0ms]` (spot: `@depth[@100ms|@1000ms]`),
 *   `@trade`, `@aggTrade`, `@bookTicker`; any other name is acknowledged and silent. The stream begins at
 *   the diff bridging the recording's REST snapshot. REST `/fapi/v1/depth` or `/api/v3/depth` answers the
 *   book as it is after the next diff still to go out, with that diff's u as lastUpdateId (a venue's
 *   snapshot runs ahead of its stream; a client following the docs syncs whether or not it saw the
 *   previous diff); at the end of the recording, the final book and the last u.
 * - Bybit (mock-venue/bybit.ts): `/v5/public/linear`, op subscribe / unsubscribe / ping; orderbook.{1,50,
 *   200,500,1000} computed from the mock's own book; REST `/v5/market/orderbook` (its `u` is the recorded
 *   full book's).
 * - Counters (stats): connections = websockets accepted; snapshotsServed = REST depth answers plus Bybit
 *   subscribe snapshots; messagesSent = data frames written, summed over sockets (replies to requests and
 *   pings not counted; Bybit subscribe snapshots counted); drops = drop events (0 or 1); skippedDiffs (0
 *   or 1); subscriptions = every stream name or topic ever subscribed, first-seen order.
 * - Faults: `dropConnectionAfter` terminates every socket once, after the event during which messagesSent
 *   reached it; `skipDiffAt` withholds, once, the Nth diff (Bybit: the Nth book update) that would have
 *   reached at least one subscriber, still applying it to the mock's book.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { loadBinanceFeed } from './mock-venue/binance.ts';
import { loadBybitFeed } from './mock-venue/bybit.ts';
import { Hub, sendJson } from './mock-venue/hub.ts';

export interface MockVenueOptions {
  venue: 'binance_usdm' | 'binance_spot' | 'bybit_linear';
  /** A file in the project's replay format (Binance `<local ns> <raw JSON>` lines; Bybit ob500 NDJSON, zipped or not). */
  recording: string;
  /** e.g. 'BTCUSDT' */
  symbol: string;
  /** Time acceleration of the recording (default 10). */
  speed?: number;
  /** Close every open websocket once, abruptly, after this many data messages sent. */
  dropConnectionAfter?: number;
  /** Withhold the Nth depth diff/delta once (a sequence gap the client must detect). */
  skipDiffAt?: number;
  /** Default 0 = a free loopback port. */
  port?: number;
}

export interface MockVenue {
  /** ws://127.0.0.1:PORT (base, no path) */
  readonly wsUrl: string;
  /** http://127.0.0.1:PORT */
  readonly restUrl: string;
  stats(): { connections: number; snapshotsServed: number; messagesSent: number; drops: number; skippedDiffs: number; subscriptions: string[] };
  close(): Promise<void>;
}

/** Binance pings every few minutes; the mock pings often enough for a test to see it. */
const PING_INTERVAL_MS = 1000;

export async function startMockVenue(options: MockVenueOptions): Promise<MockVenue> {
  const speed = options.speed ?? 10;
  if (!(speed > 0)) throw new Error(`mock venue: speed must be positive (got ${speed})`);
  const hub = new Hub({ speed, dropConnectionAfter: options.dropConnectionAfter, skipDiffAt: options.skipDiffAt, pingIntervalMs: PING_INTERVAL_MS });
  hub.feed =
    options.venue === 'bybit_linear'
      ? await loadBybitFeed(hub, options.recording, options.symbol)
      : await loadBinanceFeed(hub, options.recording, options.symbol, options.venue === 'binance_spot' ? 'spot' : 'usdm');
  const feed = hub.feed;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && feed.rest(url, req, res)) return;
    sendJson(res, 404, feed.notFound(url, req.method ?? 'GET'));
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!feed.accepts(url)) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      hub.adopt(ws);
      feed.connect(ws, url);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    wsUrl: `ws://127.0.0.1:${port}`,
    restUrl: `http://127.0.0.1:${port}`,
    stats: () => ({
      connections: hub.connections,
      snapshotsServed: hub.snapshotsServed,
      messagesSent: hub.messagesSent,
      drops: hub.drops,
      skippedDiffs: hub.skippedDiffs,
      subscriptions: [...hub.subscriptions],
    }),
    close: () =>
      (closing ??= (async () => {
        await hub.close();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })()),
  };
}
