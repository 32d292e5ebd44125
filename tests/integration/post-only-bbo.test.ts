// Proof that no maker fill on the Binance replay is a phantom: every post-only order the simulated
// exchange accepted was, at its arrival, on the passive side of the freshest best bid/offer Binance
// itself published. The check is independent of the simulator's market code: this file reads the raw
// recording with its own small reader (no import of src/sim/replay or SimExchange) and takes from the
// run only its orders.csv.
//
// Freshest best bid/offer at exchange time t (µs), from messages with exchange time E (ms) <= t:
// - the depth book rebuilt by Binance USD-M's sync rules: the REST snapshot, then diffs in update-id
//   order, dropping those with u < lastUpdateId; the first applied diff has U <= lastUpdateId <= u, every
//   later one pu == the previous one's u;
// - overlaid with the latest bookTicker (by its update id u) when that u is newer than the last applied
//   diff's u: the ticker's bid and ask are then the best prices.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { sharedRun as runFile } from '../support/shared-runs.ts';
import { sharedData } from '../support/shared-data.ts';

const RECORDING = sharedData('binance-usdm-btcusdt-20240808.gz');
const TICK = 0.1; // the scenario's BTCUSDT tick

const ticks = (price: string | number): number => Math.round(Number(price) / TICK);

interface Diff {
  readonly E: number;
  readonly U: number;
  readonly u: number;
  readonly pu: number;
  readonly b: [string, string][];
  readonly a: [string, string][];
}
interface Ticker {
  readonly E: number;
  readonly u: number;
  readonly bid: number;
  readonly ask: number;
}
interface Recording {
  readonly lastUpdateId: number;
  readonly snapshot: { bids: [string, string][]; asks: [string, string][] };
  readonly diffs: Diff[];
  readonly tickers: Ticker[];
}

/** Lines are `<local receive ns> <raw JSON>`: combined-stream messages and one REST depth snapshot. */
async function readRecording(path: string): Promise<Recording> {
  const diffs: Diff[] = [];
  const tickers: Ticker[] = [];
  let snapshot: { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] } | undefined;
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line === '') continue;
    const msg = JSON.parse(line.slice(line.indexOf(' ') + 1));
    if ('lastUpdateId' in msg) {
      if (snapshot) throw new Error(`${path}: a second REST snapshot; this reader expects one`);
      snapshot = msg;
      continue;
    }
    const d = msg.data;
    if (d.s !== 'BTCUSDT') continue;
    if (d.e === 'depthUpdate') diffs.push({ E: d.E, U: d.U, u: d.u, pu: d.pu, b: d.b, a: d.a });
    else if (d.e === 'bookTicker') tickers.push({ E: d.E, u: d.u, bid: ticks(d.b), ask: ticks(d.a) });
  }
  if (!snapshot) throw new Error(`${path}: no REST snapshot`);
  return { lastUpdateId: snapshot.lastUpdateId, snapshot, diffs, tickers };
}

/** The diffs the sync rules apply, in order (throws on a gap: the book would be out of sync). */
function syncedDiffs(rec: Recording): Diff[] {
  const chain: Diff[] = [];
  for (const d of [...rec.diffs].sort((x, y) => x.u - y.u)) {
    if (d.u < rec.lastUpdateId) continue;
    const prev = chain[chain.length - 1];
    if (!prev) {
      if (!(d.U <= rec.lastUpdateId && rec.lastUpdateId <= d.u)) throw new Error(`first diff U=${d.U} u=${d.u} does not straddle lastUpdateId ${rec.lastUpdateId}`);
    } else if (d.pu !== prev.u) {
      throw new Error(`sequence gap: diff u=${d.u} has pu=${d.pu}, previous u=${prev.u}`);
    }
    chain.push(d);
  }
  return chain;
}

