import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { readLineBatches } from '../../../src/sim/market/replay/line-source.ts';
import { Book } from './book.ts';
import type { Level } from './book.ts';
import type { Feed, Hub } from './hub.ts';
import { sendJson } from './hub.ts';

/** The v5 linear orderbook depths (1: snapshots only; 500 as the archive; 1000 since 2025). */
const DEPTHS = [1, 50, 200, 500, 1000] as const;
/** REST /v5/market/orderbook, category linear: limit 1..500, default 25. */
const REST_MAX = 500;
const REST_DEFAULT = 25;

interface Recorded {
  ts: number;
  /** An orderbook message (snapshot or delta) or, when the recording has them, a publicTrade line as recorded. */
  book?: { snapshot: boolean; b: Level[]; a: Level[]; u: number; seq: number; cts: number };
  trade?: string;
}

async function readRecording(path: string, symbol: string): Promise<{ first: Recorded; events: Recorded[] }> {
  const events: Recorded[] = [];
  let first: Recorded | undefined;
  let bookTopic: string | undefined;
  let line = 0;
  for await (const batch of readLineBatches(path)) {
    for (const text of batch) {
      line++;
      if (text.trim() === '') continue;
      let m: { topic?: unknown; type?: unknown; ts?: unknown; cts?: unknown; data?: Record<string, unknown> };
      try {
        m = JSON.parse(text) as typeof m;
      } catch {
        throw new Error(`${path}:${line}: not JSON`);
      }
      if (typeof m.ts !== 'number') continue;
      if (m.topic === `publicTrade.${symbol}`) {
        if (first) events.push({ ts: m.ts, trade: text });
        continue;
      }
      // One book: the orderbook topic of the first snapshot (another depth's lines would not chain with it).
      if (typeof m.topic !== 'string' || !/^orderbook\.\d+\./.test(m.topic) || (bookTopic !== undefined && m.topic !== bookTopic)) continue;
      const d = m.data!;
      if (d.s !== symbol || (m.type !== 'snapshot' && m.type !== 'delta')) continue;
      // u = 1 is a service restart: a snapshot whatever `type` says (v5 orderbook docs).
      const snapshot = m.type === 'snapshot' || d.u === 1;
      const rec: Recorded = {
        ts: m.ts,
        book: { snapshot, b: d.b as Level[], a: d.a as Level[], u: d.u as number, seq: d.seq as number, cts: typeof m.cts === 'number' ? m.cts : m.ts },
      };
      if (!first) {
        if (snapshot) {
          first = rec;
          bookTopic = m.topic;
        }
        continue;
      }
      events.push(rec);
    }
  }
  if (!first) throw new Error(`${path}: no orderbook snapshot for ${symbol}: the mock cannot know the book`);
  return { first, events };
}

interface Topic {
  depth: number;
  name: string;
  /** The top-`depth` view last published, and the topic's update id (+1 per message on the topic). */
  bids: Map<string, string>;
  asks: Map<string, string>;
  u: number;
}

class Session {
  readonly topics = new Set<string>();
  readonly connId = randomUUID();
  constructor(readonly ws: WebSocket) {}
}

/**
 * Bybit v5 public linear: `/v5/public/linear`, `{"op":"subscribe","args":[...]}`. Each orderbook.N topic is
 * computed from the mock's own full book: on subscribe a snapshot of the top N, then a delta whenever the
 * top-N view changes (levels that left the view are sent with size "0"), `u` +1 per message on the topic,
 * `seq`/`ts`/`cts` of the recorded message that caused it. Level 1 pushes only snapshots (docs). Trades:
 * served only when the recording holds publicTrade lines (the project's ob500 archive holds none, so a
 * publicTrade subscription is acknowledged and then silent).
 */
