import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startMockVenue } from '../support/mock-venue.ts';
import type { MockVenue } from '../support/mock-venue.ts';
import { sharedData } from '../support/shared-data.ts';

const BINANCE = sharedData('binance-usdm-btcusdt-20240808.gz');
const BYBIT = sharedData('bybit-xrpusdt-ob500-20241201.data.zip');

type Json = Record<string, unknown>;
type Lvl = [string, string];

/** A plain ws client that keeps every message and lets a test wait for a condition on them. */
class Client {
  readonly messages: Json[] = [];
  pings = 0;
  readonly closed: Promise<number>;
  private wake: (() => void) | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (m) => {
      this.messages.push(JSON.parse(String(m)) as Json);
      this.wake?.();
    });
    ws.on('ping', () => {
      this.pings++;
      this.wake?.();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  }

  static async open(url: string): Promise<Client> {
    const c = new Client(new WebSocket(url));
    await once(c.ws, 'open');
    return c;
  }

  send(value: unknown): void {
    this.ws.send(JSON.stringify(value));
  }

  /** Resolves with the first non-undefined value of `probe`, re-evaluated on each message. */
  async until<T>(probe: () => T | undefined, what: string, ms = 5000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = probe();
      if (v !== undefined) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what} (${this.messages.length} messages)`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  close(): void {
    this.ws.terminate();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const data = (m: Json): Json => (typeof m.stream === 'string' ? (m.data as Json) : m);
const depths = (c: Client): Json[] => c.messages.map(data).filter((d) => d.e === 'depthUpdate');

async function getJson(url: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Json };
}

/** A test-side book: absolute quantities, "0" deletes. */
class LocalBook {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  reset(b: Lvl[], a: Lvl[]): void {
    this.bids.clear();
    this.asks.clear();
    this.apply(b, a);
  }
  apply(b: Lvl[], a: Lvl[]): void {
    const set = (side: Map<string, string>, [p, q]: Lvl) => {
      if (Number(q) === 0) side.delete(p);
      else side.set(p, q);
    };
    for (const l of b) set(this.bids, l);
    for (const l of a) set(this.asks, l);
  }
  top(n: number): { bids: Lvl[]; asks: Lvl[] } {
    const sort = (m: Map<string, string>, sign: number) => [...m].sort((x, y) => sign * (Number(x[0]) - Number(y[0]))).slice(0, n);
    return { bids: sort(this.bids, -1), asks: sort(this.asks, 1) };
  }
}

/**
 * "How to manage a local order book correctly", done straightforwardly on a client already buffering its
 * diffs: futures drop u < lastUpdateId, the first applied has U <= lastUpdateId <= u, then pu = previous u;
 * spot drops u <= lastUpdateId, the first applied has U <= lastUpdateId + 1 <= u, then U = previous u + 1.
 * Returns the index in depths(c) of the last diff applied and the book; throws on a broken chain.
 */
async function syncBook(c: Client, restUrl: string, market: 'usdm' | 'spot', from = 0) {
  const path = market === 'spot' ? '/api/v3/depth' : '/fapi/v1/depth';
  const snap = (await getJson(`${restUrl}${path}?symbol=BTCUSDT&limit=1000`)).body;
  const lid = snap.lastUpdateId as number;
  const book = new LocalBook();
  book.reset(snap.bids as Lvl[], snap.asks as Lvl[]);
  const first = await c.until(() => {
    const ds = depths(c);
    for (let i = from; i < ds.length; i++) {
      const u = ds[i]!.u as number;
      if (market === 'usdm' ? u >= lid : u > lid) return i;
    }
    return undefined;
  }, 'the diff bridging the snapshot');
  const d0 = depths(c)[first]!;
  const bound = market === 'usdm' ? lid : lid + 1;
  expect(d0.U as number).toBeLessThanOrEqual(bound);
  expect(d0.u as number).toBeGreaterThanOrEqual(bound);
  book.apply(d0.b as Lvl[], d0.a as Lvl[]);
  return { book, at: first, lastU: d0.u as number };
}

/** Applies the buffered diffs after `at` until one with u = targetU is applied, checking the chain. */
async function applyUntil(c: Client, s: { book: LocalBook; at: number; lastU: number }, market: 'usdm' | 'spot', targetU: number) {
  await c.until(() => (depths(c).some((d) => (d.u as number) >= targetU) ? true : undefined), `a diff reaching u=${targetU}`);
  const ds = depths(c);
  while (s.lastU < targetU) {
    const d = ds[++s.at]!;
    if (market === 'usdm') expect(d.pu).toBe(s.lastU);
    else expect(d.U).toBe(s.lastU + 1);
    s.book.apply(d.b as Lvl[], d.a as Lvl[]);
    s.lastU = d.u as number;
  }
  expect(s.lastU).toBe(targetU);
}

/** The rebuilt book equals a later REST snapshot once the diffs up to its lastUpdateId are applied (top 100: the
 * client's book only knows the snapshot's 1000 levels, the mock's deeper ones may move into view). */
async function expectRebuiltMatchesRest(c: Client, restUrl: string, market: 'usdm' | 'spot', s: { book: LocalBook; at: number; lastU: number }) {
  const path = market === 'spot' ? '/api/v3/depth' : '/fapi/v1/depth';
  const later = (await getJson(`${restUrl}${path}?symbol=BTCUSDT&limit=1000`)).body;
  await applyUntil(c, s, market, later.lastUpdateId as number);
  const mine = s.book.top(100);
  expect(mine.bids).toEqual((later.bids as Lvl[]).slice(0, 100));
  expect(mine.asks).toEqual((later.asks as Lvl[]).slice(0, 100));
  expect(Number(mine.bids[0]![0])).toBeLessThan(Number(mine.asks[0]![0]));
}

describe('mock venue: binance_usdm', () => {
  let venue: MockVenue;
  beforeAll(async () => {
    venue = await startMockVenue({ venue: 'binance_usdm', recording: BINANCE, symbol: 'BTCUSDT', speed: 20 });
  });
  afterAll(() => venue.close());

  it('serves a combined stream under the subscribed names, in the documented futures shapes, pu chaining', async () => {
    const c = await Client.open(`${venue.wsUrl}/stream?streams=btcusdt@depth@100ms/btcusdt@trade/btcusdt@bookTicker`);
    await c.until(() => (depths(c).length >= 20 ? true : undefined), '20 diffs');
    c.close();
    const names = new Set(c.messages.map((m) => m.stream));
    expect(names).toEqual(new Set(['btcusdt@depth@100ms', 'btcusdt@trade', 'btcusdt@bookTicker']));
    for (const m of c.messages) {
      expect(Object.keys(m)).toEqual(['stream', 'data']);
      const d = m.data as Json;
      expect(d.s).toBe('BTCUSDT');
      if (m.stream === 'btcusdt@depth@100ms') expect(Object.keys(d).sort()).toEqual(['E', 'T', 'U', 'a', 'b', 'e', 'pu', 's', 'u'].sort());
      if (m.stream === 'btcusdt@trade') expect(d).toMatchObject({ e: 'trade', t: expect.any(Number), p: expect.any(String), q: expect.any(String), m: expect.any(Boolean) });
      if (m.stream === 'btcusdt@bookTicker') expect(Object.keys(d).sort()).toEqual(['A', 'B', 'E', 'T', 'a', 'b', 'e', 's', 'u'].sort());
    }
    const ds = depths(c);
    for (let i = 1; i < ds.length; i++) expect(ds[i]!.pu).toBe(ds[i - 1]!.u);
    for (const d of ds) expect(d.U as number).toBeLessThanOrEqual(d.u as number);
  });

  it('a book rebuilt per the docs from a REST snapshot and the raw stream matches a later REST snapshot', async () => {
    const c = await Client.open(`${venue.wsUrl}/ws/btcusdt@depth`);
    await c.until(() => (depths(c).length >= 3 ? true : undefined), 'buffered diffs');
    const s = await syncBook(c, venue.restUrl, 'usdm');
    await c.until(() => (depths(c).length > s.at + 30 ? true : undefined), '30 more diffs');
    await expectRebuiltMatchesRest(c, venue.restUrl, 'usdm', s);
    c.close();
  });

  it('syncs when the snapshot is taken before the first buffered diff (the snapshot runs ahead of the stream)', async () => {
    const c = await Client.open(`${venue.wsUrl}/ws/btcusdt@depth@0ms`);
    const s = await syncBook(c, venue.restUrl, 'usdm');
    await c.until(() => (depths(c).length > s.at + 10 ? true : undefined), '10 more diffs');
    await expectRebuiltMatchesRest(c, venue.restUrl, 'usdm', s);
    c.close();
  });

  it('answers live SUBSCRIBE, LIST_SUBSCRIPTIONS and UNSUBSCRIBE as documented, raw messages on /ws', async () => {
    const c = await Client.open(`${venue.wsUrl}/ws`);
    c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade', 'btcusdt@depth@500ms'], id: 1 });
    await c.until(() => c.messages.find((m) => m.id === 1), 'the SUBSCRIBE reply');
    expect(c.messages.find((m) => m.id === 1)).toEqual({ result: null, id: 1 });
    c.send({ method: 'LIST_SUBSCRIPTIONS', id: 2 });
    expect(await c.until(() => c.messages.find((m) => m.id === 2), 'the list')).toEqual({ result: ['btcusdt@trade', 'btcusdt@depth@500ms'], id: 2 });
    await c.until(() => (depths(c).length >= 3 && c.messages.some((m) => m.e === 'trade') ? true : undefined), 'diffs and trades');
    expect(c.messages.some((m) => 'stream' in m)).toBe(false);
    c.send({ method: 'UNSUBSCRIBE', params: ['btcusdt@depth@500ms'], id: 3 });
    await c.until(() => c.messages.find((m) => m.id === 3), 'the UNSUBSCRIBE reply');
    const after = c.messages.length;
    const trades = () => c.messages.slice(after).filter((m) => m.e === 'trade').length;
    await c.until(() => (trades() >= 5 ? true : undefined), 'trades after unsubscribing');
    expect(c.messages.slice(after).filter((m) => m.e === 'depthUpdate')).toEqual([]);
    c.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: -4 });
    expect(await c.until(() => c.messages.find((m) => 'error' in m), 'the error')).toMatchObject({ error: { code: 2 } });
    c.close();
    expect(venue.stats().subscriptions).toEqual(expect.arrayContaining(['btcusdt@trade', 'btcusdt@depth@500ms', 'btcusdt@depth@100ms', 'btcusdt@depth']));
  });

  it('routes USD-M streams by path: aggTrade on /market, the book on /public or unrouted, the other tier silent', async () => {
    const market = await Client.open(`${venue.wsUrl}/market/stream?streams=btcusdt@aggTrade/btcusdt@depth`);
    const pub = await Client.open(`${venue.wsUrl}/public/ws/btcusdt@depth`);
    const legacy = await Client.open(`${venue.wsUrl}/ws/btcusdt@aggTrade`);
    await market.until(() => (market.messages.length >= 5 ? true : undefined), 'aggTrades on /market');
    await pub.until(() => (depths(pub).length >= 3 ? true : undefined), 'diffs on /public');
    expect(new Set(market.messages.map((m) => m.stream))).toEqual(new Set(['btcusdt@aggTrade']));
    const agg = market.messages[0]!.data as Json;
    expect(Object.keys(agg).sort()).toEqual(['E', 'T', 'a', 'e', 'f', 'l', 'm', 'p', 'q', 's'].sort());
    const aggs = market.messages.map((m) => (m.data as Json).a as number);
    for (let i = 1; i < aggs.length; i++) expect(aggs[i]).toBe(aggs[i - 1]! + 1);
    expect(legacy.messages).toEqual([]);
    for (const c of [market, pub, legacy]) c.close();
  });

  it('sends no data for a stream name the docs do not spell (an upper-case symbol)', async () => {
    const c = await Client.open(`${venue.wsUrl}/stream?streams=BTCUSDT@depth`);
    await sleep(300);
    expect(c.messages).toEqual([]);
    c.close();
  });

  it('REST depth honours limit and answers errors as Binance does; unknown paths are 404', async () => {
    const ok = await getJson(`${venue.restUrl}/fapi/v1/depth?symbol=BTCUSDT&limit=5`);
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body)).toEqual(['lastUpdateId', 'E', 'T', 'bids', 'asks']);
    const bids = ok.body.bids as Lvl[];
    const asks = ok.body.asks as Lvl[];
    expect([bids.length, asks.length]).toEqual([5, 5]);
    for (let i = 1; i < 5; i++) {
      expect(Number(bids[i]![0])).toBeLessThan(Number(bids[i - 1]![0]));
      expect(Number(asks[i]![0])).toBeGreaterThan(Number(asks[i - 1]![0]));
    }
    expect(((await getJson(`${venue.restUrl}/fapi/v1/depth?symbol=BTCUSDT`)).body.bids as Lvl[]).length).toBe(500);
    expect(await getJson(`${venue.restUrl}/fapi/v1/depth?symbol=ETHUSDT`)).toEqual({ status: 400, body: { code: -1121, msg: 'Invalid symbol.' } });
    expect(await getJson(`${venue.restUrl}/fapi/v1/depth?symbol=BTCUSDT&limit=7`)).toMatchObject({ status: 400, body: { code: -1130 } });
    expect(await getJson(`${venue.restUrl}/fapi/v1/depth`)).toMatchObject({ status: 400, body: { code: -1102 } });
    expect(await getJson(`${venue.restUrl}/api/v3/depth?symbol=BTCUSDT`)).toMatchObject({ status: 404, body: { code: expect.any(Number), msg: expect.any(String) } });
    const ws = new WebSocket(`${venue.wsUrl}/v5/public/linear`);
    ws.on('error', () => {});
    const [, res] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(res.statusCode).toBe(404);
    ws.terminate();
  });

  it('pings its clients; answering pongs keeps the stream flowing', async () => {
    const c = await Client.open(`${venue.wsUrl}/ws/btcusdt@trade`);
    await c.until(() => (c.pings > 0 ? true : undefined), 'a ping', 3000);
    const n = c.messages.length;
    await c.until(() => (c.messages.length > n + 3 ? true : undefined), 'trades after the ping');
    c.close();
  });
});

describe('mock venue: binance_usdm faults', () => {
  it('withholds the Nth diff once (pu breaks), drops every socket once, then serves reconnects from the current point', async () => {
    const venue = await startMockVenue({ venue: 'binance_usdm', recording: BINANCE, symbol: 'BTCUSDT', speed: 20, skipDiffAt: 5, dropConnectionAfter: 400 });
    try {
      const c = await Client.open(`${venue.wsUrl}/stream?streams=btcusdt@depth/btcusdt@trade`);
      const code = await c.closed;
      expect(code).toBe(1006); // abrupt: no close frame
      const st = venue.stats();
      expect(st).toMatchObject({ drops: 1, skippedDiffs: 1, connections: 1 });
      expect(st.messagesSent).toBeGreaterThanOrEqual(400);
      expect(c.messages.length).toBeLessThanOrEqual(st.messagesSent);
      const ds = depths(c);
      const breaks = ds.flatMap((d, i) => (i > 0 && d.pu !== ds[i - 1]!.u ? [i] : []));
      expect(breaks).toEqual([4]);
      expect(ds[4]!.pu as number).toBeGreaterThan(ds[3]!.u as number);

      const r = await Client.open(`${venue.wsUrl}/ws/btcusdt@depth`);
      const first = await r.until(() => depths(r)[0], 'a diff after reconnecting');
      expect(first.u as number).toBeGreaterThan(ds.at(-1)!.u as number);
      const s = await syncBook(r, venue.restUrl, 'usdm');
      await r.until(() => (depths(r).length > s.at + 20 ? true : undefined), 'diffs after resync');
      await expectRebuiltMatchesRest(r, venue.restUrl, 'usdm', s);
      await r.until(() => (venue.stats().messagesSent > 900 ? true : undefined), '500 more messages');
      expect(r.ws.readyState).toBe(WebSocket.OPEN);
      expect(venue.stats()).toMatchObject({ drops: 1, skippedDiffs: 1, connections: 2 });
      r.close();
    } finally {
      await venue.close();
    }
  });
});

describe('mock venue: binance_spot', () => {
  let venue: MockVenue;
  beforeAll(async () => {
    venue = await startMockVenue({ venue: 'binance_spot', recording: BINANCE, symbol: 'BTCUSDT', speed: 20, skipDiffAt: 3 });
  });
  afterAll(() => venue.close());

  it('converts the recording to the Spot shapes, a contiguous chain but for the one withheld diff', async () => {
    const c = await Client.open(`${venue.wsUrl}/stream?streams=btcusdt@depth@100ms/btcusdt@trade/btcusdt@bookTicker`);
    await c.until(() => (depths(c).length >= 20 ? true : undefined), '20 diffs');
    c.close();
    for (const m of c.messages) {
      const d = m.data as Json;
      const keys = Object.keys(d).sort();
      if (m.stream === 'btcusdt@depth@100ms') expect(keys).toEqual(['E', 'U', 'a', 'b', 'e', 's', 'u'].sort());
      else if (m.stream === 'btcusdt@trade') expect(keys).toEqual(['E', 'M', 'T', 'e', 'm', 'p', 'q', 's', 't'].sort());
      else expect(keys).toEqual(['A', 'B', 'a', 'b', 's', 'u'].sort());
    }
    const ds = depths(c);
    const gaps = ds.flatMap((d, i) => (i > 0 && d.U !== (ds[i - 1]!.u as number) + 1 ? [i] : []));
    expect(gaps).toEqual([2]);
    expect(ds[2]!.U as number).toBeGreaterThan((ds[1]!.u as number) + 1);
    expect(venue.stats().skippedDiffs).toBe(1);
  });

  it('a book rebuilt per the Spot docs matches a later /api/v3/depth', async () => {
    const c = await Client.open(`${venue.wsUrl}/ws/btcusdt@depth`);
    await c.until(() => (depths(c).length >= 2 ? true : undefined), 'buffered diffs');
    const s = await syncBook(c, venue.restUrl, 'spot');
    await c.until(() => (depths(c).length > s.at + 30 ? true : undefined), '30 more diffs');
    await expectRebuiltMatchesRest(c, venue.restUrl, 'spot', s);
    c.close();
  });

  it('REST /api/v3/depth: the Spot shape, default 100, limits up to 5000; futures paths are 404', async () => {
    const ok = await getJson(`${venue.restUrl}/api/v3/depth?symbol=BTCUSDT`);
    expect(Object.keys(ok.body)).toEqual(['lastUpdateId', 'bids', 'asks']);
    expect((ok.body.bids as Lvl[]).length).toBe(100);
    expect((await getJson(`${venue.restUrl}/api/v3/depth?symbol=BTCUSDT&limit=7`)).status).toBe(200);
    expect((await getJson(`${venue.restUrl}/api/v3/depth?symbol=BTCUSDT&limit=9000`)).status).toBe(200);
    expect(await getJson(`${venue.restUrl}/api/v3/depth?symbol=BTCUSDT&limit=0`)).toMatchObject({ status: 400, body: { code: -1130 } });
    expect((await getJson(`${venue.restUrl}/fapi/v1/depth?symbol=BTCUSDT`)).status).toBe(404);
  });
});

/** Bybit: a book per topic from the subscribe snapshot and its deltas, checking u + 1 per message. */
function bybitBook(c: Client, topic: string): { book: LocalBook; us: number[] } {
  const book = new LocalBook();
  const us: number[] = [];
  for (const m of c.messages) {
    if (m.topic !== topic) continue;
    const d = m.data as { b: Lvl[]; a: Lvl[]; u: number };
    if (m.type === 'snapshot') book.reset(d.b, d.a);
    else book.apply(d.b, d.a);
    us.push(d.u);
  }
  return { book, us };
}

async function bybitRest(v: MockVenue, limit: number): Promise<{ b: Lvl[]; a: Lvl[]; u: number }> {
  const { body } = await getJson(`${v.restUrl}/v5/market/orderbook?category=linear&symbol=XRPUSDT&limit=${limit}`);
  expect(body).toMatchObject({ retCode: 0, retMsg: 'OK', time: expect.any(Number) });
  expect(Object.keys(body.result as Json).sort()).toEqual(['a', 'b', 'cts', 's', 'seq', 'ts', 'u'].sort());
  return body.result as { b: Lvl[]; a: Lvl[]; u: number };
}

/** The recording has ended when the venue has sent nothing for a while. */
async function idle(v: MockVenue): Promise<void> {
  for (let last = -1; ; ) {
    const n = v.stats().messagesSent;
    if (n === last) return;
    last = n;
    await sleep(400);
  }
}

describe('mock venue: bybit_linear', () => {
  it('subscribe, snapshot then deltas (u + 1), pong, and the rebuilt top 50 equals REST at the end', async () => {
    const venue = await startMockVenue({ venue: 'bybit_linear', recording: BYBIT, symbol: 'XRPUSDT', speed: 10 });
    try {
      const c = await Client.open(`${venue.wsUrl}/v5/public/linear`);
      c.send({ op: 'subscribe', args: ['orderbook.50.XRPUSDT', 'publicTrade.XRPUSDT'], req_id: 'r1' });
      const ack = await c.until(() => c.messages.find((m) => m.op === 'subscribe'), 'the ack');
      expect(ack).toEqual({ success: true, ret_msg: '', conn_id: expect.any(String), req_id: 'r1', op: 'subscribe' });
      const snap = await c.until(() => c.messages.find((m) => m.type === 'snapshot'), 'the snapshot');
      expect(Object.keys(snap).sort()).toEqual(['cts', 'data', 'topic', 'ts', 'type']);
      expect(snap.topic).toBe('orderbook.50.XRPUSDT');
      const sd = snap.data as { s: string; b: Lvl[]; a: Lvl[] };
      expect(Object.keys(sd).sort()).toEqual(['a', 'b', 's', 'seq', 'u']);
      expect([sd.s, sd.b.length, sd.a.length]).toEqual(['XRPUSDT', 50, 50]);
      expect(Number(sd.b[0]![0])).toBeGreaterThan(Number(sd.b[1]![0]));
      expect(Number(sd.a[0]![0])).toBeLessThan(Number(sd.a[1]![0]));
      c.send({ op: 'ping', req_id: 'p' });
      expect(await c.until(() => c.messages.find((m) => m.op === 'ping'), 'the pong')).toEqual({ success: true, ret_msg: 'pong', conn_id: ack.conn_id, req_id: 'p', op: 'ping' });
      const late = await Client.open(`${venue.wsUrl}/v5/public/linear`);
      late.send({ op: 'subscribe', args: ['orderbook.500.XRPUSDT', 'orderbook.1.XRPUSDT'] });
      await idle(venue);
      const { book, us } = bybitBook(c, 'orderbook.50.XRPUSDT');
      expect(us.length).toBeGreaterThan(10);
      for (let i = 1; i < us.length; i++) expect(us[i]).toBe(us[i - 1]! + 1);
      expect(c.messages.filter((m) => m.type === 'delta').every((m) => m.topic === 'orderbook.50.XRPUSDT')).toBe(true);
      expect(c.messages.some((m) => String(m.topic).startsWith('publicTrade'))).toBe(false); // the recording holds no trades
      const rest = await bybitRest(venue, 50);
      expect(book.top(60)).toEqual({ bids: rest.b, asks: rest.a });
      const deep = bybitBook(late, 'orderbook.500.XRPUSDT').book.top(500);
      expect(deep).toEqual(await bybitRest(venue, 500).then((r) => ({ bids: r.b, asks: r.a })));
      const l1 = late.messages.filter((m) => m.topic === 'orderbook.1.XRPUSDT');
      expect(l1.every((m) => m.type === 'snapshot')).toBe(true);
      expect((l1.at(-1)!.data as { b: Lvl[] }).b).toEqual(rest.b.slice(0, 1));
      expect(venue.stats().subscriptions).toEqual(['orderbook.50.XRPUSDT', 'publicTrade.XRPUSDT', 'orderbook.500.XRPUSDT', 'orderbook.1.XRPUSDT']);
      c.send({ op: 'subscribe', args: ['orderbook.7.XRPUSDT', 'orderbook.50.BTCUSDT'], req_id: 'bad' });
      expect(await c.until(() => c.messages.find((m) => m.req_id === 'bad'), 'the refusal')).toMatchObject({ success: false, op: 'subscribe' });
      expect((await getJson(`${venue.restUrl}/v5/market/orderbook?category=linear&symbol=BTCUSDT`)).body).toMatchObject({ retCode: 10001 });
      expect((await getJson(`${venue.restUrl}/v5/market/orderbook?category=spot&symbol=XRPUSDT`)).body).toMatchObject({ retCode: 10001 });
      expect(await getJson(`${venue.restUrl}/fapi/v1/depth?symbol=XRPUSDT`)).toMatchObject({ status: 404, body: { retCode: 10404 } });
      c.close();
      late.close();
    } finally {
      await venue.close();
    }
  });

  it('withholds one delta (u jumps), drops once, and a resubscribe after the drop starts from a fresh snapshot', async () => {
    const venue = await startMockVenue({ venue: 'bybit_linear', recording: BYBIT, symbol: 'XRPUSDT', speed: 4, skipDiffAt: 3, dropConnectionAfter: 15 });
    try {
      const c = await Client.open(`${venue.wsUrl}/v5/public/linear`);
      c.send({ op: 'subscribe', args: ['orderbook.50.XRPUSDT'] });
      expect(await c.closed).toBe(1006);
      const { us } = bybitBook(c, 'orderbook.50.XRPUSDT');
      const jumps = us.flatMap((u, i) => (i > 0 && u !== us[i - 1]! + 1 ? [u - us[i - 1]!] : []));
      expect(jumps).toEqual([2]);
      expect(venue.stats()).toMatchObject({ drops: 1, skippedDiffs: 1, messagesSent: 15 });
      const r = await Client.open(`${venue.wsUrl}/v5/public/linear`);
      r.send({ op: 'subscribe', args: ['orderbook.50.XRPUSDT'] });
      await idle(venue);
      const again = bybitBook(r, 'orderbook.50.XRPUSDT');
      expect(r.messages.find((m) => 'topic' in m)!.type).toBe('snapshot');
      expect(again.us[0]!).toBeGreaterThanOrEqual(us.at(-1)!); // the snapshot carries the topic's current u
      for (let i = 1; i < again.us.length; i++) expect(again.us[i]).toBe(again.us[i - 1]! + 1);
      const rest = await bybitRest(venue, 50);
      expect(again.book.top(60)).toEqual({ bids: rest.b, asks: rest.a });
      expect(venue.stats()).toMatchObject({ drops: 1, connections: 2, snapshotsServed: 3 });
      r.close();
    } finally {
      await venue.close();
    }
  });
});

describe('mock venue: hand-written recordings (the exact rules)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mock-venue-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const diff = (E: number, U: number, u: number, pu: number, b: Lvl[], a: Lvl[]) => ({ stream: 'btcusdt@depth@0ms', data: { e: 'depthUpdate', E, T: E, s: 'BTCUSDT', U, u, pu, b, a } });
  const binanceLines = [
    diff(1000, 1, 5, 0, [['100.0', '1']], []), // older than the snapshot: never served
    { stream: 'btcusdt@trade', data: { e: 'trade', E: 1001, T: 1001, s: 'BTCUSDT', t: 7, p: '100.0', q: '1', X: 'MARKET', m: true } },
    diff(1002, 6, 10, 5, [['100.0', '2'], ['99.0', '1']], [['101.0', '3']]), // bridges lastUpdateId 8
    { lastUpdateId: 8, E: 1003, T: 1003, bids: [['100.0', '1.5'], ['98.0', '4']], asks: [['101.0', '2'], ['102.0', '5']] },
    diff(1004, 11, 12, 10, [['98.0', '0']], [['101.5', '1']]),
    { stream: 'btcusdt@bookTicker', data: { e: 'bookTicker', u: 13, s: 'BTCUSDT', b: '100.0', B: '2', a: '101.0', A: '3', T: 1005, E: 1005 } },
    diff(1006, 15, 20, 12, [], [['101.0', '0']]),
    { stream: 'ethusdt@trade', data: { e: 'trade', E: 1007, T: 1007, s: 'ETHUSDT', t: 1, p: '1', q: '1', X: 'MARKET', m: true } },
  ];
  const binanceFile = join(dir, 'binance.txt');
  writeFileSync(binanceFile, binanceLines.map((l, i) => `${1_700_000_000_000_000_000 + i * 1_000_000} ${JSON.stringify(l)}`).join('\n'));

  it('usdm: starts at the diff bridging the snapshot, serves the book ahead by the next diff, then the final book', async () => {
    const v = await startMockVenue({ venue: 'binance_usdm', recording: binanceFile, symbol: 'BTCUSDT', speed: 1 });
    try {
      expect((await getJson(`${v.restUrl}/fapi/v1/depth?symbol=BTCUSDT&limit=5`)).body).toEqual({
        lastUpdateId: 10, E: 1002, T: 1002, bids: [['100.0', '2'], ['99.0', '1'], ['98.0', '4']], asks: [['101.0', '3'], ['102.0', '5']],
      });
      const c = await Client.open(`${v.wsUrl}/ws/btcusdt@depth`);
      await c.until(() => (depths(c).length === 3 ? true : undefined), 'the three diffs');
      expect(depths(c).map((d) => [d.U, d.u, d.pu])).toEqual([[6, 10, 5], [11, 12, 10], [15, 20, 12]]);
      await idle(v);
      expect((await getJson(`${v.restUrl}/fapi/v1/depth?symbol=BTCUSDT&limit=5`)).body).toEqual({
        lastUpdateId: 20, E: 1006, T: 1006, bids: [['100.0', '2'], ['99.0', '1']], asks: [['101.5', '1'], ['102.0', '5']],
      });
      c.close();
    } finally {
      await v.close();
    }
  });

  it('spot: the same book, update ids renumbered into one contiguous chain (bookTicker u follows)', async () => {
    const plain = join(dir, 'binance-plain.txt');
    writeFileSync(plain, binanceLines.map((l) => JSON.stringify(l)).join('\n')); // no local time: paced by E
    const v = await startMockVenue({ venue: 'binance_spot', recording: plain, symbol: 'BTCUSDT', speed: 1 });
    try {
      const c = await Client.open(`${v.wsUrl}/stream?streams=btcusdt@depth/btcusdt@bookTicker/btcusdt@trade`);
      await c.until(() => (c.messages.length === 4 ? true : undefined), 'four messages');
      expect(c.messages.map((m) => m.data)).toEqual([
        { e: 'depthUpdate', E: 1002, s: 'BTCUSDT', U: 6, u: 10, b: [['100.0', '2'], ['99.0', '1']], a: [['101.0', '3']] },
        { e: 'depthUpdate', E: 1004, s: 'BTCUSDT', U: 11, u: 12, b: [['98.0', '0']], a: [['101.5', '1']] },
        { u: 13, s: 'BTCUSDT', b: '100.0', B: '2', a: '101.0', A: '3' },
        { e: 'depthUpdate', E: 1006, s: 'BTCUSDT', U: 13, u: 18, b: [], a: [['101.0', '0']] },
      ]);
      await idle(v);
      expect((await getJson(`${v.restUrl}/api/v3/depth?symbol=BTCUSDT`)).body).toEqual({ lastUpdateId: 18, bids: [['100.0', '2'], ['99.0', '1']], asks: [['101.5', '1'], ['102.0', '5']] });
      c.close();
    } finally {
      await v.close();
    }
  });

  it('bybit: deltas of the top-N view (levels leaving it sent as "0"), level 1 as snapshots only', async () => {
    const ob = (type: string, ts: number, u: number, b: Lvl[], a: Lvl[]) => JSON.stringify({ topic: 'orderbook.500.XRPUSDT', type, ts, data: { s: 'XRPUSDT', b, a, u, seq: 100 + u }, cts: ts - 1 });
    const file = join(dir, 'bybit.data');
    writeFileSync(
      file,
      [
        ob('snapshot', 5000, 40, [['1.0', '10'], ['0.9', '5']], [['1.1', '7']]),
        ob('delta', 5010, 41, [['1.0', '0']], []),
        ob('delta', 5020, 42, [], [['1.2', '3']]),
      ].join('\n'),
    );
    const v = await startMockVenue({ venue: 'bybit_linear', recording: file, symbol: 'XRPUSDT', speed: 1 });
    try {
      const c = await Client.open(`${v.wsUrl}/v5/public/linear`);
      c.send({ op: 'subscribe', args: ['orderbook.1.XRPUSDT', 'orderbook.50.XRPUSDT'] });
      await c.until(() => (c.messages.length === 6 ? true : undefined), 'ack, two snapshots, three updates');
      const of = (topic: string) => c.messages.filter((m) => m.topic === topic).map((m) => [m.type, m.ts, m.cts, m.data]);
      expect(of('orderbook.50.XRPUSDT')).toEqual([
        ['snapshot', 5000, 4999, { s: 'XRPUSDT', b: [['1.0', '10'], ['0.9', '5']], a: [['1.1', '7']], u: 40, seq: 140 }],
        ['delta', 5010, 5009, { s: 'XRPUSDT', b: [['1.0', '0']], a: [], u: 41, seq: 141 }],
        ['delta', 5020, 5019, { s: 'XRPUSDT', b: [], a: [['1.2', '3']], u: 42, seq: 142 }],
      ]);
      expect(of('orderbook.1.XRPUSDT')).toEqual([
        ['snapshot', 5000, 4999, { s: 'XRPUSDT', b: [['1.0', '10']], a: [['1.1', '7']], u: 40, seq: 140 }],
        ['snapshot', 5010, 5009, { s: 'XRPUSDT', b: [['0.9', '5']], a: [['1.1', '7']], u: 41, seq: 141 }],
      ]);
      const rest = await getJson(`${v.restUrl}/v5/market/orderbook?category=linear&symbol=XRPUSDT&limit=1`);
      expect(rest.body.result).toEqual({ s: 'XRPUSDT', b: [['0.9', '5']], a: [['1.1', '7']], ts: 5020, u: 42, seq: 142, cts: 5019 });
      c.close();
    } finally {
      await v.close();
    }
  });
});

describe('mock venue: close()', () => {
  it('closes its sockets and server and leaves no timer behind', async () => {
    const handles = () => process.getActiveResourcesInfo().filter((h) => h === 'Timeout' || h === 'TCPServerWrap' || h === 'TCPSocketWrap').length;
    const before = handles();
    const venue = await startMockVenue({ venue: 'bybit_linear', recording: BYBIT, symbol: 'XRPUSDT', speed: 1 });
    const c = await Client.open(`${venue.wsUrl}/v5/public/linear`);
    c.send({ op: 'subscribe', args: ['orderbook.50.XRPUSDT'] });
    await c.until(() => c.messages.find((m) => m.type === 'delta'), 'a delta');
    await venue.close();
    expect(await c.closed).toBe(1006);
    await expect(fetch(`${venue.restUrl}/v5/market/time`)).rejects.toThrow();
    await sleep(50);
    expect(handles()).toBeLessThanOrEqual(before);
  });
});
