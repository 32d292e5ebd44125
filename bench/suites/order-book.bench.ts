/**
 * The simulator's order book path against nodejs-order-book on the same order flow.
 *
 * What is compared. The two are different kinds of book, so the comparison is of the work each needs to
 * follow the same market:
 *   - mmsim keeps the market as an L2 book (src/sim/exchange/order-book.ts: quantity per price in a Map per side,
 *     best price tracked), as its market data arrives (a replay's level diffs, the synthetic market's
 *     level sets and sweeps). An add is `set(price, qtyAt(price) + size)`, a cancel is
 *     `set(price, qtyAt(price) - remaining)`, a marketable order is `sweep(side, size)`, which takes the
 *     levels best first and prints one trade per level.
 *   - nodejs-order-book is an L3 matching engine (a red-black tree of price levels, a FIFO of order
 *     objects per level, an id map): an add is `limit()`, a cancel `cancel(id)`, a marketable order
 *     `market()`, each through its public API with its own result objects.
 * One seeded flow (FLOW_OPS operations: the initial book, then adds of resting liquidity near the top,
 * cancels of live orders and market orders that sweep one or more levels) drives both, from an empty book
 * in every timed call; results are ns per flow operation. The flow is generated once (untimed) against a
 * nodejs-order-book instance, which tells which orders are still live and how much of an order is left
 * when it is cancelled (the L2 side needs that size, as an L2 feed would carry the level's new quantity).
 * Setup then replays the flow through both books and checks, after every operation, that the best bid,
 * the best ask and the quantities there agree, that every market order trades the same quantity in both,
 * and that the final books are equal level by level; the suite refuses to run otherwise.
 *
 * Caveats. mmsim does strictly less work per operation: no order objects, no per-order FIFO, no id map,
 * no result objects, and nodejs-order-book also calls Date.now() for every order it creates. That is the
 * point of the design (the market is L2; only the bot's own orders are tracked one by one, beside the
 * book), not an equal-work race; it says what the simulator pays per market event, against the cost of
 * using an off-the-shelf matching engine for the same job. nodejs-order-book has no notion of an order
 * resting beside the book with an estimated queue position, so the own-order path (SimExchange: trades
 * and book changes against resting own orders, the queue model, feed publication through the virtual
 * clock) is measured as its own group with no counterpart. nodejs-order-book has no best-price getter:
 * its public routes are `calculateMarketPrice(side, 1)` (the cost of one lot at the top, i.e. the best
 * price, since every resting size is a whole number of lots) and `depth()` (every level); both are shown.
 *
 *   node --import tsx bench/suites/order-book.bench.ts
 */
import { OrderBook as NobBook, Side as NobSide } from 'nodejs-order-book';
import type { LimitOrderOptions, MarketOrderOptions } from 'nodejs-order-book';
import seedrandom from 'seedrandom';
import type { ExecutionEvent, PlaceRequest, Side } from '../../src/core/types.ts';
import { EventDigest } from '../../src/sim/run/event-digest.ts';
import { OrderBook } from '../../src/sim/exchange/order-book.ts';
import { powerQueue } from '../../src/sim/exchange/queue-model.ts';
import { SimExchange } from '../../src/sim/exchange/sim-exchange.ts';
import type { DeliveryChannel } from '../../src/sim/exchange/sim-exchange.ts';
import { VirtualClock } from '../../src/sim/clock/virtual-clock.ts';
import { runSuite } from '../support/suite.ts';
import type { BenchCase } from '../support/suite.ts';
import { BASE_CONFIG } from '../../tests/support/exchange-fixture.ts';

const FLOW_OPS = 20_000;
const FLOW_LABEL = '2e4';
const QUERIES = 1_000;
const OPTIONS = { minSamples: 5, maxTime: 2 };

const ADD = 0;
const CANCEL = 1;
const MARKET = 2;