class Side {
  private readonly levels = new Map<number, number>();
  constructor(private readonly better: (a: number, b: number) => boolean) {}
  set(levels: [string, string][]): void {
    for (const [p, q] of levels) {
      if (Number(q) === 0) this.levels.delete(ticks(p));
      else this.levels.set(ticks(p), Number(q));
    }
  }
  best(): number | undefined {
    let best: number | undefined;
    for (const p of this.levels.keys()) if (best === undefined || this.better(p, best)) best = p;
    return best;
  }
}

/** Walks the recording forward in exchange time and answers the freshest best bid/offer at each time asked (non-decreasing). */
function freshestBbo(rec: Recording) {
  const chain = syncedDiffs(rec);
  const tickers = [...rec.tickers].sort((x, y) => x.E - y.E || x.u - y.u);
  const bids = new Side((a, b) => a > b);
  const asks = new Side((a, b) => a < b);
  bids.set(rec.snapshot.bids);
  asks.set(rec.snapshot.asks);
  let applied = 0;
  let lastDiffU = -Infinity;
  let nextTicker = 0;
  let ticker: Ticker | undefined;
  let lastT = -Infinity;
  return {
    chainLength: chain.length,
    at(tUs: number): { bid: number | undefined; ask: number | undefined; from: 'ticker' | 'depth' | 'none' } {
      if (tUs < lastT) throw new Error('times must be asked in order');
      lastT = tUs;
      while (applied < chain.length && chain[applied]!.E * 1000 <= tUs) {
        const d = chain[applied++]!;
        bids.set(d.b);
        asks.set(d.a);
        lastDiffU = d.u;
      }
      while (nextTicker < tickers.length && tickers[nextTicker]!.E * 1000 <= tUs) {
        const k = tickers[nextTicker++]!;
        if (!ticker || k.u > ticker.u) ticker = k;
      }
      if (ticker && ticker.u > lastDiffU) return { bid: ticker.bid, ask: ticker.ask, from: 'ticker' };
      // Before the first applied diff the snapshot alone is not a synced book.
      if (applied === 0) return { bid: undefined, ask: undefined, from: 'none' };
      return { bid: bids.best(), ask: asks.best(), from: 'depth' };
    },
  };
}

describe('Binance replay: no phantom maker fills', () => {
  it('no accepted post-only order crossed the freshest best bid/offer at its arrival', async () => {
    const [run, rec] = await Promise.all([runFile('replay-binance-btcusdt.yaml'), readRecording(RECORDING)]);
    const orders = (parse(run.ordersCsv, { columns: true }) as Record<string, string>[])
      .filter((o) => o.outcome === 'accepted' && o.post_only === 'true')
      .map((o) => ({ id: o.order!, side: o.side!, price: ticks(o.price!), at: Number(o.arrival_epoch_us), filled: Number(o.fills) > 0 }))
      .sort((x, y) => x.at - y.at);
    // Not vacuous: the run accepted many orders, each with its exchange arrival time.
    expect(orders.length).toBeGreaterThan(500);
    expect(orders.every((o) => Number.isSafeInteger(o.at))).toBe(true);
    const bbo = freshestBbo(rec);
    expect(bbo.chainLength).toBeGreaterThan(6_000);
    const crossed: string[] = [];
    let filledCrossed = 0;
    for (const o of orders) {
      const top = bbo.at(o.at);
      expect(top.bid !== undefined && top.ask !== undefined, `order ${o.id}: no synced book at ${o.at}`).toBe(true);
      const crosses = o.side === 'buy' ? o.price >= top.ask! : o.price <= top.bid!;
      if (crosses) {
        crossed.push(`${o.id} ${o.side} ${(o.price * TICK).toFixed(1)} at ${o.at}: best ${(top.bid! * TICK).toFixed(1)}/${(top.ask! * TICK).toFixed(1)} (${top.from})`);
        if (o.filled) filledCrossed++;
      }
    }
    expect(
      crossed,
      `${crossed.length} of ${orders.length} accepted post-only orders crossed the freshest best bid/offer (${filledCrossed} of them filled), first: ${crossed.slice(0, 5).join('; ')}`,
    ).toEqual([]);
  });
});
