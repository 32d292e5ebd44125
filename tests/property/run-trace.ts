// One run of a generated scenario, recorded from both ends for the run-level property tests:
// - the bot's end through `RunOptions.observer`: every request it sends, every event it receives;
// - the venue's end through a spy on SimExchange's (private) `respond`, through which every execution
//   event leaves the exchange, before any loss on the wire. The spy only records (it calls through), so
//   the run is unchanged; the determinism property checks that an observed run gives a bare run's bytes.
// With both, a fill lost under a disconnect, or still on the wire when the run ends, can be told from
// one that never existed. The exchange's observer adds every market trade and every fill with its cause.
import { vi } from 'vitest';
import type { MockInstance } from 'vitest';
import type { Report } from '../../src/core/report.ts';
import type { CancelRequest, ExecutionEvent, PlaceRequest, QueryRequest } from '../../src/core/types.ts';
import { runScenario } from '../../src/sim/run/runner.ts';
import type { RunObserver, RunResult } from '../../src/sim/run/runner.ts';
import { parseScenario } from '../../src/sim/scenario/load-scenario.ts';
import { SimExchange } from '../../src/sim/exchange/sim-exchange.ts';
import type { ExchangeObserver, FillRecord } from '../../src/sim/exchange/exchange-observer.ts';
import { SYMBOL, scenarioYaml } from './scenario-arbitrary.ts';
import type { GenScenario } from './scenario-arbitrary.ts';

export type Fill = Extract<ExecutionEvent, { type: 'fill' }>;

export interface Trace {
  readonly yaml: string;
  readonly gen: GenScenario;
  readonly result: RunResult;
  readonly report: Report;
  /** Every observer callback's `now`, in call order, with what it was about. */
  readonly stamps: readonly { now: number; what: string; exchangeTime?: number }[];
  readonly places: ReadonlyMap<string, PlaceRequest>;
  readonly duplicatePlaceIds: readonly string[];
  /** Execution events as the bot received them, in order. */
  readonly received: readonly { event: ExecutionEvent; now: number }[];
  /** Execution events as the exchange sent them (before any loss on the wire), in order. */
  readonly sent: readonly ExecutionEvent[];
  /** Market trades as the exchange saw them (`seq` = index + 1) and own fills with their cause. */
  readonly tape: Tape;
}

export interface Tape {
  readonly trades: { seq: number; aggressor: string; priceTicks: number; qtyLots: number }[];
  readonly fills: FillRecord[];
}

/** An exchange observer that records the tape. */
export function tapeRecorder(): { tape: Tape; observer: ExchangeObserver } {
  const tape: Tape = { trades: [], fills: [] };
  return {
    tape,
    observer: {
      onTrade: (seq, aggressor, priceTicks, qtyLots) => tape.trades.push({ seq, aggressor, priceTicks, qtyLots }),
      onFill: (f) => tape.fills.push(f),
    },
  };
}

/** The first market trade whose own fills (through and at its price) add up to more than it printed. */
export function tapeOverfill(tape: Tape): string | undefined {
  const byTrade = new Map<number, number>();
  for (const f of tape.fills) if (f.how !== 'cross') byTrade.set(f.cause, (byTrade.get(f.cause) ?? 0) + f.qtyLots);
  for (const [seq, lots] of byTrade) {
    const t = tape.trades[seq - 1];
    if (!t || t.seq !== seq) return `fills name trade ${seq}, which the exchange never saw`;
    if (lots > t.qtyLots + 1e-9) return `trade ${seq} (${t.aggressor} ${t.qtyLots} lots at ${t.priceTicks}) caused ${lots} lots of own fills`;
  }
  return undefined;
}

type Respond = (event: ExecutionEvent) => void;
let respondSpy: MockInstance<Respond> | undefined;

/** Starts recording what the exchange sends (call in beforeAll; `stopExchangeSpy` in afterAll). */
export function startExchangeSpy(): void {
  const proto = SimExchange.prototype as unknown as { respond?: Respond };
  if (typeof proto.respond !== 'function') {
    throw new Error('SimExchange.prototype.respond is gone: update the spy in tests/property/run-trace.ts');
  }
  respondSpy = vi.spyOn(proto as { respond: Respond }, 'respond');
}

export function stopExchangeSpy(): void {
  respondSpy?.mockRestore();
  respondSpy = undefined;
}

const cache = new Map<string, Promise<Trace>>();
/** Runs one at a time: the spy's record is shared, and a run awaits (prom-client's metrics) before it ends. */
let queue: Promise<unknown> = Promise.resolve();

