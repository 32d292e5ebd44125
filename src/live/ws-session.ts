import WebSocket from 'ws';

export interface WsSessionOptions {
  readonly url: string;
  /** First wait before reconnecting (ms), doubled after each failed attempt up to maxBackoffMs. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  /** Connected: subscribe here. */
  onOpen(send: (text: string) => void): void;
  onMessage(text: string): void;
  /** The connection is lost (closed or errored; `opened`: false when it never opened); a reconnect follows. */
  onDown(reason: string, opened: boolean): void;
  /** Sent every `ping.everyMs` while connected (Bybit's application-level ping). */
  readonly ping?: { readonly everyMs: number; readonly text: string };
  /** Nothing at all (message, ping frame) for this long: the connection is taken as dead (default 60 s). */
  readonly silenceMs?: number;
}

/** Binance pings every 3 minutes at most and streams constantly; Bybit answers our ping every 20 s. */
const DEFAULT_SILENCE_MS = 60_000;

/**
 * One websocket kept open: reconnects with exponential backoff whenever it closes, until `stop`. The
 * backoff starts over once a connection has delivered a message.
 */
export class WsSession {
  private ws: WebSocket | undefined;
  private stopped = false;
  private waitMs: number;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private pinger: ReturnType<typeof setInterval> | undefined;
  private watch: ReturnType<typeof setInterval> | undefined;
  /** Connections opened (the first one included). */
  opened = 0;
  /** Attempts to connect (the first one included). */
  attempts = 0;

  constructor(private readonly opts: WsSessionOptions) {
    this.waitMs = opts.backoffMs;
  }

  start(): void {
    this.connect();
  }

  send(text: string): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  private connect(): void {
    if (this.stopped) return;
    this.attempts++;
    const ws = new WebSocket(this.opts.url, { handshakeTimeout: 10_000 });
    this.ws = ws;
    let down = false;
    let heard = false;
    let open = false;
    let lastHeard = Date.now();
    const silenceMs = this.opts.silenceMs ?? DEFAULT_SILENCE_MS;
    const lost = (reason: string) => {
      if (down) return;
      down = true;
      if (this.pinger) clearInterval(this.pinger);
      if (this.watch) clearInterval(this.watch);
      this.pinger = undefined;
      this.watch = undefined;
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      if (this.stopped) return;
      this.opts.onDown(reason, open);
      if (heard) this.waitMs = this.opts.backoffMs;
      const wait = this.waitMs;
      this.waitMs = Math.min(this.waitMs * 2, this.opts.maxBackoffMs);
      this.retry = setTimeout(() => this.connect(), wait);
    };
    ws.on('open', () => {
      open = true;
      this.opened++;
      this.opts.onOpen((t) => ws.send(t));
      const ping = this.opts.ping;
      if (ping) this.pinger = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(ping.text), ping.everyMs);
      lastHeard = Date.now();
      this.watch = setInterval(() => Date.now() - lastHeard > silenceMs && lost(`silent for ${silenceMs / 1000} s`), Math.min(silenceMs, 1000));
    });
    ws.on('ping', () => (lastHeard = Date.now()));
    ws.on('message', (data, isBinary) => {
      heard = true;
      lastHeard = Date.now();
      const text = isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString();
      this.opts.onMessage(text);
    });
    ws.on('close', (code, reason) => lost(`closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})`));
    ws.on('error', (err) => lost(`error (${err.message})`));
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.pinger) clearInterval(this.pinger);
    if (this.watch) clearInterval(this.watch);
    const ws = this.ws;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
    }
  }
}