/** The flow, decoded once for each contender so that the timed loops only read arrays. */
interface Flow {
  readonly n: number;
  readonly kind: Uint8Array;
  /** 0 buy, 1 sell (for a market order: the aggressor). */
  readonly side: Uint8Array;
  readonly price: Float64Array;
  /** Add: size; cancel: the size left when cancelled; market: size. */
  readonly qty: Float64Array;
  /** nodejs-order-book's arguments: limit options, the id to cancel, market options. */
  readonly nobArgs: (LimitOrderOptions | string | MarketOrderOptions)[];
  readonly stats: { adds: number; cancels: number; markets: number; levels_at_end: number; live_orders_at_end: number };
}

const MID = 100_000;
const INITIAL_LEVELS = 20;
const ORDERS_PER_LEVEL = 3;
const TARGET_LIVE = 600;

let flowCache: Flow | undefined;

/** Best (price, qty) of each side from depth(): asks come best first, bids best first. */
function nobTop(ob: NobBook): { bid: number | undefined; bidQty: number; ask: number | undefined; askQty: number } {
  const [asks, bids] = ob.depth();
  return { bid: bids[0]?.[0], bidQty: bids[0]?.[1] ?? 0, ask: asks[0]?.[0], askQty: asks[0]?.[1] ?? 0 };
}

/** Generates the seeded flow against a nodejs-order-book instance (untimed, once). */
function flow(): Flow {
  if (flowCache) return flowCache;
  const rng = seedrandom.alea('bench/order-book/flow');
  const exp = (mean: number): number => -Math.log(1 - rng()) * mean;
  const size = (): number => 1 + Math.floor(exp(4));
  const ob = new NobBook();
  const kind = new Uint8Array(FLOW_OPS);
  const side = new Uint8Array(FLOW_OPS);
  const price = new Float64Array(FLOW_OPS);
  const qty = new Float64Array(FLOW_OPS);
  const nobArgs: (LimitOrderOptions | string | MarketOrderOptions)[] = [];
  const live: string[] = [];
  const liveInfo = new Map<string, { side: number; price: number }>();
  const stats = { adds: 0, cancels: 0, markets: 0, levels_at_end: 0, live_orders_at_end: 0 };
  let n = 0;
  let nextId = 0;
  const add = (s: number, p: number, q: number): void => {
    const id = `o${nextId++}`;
    const opts: LimitOrderOptions = { id, side: s === 0 ? NobSide.BUY : NobSide.SELL, size: q, price: p };
    const r = ob.limit(opts);
    if (r.err || r.done.length > 0) throw new Error(`order-book bench: add ${id} at ${p} matched or failed: ${String(r.err)}`);
    kind[n] = ADD;
    side[n] = s;
    price[n] = p;
    qty[n] = q;
    nobArgs.push(opts);
    n++;
    stats.adds++;
    live.push(id);
    liveInfo.set(id, { side: s, price: p });
  };
  for (let k = 0; k < INITIAL_LEVELS; k++) {
    for (let j = 0; j < ORDERS_PER_LEVEL; j++) {
      add(0, MID - 1 - k, size());
      add(1, MID + 1 + k, size());
    }
  }
  let lastBid = MID - 1;
  let lastAsk = MID + 1;
  while (n < FLOW_OPS) {
    const top = nobTop(ob);
    lastBid = top.bid ?? lastBid;
    lastAsk = top.ask ?? lastAsk;
    const r = rng();
    const addShare = live.length < TARGET_LIVE ? 0.6 : 0.45;
    if (r < 0.08) {
      // A market order sweeping from the top; skipped when the side it takes from is thin.
      const s = rng() < 0.5 ? 0 : 1;
      const opposite = s === 0 ? top.ask : top.bid;
      if (opposite === undefined || live.length < 100) continue;
      const q = Math.max(1, Math.round(exp(12)));
      const opts: MarketOrderOptions = { side: s === 0 ? NobSide.BUY : NobSide.SELL, size: q };
      const res = ob.market(opts);
      if (res.err) throw new Error(`order-book bench: market order failed: ${String(res.err)}`);
      kind[n] = MARKET;
      side[n] = s;
      price[n] = 0;
      qty[n] = q;
      nobArgs.push(opts);
      n++;
      stats.markets++;
    } else if (r < 0.08 + addShare || live.length === 0) {
      // Resting liquidity: at the top or a few ticks behind it, never crossing the other side.
      const s = rng() < 0.5 ? 0 : 1;
      const k = Math.min(49, Math.floor(exp(3)));
      add(s, s === 0 ? lastAsk - 1 - k : lastBid + 1 + k, size());
    } else {
      // Cancel a live order (orders filled by market orders are dropped from the list first).
      let id: string | undefined;
      while (live.length > 0) {
        const at = Math.floor(rng() * live.length);
        const cand = live[at]!;
        live[at] = live[live.length - 1]!;
        live.pop();
        if (ob.order(cand) !== undefined) {
          id = cand;
          break;
        }
        liveInfo.delete(cand);
      }
      if (id === undefined) continue;
      const info = liveInfo.get(id)!;
      liveInfo.delete(id);
      const res = ob.cancel(id);
      const left = res?.order?.size;
      if (left === undefined || left <= 0) throw new Error(`order-book bench: cancel ${id} found nothing`);
      kind[n] = CANCEL;
      side[n] = info.side;
      price[n] = info.price;
      qty[n] = left;
      nobArgs.push(id);
      n++;
      stats.cancels++;
    }
  }
  const [asks, bids] = ob.depth();
  stats.levels_at_end = asks.length + bids.length;
  stats.live_orders_at_end = live.filter((id) => ob.order(id) !== undefined).length;
  flowCache = { n, kind, side, price, qty, nobArgs, stats };
  return flowCache;
}

