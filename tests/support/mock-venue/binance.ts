import { statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { readLineBatches } from '../../../src/sim/market/replay/line-source.ts';
import { Book } from './book.ts';
import type { Level } from './book.ts';
import type { Feed, Hub } from './hub.ts';
import { sendJson } from './hub.ts';

type Kind = 'depth' | 'trade' | 'aggTrade' | 'bookTicker';
type Market = 'usdm' | 'spot';
type Data = Record<string, unknown>;

interface Event {
  us: number;
  kind: Kind;
  data: Data;
  /** Depth diffs: the update ids as this market prints them (spot renumbered to a contiguous chain). */
  U?: number;
  u?: number;
  pu?: number;
  /** bookTicker: the update id as this market prints it. */
  tickerU?: number;
}

/** Diff depth stream names per the docs (futures: 250 ms default, 500/100 ms; 0 ms as recorded; spot: 1000/100 ms). */
const DEPTH_SUFFIXES: Record<Market, readonly string[]> = {
  usdm: ['depth', 'depth@100ms', 'depth@250ms', 'depth@500ms', 'depth@0ms'],
  spot: ['depth', 'depth@100ms', 'depth@1000ms'],
};
/**
 * USD-M routes its streams by path (docs "Websocket Market Streams"): /public carries the high-frequency book
 * streams, /market the regular ones such as aggTrade; an unrouted /ws or /stream gets only /public data.
 * A stream of the other tier is accepted and stays silent, as it does on the venue.
 */
type Tier = 'public' | 'market' | 'any';
const USDM_TIER: Record<Kind, Tier> = { depth: 'public', bookTicker: 'public', trade: 'public', aggTrade: 'market' };

/** REST depth `limit`: futures accepts only these (default 500); spot any 1..5000 (default 100, larger truncated). */
const USDM_LIMITS = [5, 10, 20, 50, 100, 500, 1000];

interface Snapshot {
  lastUpdateId: number;
  bids: Level[];
  asks: Level[];
}

/** Parsed recordings, shared by the mocks of one test process (events are never mutated once read). */
const parsed = new Map<string, Promise<{ events: readonly Event[]; snapshot: Snapshot }>>();

function readRecordingOnce(path: string, symbol: string): Promise<{ events: readonly Event[]; snapshot: Snapshot }> {
  const st = statSync(path, { throwIfNoEntry: false });
  const key = `${path}\0${symbol}\0${st?.size}\0${st?.mtimeMs}`; // a rewritten file is read again
  let p = parsed.get(key);
  if (!p) {
    p = readRecording(path, symbol);
    parsed.set(key, p);
    p.catch(() => parsed.delete(key));
  }
  return p;
}

/** The recording's lines for `symbol`, and its first REST snapshot (later ones are not needed: the mock keeps its own book). */
async function readRecording(path: string, symbol: string): Promise<{ events: Event[]; snapshot: Snapshot }> {
  const events: Event[] = [];
  let snapshot: Snapshot | undefined;
  let line = 0;
  for await (const batch of readLineBatches(path)) {
    for (const text of batch) {
      line++;
      if (text.trim() === '') continue;
      // `<local ns> <JSON>`, or plain JSON lines (then the pace is the event time E).
      const sp = text.startsWith('{') ? -1 : text.indexOf(' ');
      const ns = sp < 0 ? '' : text.slice(0, sp);
      if (sp >= 0 && (sp < 4 || !/^\d+$/.test(ns))) throw new Error(`${path}:${line}: expected "<local ns> <JSON>" or a JSON line`);
      let obj: Data;
      try {
        obj = JSON.parse(text.slice(sp + 1)) as Data;
      } catch {
        throw new Error(`${path}:${line}: not JSON`);
      }
      if (typeof obj.lastUpdateId === 'number' && Array.isArray(obj.bids)) {
        snapshot ??= { lastUpdateId: obj.lastUpdateId, bids: obj.bids as Level[], asks: obj.asks as Level[] };
        continue;
      }
      const data = (typeof obj.stream === 'string' ? obj.data : obj) as Data;
      if (data?.s !== symbol) continue;
      const kind = kindOf(data);
      const us = ns !== '' ? Number(ns.slice(0, -3)) : Number(data.E ?? data.T) * 1000;
      if (kind) events.push({ us: Number.isFinite(us) ? us : (events.at(-1)?.us ?? 0), kind, data });
    }
  }
  if (!snapshot) throw new Error(`${path}: no REST depth snapshot line ({"lastUpdateId",...}): the mock cannot know the book`);
  return { events, snapshot };
}

function kindOf(d: Data): Kind | undefined {
  if (d.e === 'depthUpdate') return 'depth';
  if (d.e === 'trade') return 'trade';
  if (d.e === 'aggTrade') return 'aggTrade';
  if (d.e === 'bookTicker' || (d.e === undefined && 'B' in d && 'A' in d && 'u' in d)) return 'bookTicker';
  return undefined;
}

/**
 * The stream starts at the first diff that bridges the recorded snapshot (U <= lastUpdateId + 1 and
 * u >= lastUpdateId), wherever it sits in the file: earlier diffs and messages are dropped, so the mock's
 * book is known from the first message on. Futures keep the recorded U/u/pu (a gap recorded stays a gap);
 * spot gets a contiguous chain (each U = previous u + 1), as the Spot docs state.
 */
function fromSnapshot(path: string, all: readonly Event[], snap: Snapshot, market: Market): Event[] {
  const lid = snap.lastUpdateId;
  const first = all.findIndex((e) => e.kind === 'depth' && (e.data.u as number) >= lid);
  if (first < 0 || (all[first]!.data.U as number) > lid + 1)
    throw new Error(`${path}: no depth diff bridges the snapshot's lastUpdateId ${lid}`);
  const out: Event[] = [];
  let prevU: number | undefined; // recorded u of the previous kept diff
  let prevOut: number | undefined; // printed u of the previous kept diff
  let offset = 0; // printed - recorded, spot
  for (const recorded of all.slice(first)) {
    const e = { ...recorded };
    if (e.kind === 'depth') {
      const U = e.data.U as number;
      const u = e.data.u as number;
      if (prevU !== undefined && u <= prevU) continue; // a stale repeat
      if (market === 'spot') {
        const U2 = prevOut === undefined ? U : prevOut + 1;
        offset = U2 - U;
        e.U = U2;
        e.u = u + offset;
      } else {
        e.U = U;
        e.u = u;
        e.pu = typeof e.data.pu === 'number' ? e.data.pu : (prevU ?? U - 1);
      }
      prevU = u;
      prevOut = e.u;
    } else if (e.kind === 'bookTicker') {
      e.tickerU = (e.data.u as number) + offset;
    }
    out.push(e);
  }
  const t0 = out[0]!.us;
  for (const e of out) e.us = Math.max(0, e.us - t0); // copies: the cached recording keeps its times
  return out;
}

class Session {
  readonly streams = new Map<string, Kind | undefined>();
  constructor(
    readonly ws: WebSocket,
    public wrapped: boolean,
    readonly tier: Tier,
  ) {}
}

/** `/ws`, `/ws/<stream>[/...]`, `/stream?streams=`, under `/public` or `/market` on USD-M. */
function route(url: URL, market: Market): { tier: Tier; wrapped: boolean; streams: string[] } | undefined {
  let path = url.pathname;
  let tier: Tier = market === 'spot' ? 'any' : 'public';
  if (market === 'usdm') {
    const m = /^\/(public|market)(\/.*)$/.exec(path);
    if (m) {
      tier = m[1] as Tier;
      path = m[2]!;
    }
  }
  if (path === '/stream') return { tier, wrapped: true, streams: (url.searchParams.get('streams') ?? '').split('/').filter((n) => n !== '') };
  if (path === '/ws' || path.startsWith('/ws/')) return { tier, wrapped: false, streams: path.slice(4).split('/').filter((n) => n !== '') };
  return undefined;
}

export async function loadBinanceFeed(hub: Hub, path: string, symbol: string, market: Market): Promise<Feed> {
  const { events: all, snapshot } = await readRecordingOnce(path, symbol);
  const events = fromSnapshot(path, all, snapshot, market);
  const hasAggTrades = events.some((e) => e.kind === 'aggTrade');
  const lower = symbol.toLowerCase();
  const book = new Book();
  book.replace(snapshot.bids, snapshot.asks);
  let last: Event | undefined; // the last diff applied
  let aggId: number | undefined;
  const sessions = new Set<Session>();
  // nextDepth[i]: the first depth event at or after i (events.length when none).
  const nextDepth = new Int32Array(events.length + 1).fill(events.length);
  for (let i = events.length - 1; i >= 0; i--) nextDepth[i] = events[i]!.kind === 'depth' ? i : nextDepth[i + 1]!;

  const streamKind = (name: string, tier: Tier): Kind | undefined => {
    const at = name.indexOf('@');
    if (at < 0 || name.slice(0, at) !== lower) return undefined;
    const suffix = name.slice(at + 1);
    const kind: Kind | undefined = DEPTH_SUFFIXES[market].includes(suffix)
      ? 'depth'
      : suffix === 'trade' || suffix === 'aggTrade' || suffix === 'bookTicker'
        ? suffix
        : undefined;
    return kind && (tier === 'any' || USDM_TIER[kind] === tier) ? kind : undefined;
  };

  const subscribe = (s: Session, names: readonly string[]): void => {
    let live = false;
    for (const name of names) {
      const kind = streamKind(name, s.tier);
      s.streams.set(name, kind);
      hub.noteSubscription(name);
      if (kind) live = true;
    }
    if (live) hub.start();
  };

  /** Sends one payload to every session subscribed to a stream of this kind, under the name it subscribed. */
  const broadcast = (kind: Kind, data: Data, withholdable: boolean): void => {
    const targets: [Session, string][] = [];
    for (const s of sessions) for (const [name, k] of s.streams) if (k === kind) targets.push([s, name]);
    if (targets.length === 0) return;
    if (withholdable && hub.withholdDiff()) return;
    const json = JSON.stringify(data);
    for (const [s, name] of targets) hub.sendData(s.ws, s.wrapped ? `{"stream":${JSON.stringify(name)},"data":${json}}` : json);
  };

  const depthPayload = (e: Event): Data => {
    const d = e.data;
    return market === 'spot'
      ? { e: 'depthUpdate', E: d.E, s: symbol, U: e.U, u: e.u, b: d.b, a: d.a }
      : { e: 'depthUpdate', E: d.E, T: d.T ?? d.E, s: symbol, U: e.U, u: e.u, pu: e.pu, b: d.b, a: d.a };
  };

  const tradePayload = (d: Data): Data =>
    market === 'spot'
      ? { e: 'trade', E: d.E, s: symbol, t: d.t, p: d.p, q: d.q, T: d.T, m: d.m, M: true }
      : { e: 'trade', E: d.E, T: d.T, s: symbol, t: d.t, p: d.p, q: d.q, X: d.X ?? 'MARKET', m: d.m };

  const aggPayload = (d: Data, a: unknown, f: unknown, l: unknown): Data => {
    const base = { e: 'aggTrade', E: d.E, s: symbol, a, p: d.p, q: d.q, f, l, T: d.T, m: d.m };
    return market === 'spot' ? { ...base, M: true } : base;
  };

  const emit = (i: number): void => {
    const e = events[i]!;
    const d = e.data;
    switch (e.kind) {
      case 'depth':
        book.apply(d.b as Level[], d.a as Level[]);
        last = e;
        broadcast('depth', depthPayload(e), true);
        return;
      case 'trade':
        broadcast('trade', tradePayload(d), false);
        if (!hasAggTrades) {
          // No aggTrade in the recording: each trade is its own aggregate (f = l = its trade id).
          aggId = (aggId ?? (d.t as number)) + 1;
          broadcast('aggTrade', aggPayload(d, aggId - 1, d.t, d.t), false);
        }
        return;
      case 'aggTrade':
        broadcast('aggTrade', aggPayload(d, d.a, d.f, d.l), false);
        return;
      case 'bookTicker':
        broadcast(
          'bookTicker',
          market === 'spot'
            ? { u: e.tickerU, s: symbol, b: d.b, B: d.B, a: d.a, A: d.A }
            : { e: 'bookTicker', u: d.u, s: symbol, b: d.b, B: d.B, a: d.a, A: d.A, T: d.T, E: d.E },
          false,
        );
    }
  };

  /**
   * The snapshot is the book after the next diff still to go out, with that diff's u as lastUpdateId (as a
   * real venue's snapshot runs ahead of its stream). A client that follows the docs (buffer, drop u <
   * lastUpdateId, first event with U <= lastUpdateId <= u, or spot's u <= lastUpdateId dropped then U <=
   * lastUpdateId+1 <= u) syncs with it whether or not it saw the previous diff. At the end of the recording it
   * is the current book and the last diff's u.
   */
  const depthRest = (url: URL, res: ServerResponse): void => {
    const sym = url.searchParams.get('symbol');
    if (!sym) return sendJson(res, 400, { code: -1102, msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed." });
    if (sym !== symbol) return sendJson(res, 400, { code: -1121, msg: 'Invalid symbol.' });
    const raw = url.searchParams.get('limit');
    let limit = market === 'spot' ? 100 : 500;
    if (raw !== null) {
      const n = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
      if (market === 'usdm' ? !USDM_LIMITS.includes(n) : !(n >= 1))
        return sendJson(res, 400, { code: -1130, msg: "Data sent for parameter 'limit' is not valid." });
      limit = Math.min(n, 5000);
    }
    const j = nextDepth[hub.next]!;
    const ahead = j < events.length ? events[j]! : undefined;
    const at = ahead ?? last!;
    const levels = ahead
      ? book.topAfter(limit, ahead.data.b as Level[], ahead.data.a as Level[])
      : { bids: book.bids.top(limit), asks: book.asks.top(limit) };
    hub.snapshotsServed++;
    const body =
      market === 'spot'
        ? { lastUpdateId: at.u, bids: levels.bids, asks: levels.asks }
        : { lastUpdateId: at.u, E: at.data.E, T: at.data.T ?? at.data.E, bids: levels.bids, asks: levels.asks };
    sendJson(res, 200, body);
  };

  const api = market === 'spot' ? '/api/v3' : '/fapi/v1';

  return {
    events: events.length,
    dueUs: (i) => events[i]!.us,
    emit,
    serverPings: true,
    notFound: (url, method) => ({ code: -5000, msg: `Path ${url.pathname}, Method ${method} is invalid` }),
    rest(url: URL, _req: IncomingMessage, res: ServerResponse): boolean {
      if (url.pathname === `${api}/depth`) depthRest(url, res);
      else if (url.pathname === `${api}/ping`) sendJson(res, 200, {});
      else if (url.pathname === `${api}/time`) sendJson(res, 200, { serverTime: Date.now() });
      else return false;
      return true;
    },
    accepts: (url) => route(url, market) !== undefined,
    connect(ws: WebSocket, url: URL): void {
      const r = route(url, market)!;
      const s = new Session(ws, r.wrapped, r.tier);
      sessions.add(s);
      ws.on('close', () => sessions.delete(s));
      subscribe(s, r.streams);
      ws.on('message', (raw) => control(s, String(raw)));
    },
  };

  /** Live subscribing and the other documented requests, with the documented replies. */
  function control(s: Session, text: string): void {
    let msg: { method?: unknown; params?: unknown; id?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return hub.sendControl(s.ws, { error: { code: 3, msg: 'Invalid JSON: expected value at line 1 column 1' } });
    }
    const id = msg.id;
    if (!(id === null || typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0)))
      return hub.sendControl(s.ws, { error: { code: 2, msg: 'Invalid request: request ID must be an unsigned integer' } });
    const params = msg.params;
    const names = Array.isArray(params) && params.every((p) => typeof p === 'string') ? (params as string[]) : undefined;
    switch (msg.method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE':
        if (!names || names.length === 0) return hub.sendControl(s.ws, { error: { code: 2, msg: 'Invalid request: missing field `params`' }, id });
        if (msg.method === 'SUBSCRIBE') subscribe(s, names);
        else for (const n of names) s.streams.delete(n);
        return hub.sendControl(s.ws, { result: null, id });
      case 'LIST_SUBSCRIPTIONS':
        return hub.sendControl(s.ws, { result: [...s.streams.keys()], id });
      case 'SET_PROPERTY':
        if (Array.isArray(params) && params[0] === 'combined' && typeof params[1] === 'boolean') {
          s.wrapped = params[1];
          return hub.sendControl(s.ws, { result: null, id });
        }
        return hub.sendControl(s.ws, { error: { code: 2, msg: 'Invalid request: unknown property' }, id });
      case 'GET_PROPERTY':
        if (Array.isArray(params) && params[0] === 'combined') return hub.sendControl(s.ws, { result: s.wrapped, id });
        return hub.sendControl(s.ws, { error: { code: 2, msg: 'Invalid request: unknown property' }, id });
      default:
        return hub.sendControl(s.ws, { error: { code: 2, msg: `Invalid request: unknown variant \`${String(msg.method)}\`` }, id });
    }
  }
}