export async function loadBybitFeed(hub: Hub, path: string, symbol: string): Promise<Feed> {
  const { first, events } = await readRecording(path, symbol);
  const book = new Book();
  const f = first.book!;
  book.replace(f.b, f.a);
  let state = { u: f.u, seq: f.seq, ts: first.ts, cts: f.cts };
  const topics = new Map<string, Topic>();
  for (const depth of DEPTHS) {
    const name = `orderbook.${depth}.${symbol}`;
    topics.set(name, { depth, name, bids: new Map(book.bids.top(depth)), asks: new Map(book.asks.top(depth)), u: f.u });
  }
  const tradeTopic = `publicTrade.${symbol}`;
  const sessions = new Set<Session>();
  const t0 = events.length > 0 ? events[0]!.ts : first.ts;

  const message = (t: Topic, type: 'snapshot' | 'delta', b: Level[], a: Level[]) =>
    JSON.stringify({ topic: t.name, type, ts: state.ts, data: { s: symbol, b, a, u: t.u, seq: state.seq }, cts: state.cts });

  const snapshotOf = (t: Topic) => message(t, 'snapshot', book.bids.top(t.depth), book.asks.top(t.depth));

  /** Levels changed between the published view and the new top N; the view becomes the new one. */
  const changes = (view: Map<string, string>, next: Level[]): Level[] => {
    const out: Level[] = [];
    const keep = new Set<string>();
    for (const [p, q] of next) {
      keep.add(p);
      if (view.get(p) !== q) out.push([p, q]);
    }
    for (const p of view.keys()) if (!keep.has(p)) out.push([p, '0']);
    view.clear();
    for (const [p, q] of next) view.set(p, q);
    return out;
  };

  const emit = (i: number): void => {
    const e = events[i]!;
    if (e.trade !== undefined) {
      for (const s of sessions) if (s.topics.has(tradeTopic)) hub.sendData(s.ws, e.trade);
      return;
    }
    const m = e.book!;
    if (m.snapshot) book.replace(m.b, m.a);
    else book.apply(m.b, m.a);
    state = { u: m.u, seq: m.seq, ts: e.ts, cts: m.cts };
    const out: [string, string][] = [];
    for (const t of topics.values()) {
      const bids = book.bids.top(t.depth);
      const asks = book.asks.top(t.depth);
      const db = changes(t.bids, bids);
      const da = changes(t.asks, asks);
      if (db.length === 0 && da.length === 0) continue;
      t.u++;
      const byPrice = (desc: boolean) => (x: Level, y: Level) => (desc ? -1 : 1) * (Number(x[0]) - Number(y[0]));
      out.push([t.name, t.depth === 1 ? message(t, 'snapshot', bids, asks) : message(t, 'delta', db.sort(byPrice(true)), da.sort(byPrice(false)))]);
    }
    const targets: [Session, string][] = [];
    for (const s of sessions) for (const [name, text] of out) if (s.topics.has(name)) targets.push([s, text]);
    if (targets.length === 0 || hub.withholdDiff()) return;
    for (const [s, text] of targets) hub.sendData(s.ws, text);
  };

  const reply = (s: Session, op: string, success: boolean, retMsg: string, reqId: unknown) =>
    hub.sendControl(s.ws, { success, ret_msg: retMsg, conn_id: s.connId, ...(reqId !== undefined ? { req_id: reqId } : {}), op });

  function control(s: Session, text: string): void {
    let msg: { op?: unknown; args?: unknown; req_id?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return reply(s, '', false, 'error:request not json', undefined);
    }
    const op = typeof msg.op === 'string' ? msg.op : '';
    if (op === 'ping') return reply(s, 'ping', true, 'pong', msg.req_id);
    if (op !== 'subscribe' && op !== 'unsubscribe') return reply(s, op, false, `error:unsupported op ${op}`, msg.req_id);
    const args = msg.args;
    if (!Array.isArray(args) || args.length === 0 || !args.every((a) => typeof a === 'string'))
      return reply(s, op, false, 'error:args must be a non-empty array of topics', msg.req_id);
    const problems: string[] = [];
    const added: Topic[] = [];
    for (const arg of args as string[]) {
      const known = topics.has(arg) || arg === tradeTopic;
      if (!known) {
        const m = /^(orderbook\.\d+|publicTrade)\.(.+)$/.exec(arg);
        problems.push(m && (!m[1]!.startsWith('orderbook') || DEPTHS.some((d) => m[1] === `orderbook.${d}`)) ? `Invalid symbol :[${arg}]` : `error:handler not found,topic:${arg}`);
        continue;
      }
      if (op === 'unsubscribe') {
        s.topics.delete(arg);
        continue;
      }
      if (s.topics.has(arg)) {
        problems.push(`error:already subscribed,topic:${arg}`);
        continue;
      }
      s.topics.add(arg);
      hub.noteSubscription(arg);
      const t = topics.get(arg);
      if (t) added.push(t);
    }
    reply(s, op, problems.length === 0, problems.join(';'), msg.req_id);
    for (const t of added) {
      hub.sendData(s.ws, snapshotOf(t));
      hub.snapshotsServed++;
    }
    if (op === 'subscribe' && s.topics.size > 0) hub.start();
  }

  const rest = (url: URL, res: ServerResponse): void => {
    const q = url.searchParams;
    const fail = (retMsg: string) => sendJson(res, 200, { retCode: 10001, retMsg, result: {}, retExtInfo: {}, time: Date.now() });
    if (q.get('category') !== 'linear') return fail('params error: category invalid');
    if (q.get('symbol') !== symbol) return fail('params error: symbol invalid');
    const raw = q.get('limit');
    const limit = raw === null ? REST_DEFAULT : /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
    if (!(limit >= 1 && limit <= REST_MAX)) return fail('params error: limit invalid');
    hub.snapshotsServed++;
    sendJson(res, 200, {
      retCode: 0,
      retMsg: 'OK',
      result: { s: symbol, b: book.bids.top(limit), a: book.asks.top(limit), ts: state.ts, u: state.u, seq: state.seq, cts: state.cts },
      retExtInfo: {},
      time: Date.now(),
    });
  };

  return {
    events: events.length,
    dueUs: (i) => (events[i]!.ts - t0) * 1000,
    emit,
    serverPings: false,
    notFound: () => ({ retCode: 10404, retMsg: 'Not Found', result: {}, retExtInfo: {}, time: Date.now() }),
    rest(url: URL, _req: IncomingMessage, res: ServerResponse): boolean {
      if (url.pathname === '/v5/market/orderbook') rest(url, res);
      else if (url.pathname === '/v5/market/time') {
        const now = Date.now();
        sendJson(res, 200, { retCode: 0, retMsg: 'OK', result: { timeSecond: String(Math.floor(now / 1000)), timeNano: `${now}000000` }, retExtInfo: {}, time: now });
      } else return false;
      return true;
    },
    accepts: (url) => url.pathname === '/v5/public/linear',
    connect(ws: WebSocket): void {
      const s = new Session(ws);
      sessions.add(s);
      ws.on('close', () => sessions.delete(s));
      ws.on('message', (raw) => control(s, String(raw)));
    },
  };
}