const noPrint = (): void => undefined;

/** One flow operation on the mmsim L2 book; returns the quantity traded (market orders), else 0. */
function mmsimOp(book: OrderBook, f: Flow, i: number): number {
  const k = f.kind[i]!;
  const s = f.side[i] === 0 ? book.bids : book.asks;
  if (k === ADD) {
    const p = f.price[i]!;
    s.set(p, s.qtyAt(p) + f.qty[i]!);
    return 0;
  }
  if (k === CANCEL) {
    const p = f.price[i]!;
    s.set(p, s.qtyAt(p) - f.qty[i]!);
    return 0;
  }
  return book.sweep(f.side[i] === 0 ? 'buy' : 'sell', f.qty[i]!, noPrint);
}

/** One flow operation on nodejs-order-book; returns the quantity traded (market orders), else 0. */
function nobOp(ob: NobBook, f: Flow, i: number): number {
  const k = f.kind[i]!;
  const a = f.nobArgs[i]!;
  if (k === ADD) {
    ob.limit(a as LimitOrderOptions);
    return 0;
  }
  if (k === CANCEL) {
    ob.cancel(a as string);
    return 0;
  }
  const o = a as MarketOrderOptions;
  return o.size - ob.market(o).quantityLeft;
}

const nobBestAsk = (ob: NobBook): number => ob.calculateMarketPrice(NobSide.BUY, 1).price;
const nobBestBid = (ob: NobBook): number => ob.calculateMarketPrice(NobSide.SELL, 1).price;

let checked = false;

/** Untimed: both books agree after every operation, and at the end level by level. */
function checkSameBooks(): void {
  if (checked) return;
  const f = flow();
  const book = new OrderBook();
  const ob = new NobBook();
  for (let i = 0; i < f.n; i++) {
    const ta = mmsimOp(book, f, i);
    const tb = nobOp(ob, f, i);
    const top = nobTop(ob);
    const ours = { bid: book.bestBid(), bidQty: book.bids.bestQty(), ask: book.bestAsk(), askQty: book.asks.bestQty() };
    if (ta !== tb || ours.bid !== top.bid || ours.ask !== top.ask || ours.bidQty !== top.bidQty || ours.askQty !== top.askQty) {
      throw new Error(`order-book bench: op ${i} (kind ${f.kind[i]}): mmsim traded ${ta}, top ${JSON.stringify(ours)}; nodejs-order-book traded ${tb}, top ${JSON.stringify(top)}`);
    }
    // The public best-price route used in the timed cases gives the same prices.
    if (nobBestBid(ob) !== (top.bid ?? 0) || nobBestAsk(ob) !== (top.ask ?? 0)) throw new Error(`order-book bench: op ${i}: calculateMarketPrice disagrees with depth()`);
  }
  const [asks, bids] = ob.depth();
  const same = (levels: [number, number][], side: ReturnType<OrderBook['side']>): boolean => {
    const ours = side.copyLevels();
    return ours.size === levels.length && levels.every(([p, q]) => ours.get(p) === q);
  };
  if (!same(bids, book.bids) || !same(asks, book.asks)) throw new Error('order-book bench: the final books differ');
  checked = true;
}

