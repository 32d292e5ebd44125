/**
 * A local mock of a venue's public market data (test helper): a websocket and HTTP server on loopback that
 * serves a real recording in the venue's documented live message shapes, at an accelerated pace, with
 * its own order book behind the REST depth snapshot. It follows the venues' documentation, not any client,
 * so that a client deviating from the docs fails against it. Protocol details: mock-venue/binance.ts and
 * mock-venue/bybit.ts.
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
