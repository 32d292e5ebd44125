import type { LiveMarketSpec } from '../sim/scenario/schema.ts';
import { newCounters, oneLine } from './live-feed.ts';
import type { FeedListener, LiveFeed } from './live-feed.ts';
import { binanceStreams, snapshotUrl, websocketUrl } from './venue-urls.ts';
import { unixNs } from './wall-clock.ts';
import { WsSession } from './ws-session.ts';

/** Least time between two REST snapshot requests (a depth of 1000 weighs 20 of the 2400 per minute on USD-M). */
const MIN_SNAPSHOT_GAP_MS = 250;

/**
 * Binance USD-M or spot public market data: one combined-stream connection (`<sym>@depth@<speed>`,
 * `<sym>@trade`, `<sym>@bookTicker`), REST depth snapshots on demand. Every message, the snapshots
 * included, goes to the listener as a line of the project's Binance recording format, so the book is
 * synced by the replay's own decoder (binance-book-sync.ts) following "How to manage a local order book
 * correctly". Subscription replies (`{"result":null,"id":N}`) are lines too: the decoder counts them as control.
 */
export function binanceFeed(m: LiveMarketSpec, wsBase: string, restBase: string, listener: FeedListener): LiveFeed {
  const counters = newCounters();
  const ws = websocketUrl(m.venue, wsBase, binanceStreams(m.venue, m.symbol, m.depth_speed));
  const rest = snapshotUrl(m.venue, restBase, m.symbol);
  let inFlight = false;
  let notBefore = 0;
  let backoff = m.backoff / 1000;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const session = new WsSession({
    url: ws,
    backoffMs: m.backoff / 1000,
    maxBackoffMs: m.max_backoff / 1000,
    onOpen: () => {
      counters.connects++;
      listener.up();
    },
    onMessage: (text) => {
      counters.messages++;
      listener.line(`${unixNs()} ${oneLine(text)}`);
    },
    onDown: (reason, opened) => {
      if (!opened) {
        counters.failed_connects++;
        if (counters.connects > 0 || counters.failed_connects > 1) return;
      } else counters.disconnects++;
      listener.down(reason);
    },
  });

  async function fetchSnapshot(): Promise<void> {
    counters.snapshot_requests++;
    try {
      const res = await fetch(rest, { signal: AbortSignal.timeout(10_000) });
      const body = await res.text();
      if (stopped) return;
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      counters.messages++;
      backoff = m.backoff / 1000;
      notBefore = Date.now() + MIN_SNAPSHOT_GAP_MS;
      inFlight = false;
      listener.line(`${unixNs()} ${oneLine(body)}`);
    } catch {
      if (stopped) return;
      counters.snapshot_failures++;
      notBefore = Date.now() + backoff;
      backoff = Math.min(backoff * 2, m.max_backoff / 1000);
      inFlight = false;
    }
  }

  return {
    counters,
    urls: { ws, rest },
    start: () => session.start(),
    resync: () => {
      if (inFlight || stopped || timer) return;
      const wait = notBefore - Date.now();
      inFlight = true;
      if (wait <= 0) void fetchSnapshot();
      else
        timer = setTimeout(() => {
          timer = undefined;
          void fetchSnapshot();
        }, wait);
    },
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      session.stop();
    },
  };
}