function flowCases(withTop: boolean): BenchCase[] {
  const group = withTop ? `order flow + top @${FLOW_LABEL}` : `order flow @${FLOW_LABEL}`;
  const unit = withTop ? 'flow op + best bid/ask' : 'flow op';
  return [
    {
      name: `${group}: mmsim OrderBook (L2)`,
      setup: () => {
        checkSameBooks();
        const f = flow();
        return () => {
          const book = new OrderBook();
          let x = 0;
          for (let i = 0; i < f.n; i++) {
            x += mmsimOp(book, f, i);
            if (withTop) x += (book.bestBid() ?? 0) + (book.bestAsk() ?? 0);
          }
          return x;
        };
      },
      unitsPerOp: flow().n,
      unit,
      options: OPTIONS,
    },
    {
      name: `${group}: nodejs-order-book (L3)`,
      setup: () => {
        checkSameBooks();
        const f = flow();
        return () => {
          const ob = new NobBook();
          let x = 0;
          for (let i = 0; i < f.n; i++) {
            x += nobOp(ob, f, i);
            if (withTop) x += nobBestBid(ob) + nobBestAsk(ob);
          }
          return x;
        };
      },
      unitsPerOp: flow().n,
      unit,
      options: OPTIONS,
    },
  ];
}

/** The books as they stand after the whole flow. */
function endBooks(): { book: OrderBook; ob: NobBook } {
  const f = flow();
  const book = new OrderBook();
  const ob = new NobBook();
  for (let i = 0; i < f.n; i++) {
    mmsimOp(book, f, i);
    nobOp(ob, f, i);
  }
  return { book, ob };
}

function topCase(contender: string, make: () => () => number): BenchCase {
  return { name: `best bid+ask: ${contender}`, setup: make, unitsPerOp: QUERIES, unit: 'best bid+ask', options: OPTIONS };
}

const topCases: BenchCase[] = [
  topCase('mmsim OrderBook', () => {
    const { book } = endBooks();
    return () => {
      let x = 0;
      for (let q = 0; q < QUERIES; q++) x += book.bestBid()! + book.bestAsk()!;
      return x;
    };
  }),
  topCase('nodejs-order-book calculateMarketPrice(1 lot)', () => {
    const { ob } = endBooks();
    return () => {
      let x = 0;
      for (let q = 0; q < QUERIES; q++) x += nobBestBid(ob) + nobBestAsk(ob);
      return x;
    };
  }),
  topCase('nodejs-order-book depth()', () => {
    const { ob } = endBooks();
    return () => {
      let x = 0;
      for (let q = 0; q < QUERIES; q++) {
        const [asks, bids] = ob.depth();
        x += bids[0]![0] + asks[0]![0];
      }
      return x;
    };
  }),
];

/**
 * The whole exchange path for market events: the same flow through the mmsim book, each operation
 * followed by what the synthetic market tells the venue (SimExchange.onTrade per print of a sweep, then
 * onBookChange), with the bot keeping one own order resting on each side at the best price (re-quoted
 * when filled), a power(2) queue model, zero-latency stub channels and the virtual clock delivering the
 * feed and fills to a listener that only counts. Virtual time advances 1 µs per operation.
 */
const CONFIG = BASE_CONFIG;
const instantChannel: DeliveryChannel = { deliveryTime: (sentAt) => sentAt };

interface ExchangeRun {
  readonly book: OrderBook;
  readonly fills: number;
  readonly feed: number;
  readonly placed: number;
}

