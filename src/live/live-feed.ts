/** What a live feed tells the market: every message as a recording line, and the connection going down and up. */
export interface FeedListener {
  /** One message as received: `<local receive ns> <raw JSON>`, the replay format of the venue. */
  line(text: string): void;
  /** The connection is lost (a reconnect follows). */
  down(reason: string): void;
  /** Connected (again) and subscribed. */
  up(): void;
}

/** The connection's facts for the report. */
export interface FeedCounters {
  /** Connections opened, the first one included. */
  connects: number;
  /** Connections lost. */
  disconnects: number;
  /** Attempts to connect that failed (the venue unreachable, the handshake refused). */
  failed_connects: number;
  /** Snapshots asked for (Binance: REST requests; Bybit: resubscriptions, the snapshot coming on subscribe). */
  snapshot_requests: number;
  /** Snapshot requests that failed (network, HTTP status): retried after the backoff. */
  snapshot_failures: number;
  /** Messages received (websocket and REST). */
  messages: number;
}

export interface LiveFeed {
  start(): void;
  /** The book needs a new snapshot (none yet, a gap, one too old): ask the venue, once at a time. */
  resync(): void;
  stop(): void;
  readonly counters: FeedCounters;
  /** The URLs actually used (report). */
  readonly urls: { readonly ws: string; readonly rest: string | undefined };
}

export const newCounters = (): FeedCounters => ({ connects: 0, disconnects: 0, failed_connects: 0, snapshot_requests: 0, snapshot_failures: 0, messages: 0 });

/** A message on one line: a venue's JSON has no raw newline, but a line must never be split. */
export function oneLine(text: string): string {
  return text.includes('\n') || text.includes('\r') ? text.replace(/[\r\n]+/g, ' ') : text;
}
