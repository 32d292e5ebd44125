import type { LiveMarketSpec } from '../sim/scenario/schema.ts';
import { newCounters, oneLine } from './live-feed.ts';
import type { FeedListener, LiveFeed } from './live-feed.ts';
import { websocketUrl } from './venue-urls.ts';
import { unixNs } from './wall-clock.ts';
import { WsSession } from './ws-session.ts';

/** Bybit v5 asks for a ping every 20 s to keep a public connection open. */
const PING_MS = 20_000;
/** Order book depth subscribed to (linear: 1, 50, 200 or 500 levels; 50 pushes every 20 ms). */
export const BYBIT_DEPTH = 50;

/**
 * Bybit v5 public linear market data: `orderbook.50.<SYMBOL>` and `publicTrade.<SYMBOL>` on
 * `/v5/public/linear`, `{"op":"ping"}` every 20 s. Bybit sends the book's snapshot on subscribe, so a
 * resync is an unsubscribe and subscribe of the book topic. Every message goes to the listener as a
 * line of the `bybit_v5` recording format (bybit-v5-decoder.ts), synced by the replay's own rules.
 */
export function bybitFeed(m: LiveMarketSpec, wsBase: string, listener: FeedListener): LiveFeed {
  const counters = newCounters();
  const ws = websocketUrl(m.venue, wsBase, []);
  const book = `orderbook.${BYBIT_DEPTH}.${m.symbol}`;
  const trades = `publicTrade.${m.symbol}`;
  /** A resubscription is out, its snapshot not yet in. */
  let awaiting = false;
  let reqId = 0;
  const op = (name: string, args: string[]) => JSON.stringify({ req_id: String(++reqId), op: name, args });
  const session = new WsSession({
    url: ws,
    backoffMs: m.backoff / 1000,
    maxBackoffMs: m.max_backoff / 1000,
    ping: { everyMs: PING_MS, text: JSON.stringify({ op: 'ping' }) },
    onOpen: (send) => {
      counters.connects++;
      awaiting = false;
      send(op('subscribe', [book, trades]));
      listener.up();
    },
    onMessage: (text) => {
      counters.messages++;
      if (awaiting && text.includes('"snapshot"') && text.includes(`"${book}"`)) awaiting = false;
      listener.line(`${unixNs()} ${oneLine(text)}`);
    },
    onDown: (reason, opened) => {
      if (!opened) {
        counters.failed_connects++;
        if (counters.connects > 0 || counters.failed_connects > 1) return;
      } else counters.disconnects++;
      awaiting = false;
      listener.down(reason);
    },
  });
  return {
    counters,
    urls: { ws, rest: undefined },
    start: () => session.start(),
    resync: () => {
      if (awaiting) return;
      awaiting = true;
      counters.snapshot_requests++;
      session.send(op('unsubscribe', [book]));
      session.send(op('subscribe', [book]));
    },
    stop: () => session.stop(),
  };
}