function exchangeRun(f: Flow): ExchangeRun {
  const clock = new VirtualClock();
  const book = new OrderBook();
  const ex = new SimExchange({
    clock,
    instrument: { symbol: 'T', tickSize: 1, lotSize: 1 },
    book,
    config: CONFIG,
    queue: powerQueue(2),
    channels: { entry: instantChannel, response: instantChannel, feed: instantChannel },
    digest: new EventDigest(),
  });
  let fills = 0;
  let feed = 0;
  let placed = 0;
  let buyResting = false;
  let sellResting = false;
  const onExecution = (e: ExecutionEvent): void => {
    if (e.type === 'rejected') {
      if (e.clientId.startsWith('b')) throw new Error(`order-book bench: own order rejected (${e.reason})`);
    } else if (e.type === 'fill') {
      fills++;
      if (e.leavesLots === 0) {
        if (e.side === 'buy') buyResting = false;
        else sellResting = false;
      }
    }
  };
  ex.connect({ onExecution, onMarketData: () => void feed++, onQueryResult: () => undefined, onHeartbeat: () => undefined });
  const quote = (side: Side, priceTicks: number | undefined): void => {
    if (priceTicks === undefined) return;
    const req: PlaceRequest = { type: 'place', clientId: `b${placed++}`, symbol: 'T', side, priceTicks, qtyLots: 2, postOnly: true };
    ex.placeOrder(req);
    if (side === 'buy') buyResting = true;
    else sellResting = true;
  };
  let aggressor: Side = 'buy';
  const onPrint = (p: number, q: number): void => ex.onTrade(aggressor, p, q);
  for (let i = 0; i < f.n; i++) {
    const k = f.kind[i]!;
    if (k === MARKET) {
      aggressor = f.side[i] === 0 ? 'buy' : 'sell';
      book.sweep(aggressor, f.qty[i]!, onPrint);
    } else {
      const s = f.side[i] === 0 ? book.bids : book.asks;
      const p = f.price[i]!;
      s.set(p, s.qtyAt(p) + (k === ADD ? f.qty[i]! : -f.qty[i]!));
    }
    ex.onBookChange();
    if (!buyResting) quote('buy', book.bestBid());
    if (!sellResting) quote('sell', book.bestAsk());
    clock.runUntil(i + 1);
  }
  return { book, fills, feed, placed };
}

const exchangeCase: BenchCase = {
  name: `exchange path @${FLOW_LABEL}: mmsim SimExchange + OrderBook (own orders, power(2) queue)`,
  setup: () => {
    checkSameBooks();
    const f = flow();
    // Untimed: own orders rest beside the book, so the market book ends as in the plain flow.
    const run = exchangeRun(f);
    const { book } = endBooks();
    for (const s of ['buy', 'sell'] as const) {
      const a = run.book.side(s).copyLevels();
      const b = book.side(s).copyLevels();
      if (a.size !== b.size || [...a].some(([p, q]) => b.get(p) !== q)) throw new Error('order-book bench: the exchange path changed the market book');
    }
    if (run.fills === 0) throw new Error('order-book bench: the exchange path filled no own order');
    return () => exchangeRun(f).fills;
  },
  unitsPerOp: flow().n,
  unit: 'flow op (exchange path)',
  options: OPTIONS,
};

const cases: BenchCase[] = [...flowCases(false), ...flowCases(true), ...topCases, exchangeCase];

await runSuite('order-book', cases, () => {
  const f = flow();
  const run = exchangeRun(f);
  return {
    flow: { seed: 'bench/order-book/flow', ops: f.n, ...f.stats },
    exchange_path: { own_orders_placed: run.placed, own_fills: run.fills, feed_updates: run.feed },
    verified: 'after every op: best bid/ask, quantities at the best, traded quantity per market order; at the end: every level',
    compares: 'mmsim L2 OrderBook (level set/sweep) vs nodejs-order-book L3 matching engine (limit/cancel/market), same seeded flow, each from an empty book per timed call',
  };
});
