import type { ExecutionEvent, MarketEvent, PlaceRequest, QueryResult, Side } from '../../src/core/types.ts';
import { EventDigest } from '../../src/sim/run/event-digest.ts';
import { FaultSchedule } from '../../src/sim/exchange/faults.ts';
import type { Fault } from '../../src/sim/exchange/faults.ts';
import { Channel, createLatencyModel } from '../../src/sim/exchange/latency-model.ts';
import { OrderBook } from '../../src/sim/exchange/order-book.ts';
import { riskAverseQueue } from '../../src/sim/exchange/queue-model.ts';
import type { QueueModel } from '../../src/sim/exchange/queue-model.ts';
import { RandomStream } from '../../src/sim/clock/rng.ts';
import { SimExchange } from '../../src/sim/exchange/sim-exchange.ts';
import type { SimExchangeConfig } from '../../src/sim/exchange/sim-exchange.ts';
import { combineObservers } from '../../src/sim/exchange/exchange-observer.ts';
import type { ExchangeObserver, FillRecord } from '../../src/sim/exchange/exchange-observer.ts';
import { VirtualClock } from '../../src/sim/clock/virtual-clock.ts';

export const BASE_CONFIG: SimExchangeConfig = {
  makerFeeBps: -1,
  takerFeeBps: 5,
  minSizeLots: 1,
  minNotionalUsd: 0,
  priceBandBps: undefined,
  rateLimit: undefined,
  margin: undefined,
  heartbeatUs: 0,
};

export interface FixtureOptions {
  readonly config?: Partial<SimExchangeConfig>;
  readonly queue?: QueueModel;
  readonly faults?: readonly Fault[];
  /** Constant latency in ms on every channel (0 by default). */
  readonly latencyMs?: number;
  readonly seed?: string;
  readonly observer?: ExchangeObserver;
}

/**
 * A SimExchange on a virtual clock with a hand-set book (bids 99x10, 98x5; asks 101x10, 102x5 unless the
 * test changes it), constant latencies and a listener that records everything the bot would receive.
 */
export function exchangeFixture(options: FixtureOptions = {}) {
  const clock = new VirtualClock();
  const book = new OrderBook();
  book.bids.set(99, 10);
  book.bids.set(98, 5);
  book.asks.set(101, 10);
  book.asks.set(102, 5);
  const seed = options.seed ?? 't';
  const ms = options.latencyMs ?? 0;
  /** Every market trade the exchange saw, by its number (index + 1), and every own fill with its cause. */
  const trades: { seq: number; aggressor: Side; priceTicks: number; qtyLots: number }[] = [];
  const fillRecords: FillRecord[] = [];
  /** The book's levels after each book change, by its number (index + 1). */
  const bookAt: { bids: Map<number, number>; asks: Map<number, number> }[] = [];
  const ex = new SimExchange({
    clock,
    instrument: { symbol: 'T', tickSize: 1, lotSize: 1 },
    book,
    config: { ...BASE_CONFIG, ...options.config },
    queue: options.queue ?? riskAverseQueue,
    channels: { entry: uniformChannel(ms, seed), response: uniformChannel(ms, seed), feed: uniformChannel(ms, seed) },
    digest: new EventDigest(),
    faults: new FaultSchedule(options.faults ?? []),
    faultRng: new RandomStream(seed, 'faults'),
    observer: combineObservers(
      {
        onTrade: (seq, aggressor, priceTicks, qtyLots) => trades.push({ seq, aggressor, priceTicks, qtyLots }),
        onFill: (f) => fillRecords.push(f),
        onView: () => bookAt.push({ bids: book.bids.copyLevels(), asks: book.asks.copyLevels() }),
      },
      options.observer,
    ),
  });
  const events: ExecutionEvent[] = [];
  const md: MarketEvent[] = [];
  const answers: QueryResult[] = [];
  ex.connect({
    onExecution: (e) => events.push(e),
    onMarketData: (e) => md.push(e),
    onQueryResult: (r) => answers.push(r),
    onHeartbeat: () => undefined,
  });
  const place = (clientId: string, side: Side, priceTicks: number, qtyLots: number): PlaceRequest => {
    const req: PlaceRequest = { type: 'place', clientId, symbol: 'T', side, priceTicks, qtyLots, postOnly: true };
    ex.placeOrder(req);
    clock.runAll();
    return req;
  };
  const cancel = (clientId: string): void => {
    ex.cancelOrder({ type: 'cancel', clientId, symbol: 'T' });
    clock.runAll();
  };
  /** A market trade: the aggressor takes `qty` at `price` from the book (as the synthetic market does), then the book change. */
  const trade = (aggressor: Side, price: number, qty: number): void => {
    const passive = aggressor === 'buy' ? book.asks : book.bids;
    passive.set(price, Math.max(0, passive.qtyAt(price) - qty));
    ex.onTrade(aggressor, price, qty);
    ex.onBookChange();
    clock.runAll();
  };
  /** A level's quantity changes without a trade (adds or cancellations by others). */
  const level = (side: Side, price: number, qty: number): void => {
    (side === 'buy' ? book.bids : book.asks).set(price, qty);
    ex.onBookChange();
    clock.runAll();
  };
  const fills = () => events.filter((e): e is Extract<ExecutionEvent, { type: 'fill' }> => e.type === 'fill');
  return { clock, book, ex, events, md, answers, place, cancel, trade, level, fills, trades, fillRecords, bookAt };
}

function uniformChannel(ms: number, seed: string): Channel {
  const model = createLatencyModel({ dist: 'constant', ms }, new RandomStream(seed, 'latency'));
  return new Channel({ place: model, cancel: model, query: model, ack: model, fill: model, book: model });
}