/** Runs a generated scenario once per scenario text (the properties share one fast-check seed, so their cases). */
export function traced(gen: GenScenario): Promise<Trace> {
  const yaml = scenarioYaml(gen);
  let t = cache.get(yaml);
  if (!t) {
    t = queue.then(() => runTraced(gen, yaml));
    queue = t.catch(() => undefined);
    cache.set(yaml, t);
  }
  return t;
}

async function runTraced(gen: GenScenario, yaml: string): Promise<Trace> {
  const spy = respondSpy;
  if (!spy) throw new Error('startExchangeSpy() first');
  const stamps: { now: number; what: string; exchangeTime?: number }[] = [];
  const places = new Map<string, PlaceRequest>();
  const duplicatePlaceIds: string[] = [];
  const received: { event: ExecutionEvent; now: number }[] = [];
  const observer: RunObserver = {
    onRequest(request: PlaceRequest | CancelRequest | QueryRequest, now) {
      stamps.push({ now, what: `sent ${request.type}` });
      if (request.type === 'place') {
        if (places.has(request.clientId)) duplicatePlaceIds.push(request.clientId);
        places.set(request.clientId, request);
      }
    },
    onExecution(event, now) {
      stamps.push({ now, what: `received ${event.type} ${event.clientId}`, exchangeTime: event.exchangeTime });
      received.push({ event, now });
    },
    onMarketData(event, now) {
      stamps.push({ now, what: 'received book', exchangeTime: event.exchangeTime });
    },
    onQueryResult(result, now) {
      stamps.push({ now, what: `received query_result ${result.kind}`, exchangeTime: result.exchangeTime });
    },
  };
  const { tape, observer: exchangeObserver } = tapeRecorder();
  spy.mockClear();
  const result = await runScenario(parseScenario(yaml, 'prop.yaml'), { observer, exchangeObserver });
  const sent = spy.mock.calls.map(([event]) => event);
  spy.mockClear();
  return { yaml, gen, result, report: result.report, stamps, places, duplicatePlaceIds, received, sent, tape };
}

// ---------------------------------------------------------------------------------------------------
// Views of a trace

export const isFill = (e: ExecutionEvent): e is Fill => e.type === 'fill';
export const sign = (f: Fill): number => (f.side === 'buy' ? 1 : -1);
export const signedLots = (fills: readonly Fill[]): number => fills.reduce((s, f) => s + sign(f) * f.qtyLots, 0);

/** The bot's and the venue's books at the end of the run, from the report. */
export interface Books {
  readonly venuePosition: number;
  readonly venueCash: number;
  readonly venueFees: number;
  readonly venueFilledLots: number;
  readonly venueFillCount: number;
  readonly botPosition: number;
  readonly positionAdjust: number;
}

export function books(r: Report): Books {
  const exchange = r.exchange as { fills: number; account: { position_lots: number; cash_usd: number; fees_usd: number; filled_lots: number } };
  const session = r.session as { position_adjust_lots: number };
  const bot = r.positions.by_symbol[SYMBOL];
  if (!bot) throw new Error(`report.positions.by_symbol has no ${SYMBOL}`);
  return {
    venuePosition: exchange.account.position_lots,
    venueCash: exchange.account.cash_usd,
    venueFees: exchange.account.fees_usd,
    venueFilledLots: exchange.account.filled_lots,
    venueFillCount: exchange.fills,
    botPosition: bot.position_lots,
    positionAdjust: session.position_adjust_lots,
  };
}

export const hadDisconnect = (t: Trace): boolean => t.gen.faults.some((f) => f.kind === 'disconnect');
export const receivedFills = (t: Trace): Fill[] => t.received.map((r) => r.event).filter(isFill);
export const sentFills = (t: Trace): Fill[] => t.sent.filter(isFill);

/** Fills the exchange sent that the bot never received (lost under a disconnect, or on the wire at the end). */
export function undelivered(t: Trace): Fill[] {
  const got = new Set<ExecutionEvent>(receivedFills(t));
  return sentFills(t).filter((f) => !got.has(f));
}

/** Cash by the fills: sells bring in notional, buys pay it, fees are paid (a rebate is a negative fee). */
export function cashOf(t: Trace, fills: readonly Fill[]): { cash: number; fees: number; notional: number } {
  const { tickSize, lotSize } = t.gen;
  let cash = 0;
  let fees = 0;
  let notional = 0;
  for (const f of fills) {
    const n = f.qtyLots * lotSize * f.priceTicks * tickSize;
    cash += -sign(f) * n - f.feeUsd;
    fees += f.feeUsd;
    notional += n;
  }
  return { cash, fees, notional };
}
