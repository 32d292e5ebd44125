import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { WebSocket } from 'ws';

/** What one venue's protocol module gives the mock: its recorded timeline, REST answers and websocket sessions. */
export interface Feed {
  /** How many timeline events the recording holds from its starting point on. */
  readonly events: number;
  /** Event i's recorded time, µs after event 0 (non-decreasing). */
  dueUs(i: number): number;
  /** Applies event i to the mock's own book and sends it to whoever subscribed (called once per i, in order). */
  emit(i: number): void;
  /** Answers a REST request; false when the path is not this venue's (a 404 follows). */
  rest(url: URL, req: IncomingMessage, res: ServerResponse): boolean;
  /** False when the websocket path is not this venue's (the upgrade is refused with a 404). */
  accepts(url: URL): boolean;
  /** A new websocket session on an accepted path. */
  connect(ws: WebSocket, url: URL): void;
  /** The venue's answer to an unknown REST path (status 404). */
  notFound(url: URL, method: string): unknown;
  /** Server-initiated websocket pings (Binance pings; Bybit expects the client to ping). */
  readonly serverPings: boolean;
}

export interface HubOptions {
  speed: number;
  dropConnectionAfter?: number;
  skipDiffAt?: number;
  pingIntervalMs: number;
}

/** At most this many due events go out in one timer turn, so a late timer cannot starve the HTTP side. */
const BATCH = 500;

/**
 * The state every venue shares: open sockets, counters, the drop and skip faults, and the recording's clock
 * (started by the first subscription, `speed` times the recorded pace, then idle at the end).
 */
export class Hub {
  feed!: Feed;
  readonly sockets = new Set<WebSocket>();
  connections = 0;
  snapshotsServed = 0;
  messagesSent = 0;
  drops = 0;
  skippedDiffs = 0;
  readonly subscriptions: string[] = [];
  private diffsOffered = 0;
  private cursor = 0;
  private startedAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pinger: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: HubOptions) {}

  get started(): boolean {
    return this.startedAt !== undefined;
  }

  /** The index of the next timeline event to go out (events.length at the end). */
  get next(): number {
    return this.cursor;
  }

  adopt(ws: WebSocket): void {
    this.connections++;
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('error', () => this.sockets.delete(ws));
    if (this.feed.serverPings && !this.pinger && !this.closed) {
      this.pinger = setInterval(() => {
        for (const s of this.sockets) if (s.readyState === s.OPEN) s.ping();
      }, this.opts.pingIntervalMs);
    }
  }

  noteSubscription(name: string): void {
    if (!this.subscriptions.includes(name)) this.subscriptions.push(name);
  }

  /** A data message (not a control reply): counted, and it may trip the drop fault after the current event. */
  sendData(ws: WebSocket, text: string): void {
    if (ws.readyState !== ws.OPEN) return;
    ws.send(text);
    this.messagesSent++;
  }

  /** A control reply (subscribe acks, pongs): not a data message. */
  sendControl(ws: WebSocket, value: unknown): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(value));
  }

  /** Called for each diff that would reach at least one subscriber: true when this one is to be withheld. */
  withholdDiff(): boolean {
    this.diffsOffered++;
    if (this.opts.skipDiffAt !== undefined && this.skippedDiffs === 0 && this.diffsOffered === this.opts.skipDiffAt) {
      this.skippedDiffs++;
      return true;
    }
    return false;
  }

  /** The first subscription starts the recording's clock; later ones join it where it is. */
  start(): void {
    if (this.startedAt !== undefined || this.closed) return;
    this.startedAt = performance.now();
    this.tick();
  }

  private tick(): void {
    this.timer = undefined;
    if (this.closed || this.startedAt === undefined) return;
    const feed = this.feed;
    const nowUs = (performance.now() - this.startedAt) * 1000 * this.opts.speed;
    let sent = 0;
    while (this.cursor < feed.events && feed.dueUs(this.cursor) <= nowUs && sent < BATCH) {
      feed.emit(this.cursor++);
      sent++;
      this.maybeDrop();
    }
    if (this.cursor >= feed.events) return; // the end of the recording: connections stay open and idle
    const waitMs = feed.dueUs(this.cursor) / 1000 / this.opts.speed - (performance.now() - this.startedAt);
    this.timer = setTimeout(() => this.tick(), Math.max(0, waitMs));
  }

  private maybeDrop(): void {
    const after = this.opts.dropConnectionAfter;
    if (after === undefined || this.drops > 0 || this.messagesSent < after) return;
    this.drops++;
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.pinger) clearInterval(this.pinger);
    this.timer = this.pinger = undefined;
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
