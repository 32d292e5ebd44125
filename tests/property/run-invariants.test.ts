// Whole-run invariants (DESIGN.md, "Conventions": position equals the sum of fills, no fill better than
// the order's price, no fill after a cancel is acknowledged, the clock never goes backwards), checked
// with fast-check over random small scenarios and fault schedules (./scenario-arbitrary.ts). Every run
// goes through the real runner, watched from the bot's end (the observer) and the venue's end (a spy on
// what the exchange sends, ./run-trace.ts); the report gives both books at the end.
//
// The fast-check seed is fixed so that CI runs the same cases (PROP_RUNS=400 runs more of them). A
// failure prints the shrunk counterexample and, in the error message, its scenario YAML.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionEvent } from '../../src/core/types.ts';
import { join } from 'node:path';
import { runScenario } from '../../src/sim/run/runner.ts';
import { loadScenario, parseScenario } from '../../src/sim/scenario/load-scenario.ts';
import { repoRoot } from '../support/run.ts';
import { SYMBOL, scenarioArb, scenarioYaml } from './scenario-arbitrary.ts';
import type { GenScenario } from './scenario-arbitrary.ts';
import {
  books,
  cashOf,
  hadDisconnect,
  receivedFills,
  sentFills,
  signedLots,
  startExchangeSpy,
  stopExchangeSpy,
  tapeOverfill,
  tapeRecorder,
  traced,
  undelivered,
} from './run-trace.ts';
import type { Fill, Trace } from './run-trace.ts';

// Chosen so that the first cases include fills still in flight at the end and recon adjustments (the
// coverage test below checks that they do).
const FC_SEED = 3;
const NUM_RUNS = Number(process.env.PROP_RUNS ?? 80);
const DETERMINISM_RUNS = 12;

beforeAll(startExchangeSpy);
afterAll(stopExchangeSpy);

/** Runs `invariant` on a generated case; a failure carries the scenario text. */
async function check(gen: GenScenario, invariant: (t: Trace) => void): Promise<void> {
  const t = await traced(gen);
  try {
    invariant(t);
  } catch (err) {
    if (err instanceof Error) err.message += `\n--- scenario (prop.yaml) ---\n${t.yaml}`;
    throw err;
  }
}

const property = (invariant: (t: Trace) => void, arb: fc.Arbitrary<GenScenario> = scenarioArb, examples: GenScenario[] = []) =>
  fc.assert(
    fc.asyncProperty(arb, (gen) => check(gen, invariant)),
    { seed: FC_SEED, numRuns: NUM_RUNS, examples: examples.map((g): [GenScenario] => [g]) },
  );

const withEntryOrdering = (independent: boolean) => scenarioArb.map((g) => ({ ...g, latency: { ...g.latency, entryIndependent: independent } }));
/** One connection: a request never overtakes one sent before it (a recon query arrives after earlier orders). */
const fifoEntry = withEntryOrdering(false);
/** REST-like entry: any request may overtake one sent before it. */
const independentEntry = withEntryOrdering(true);

// ---------------------------------------------------------------------------------------------------
// The invariants

/** The venue's position and filled lots are the signed (and plain) sums of the fills it sent. */
function venueLedgerInvariant(t: Trace): void {
  const b = books(t.report);
  const fills = sentFills(t);
  expect(b.venueFillCount, 'report exchange.fills vs fills sent').toBe(fills.length);
  expect(b.venuePosition, 'exchange.account.position_lots vs the fills sent').toBe(signedLots(fills));
  expect(b.venueFilledLots, 'exchange.account.filled_lots vs the fills sent').toBe(fills.reduce((s, f) => s + f.qtyLots, 0));
}

/**
 * Bot position = signed sum of the fills it received + recon's adjustments (`session.position_adjust_lots`).
 * Without a disconnect nothing is lost, so recon has nothing to adjust, and the bot's position is the
 * venue's less the fills still on the wire when the run ends (responses are FIFO, so those are the last
 * fills the exchange sent); with none in flight the two are equal.
 */
function botPositionInvariant(t: Trace): void {
  const b = books(t.report);
  const got = receivedFills(t);
  expect(b.botPosition, 'positions.by_symbol position_lots vs received fills + session.position_adjust_lots').toBe(signedLots(got) + b.positionAdjust);
  // Every fill the bot got is one the exchange sent, once, in the order sent.
  const order = new Map(sentFills(t).map((f, i) => [f, i] as const));
  let last = -1;
  for (const f of got) {
    const i = order.get(f) ?? -2;
    expect(i, `received a fill the exchange never sent: ${JSON.stringify(f)}`).not.toBe(-2);
    expect(i, `fill received out of order or twice: ${JSON.stringify(f)}`).toBeGreaterThan(last);
    last = i;
  }
  if (hadDisconnect(t)) return;
  const missing = undelivered(t);
  expect(missing, 'without a disconnect, the undelivered fills are the last ones sent').toEqual(sentFills(t).slice(got.length));
  expect(b.positionAdjust, 'recon adjusted the position without any lost message').toBe(0);
  expect(b.botPosition, 'bot vs venue position, less the fills in flight at the end').toBe(b.venuePosition - signedLots(missing));
  if (missing.length === 0) expect(b.botPosition, 'bot vs venue position').toBe(b.venuePosition);
}

/**
 * |actual - expected| within 1e-9 of the notional traded: far above the rounding of a sum of a few
 * thousand fills (about n x 1e-16 of it), far below any real error (a cent in a run of $20k).
 */
function expectClose(actual: number, expected: number, scale: number, what: string): void {
  const tol = 1e-9 * Math.max(1, scale);
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected} (tolerance ${tol})`).toBeLessThanOrEqual(tol);
}

/** Venue cash = -sum(signed qty x lot x price) - sum(fees); fees are the maker rate; the bot's P&L saw the same fills. */
function cashInvariant(t: Trace): void {
  const b = books(t.report);
  const all = cashOf(t, sentFills(t));
  expectClose(b.venueCash, all.cash, all.notional, 'exchange.account.cash_usd vs the fills sent');
  expectClose(b.venueFees, all.fees, all.notional, 'exchange.account.fees_usd vs the fills sent');
  const wrongFee = sentFills(t).find((f) => {
    const notional = f.qtyLots * t.gen.lotSize * f.priceTicks * t.gen.tickSize;
    return Math.abs(f.feeUsd - (notional * t.gen.fees.makerBps) / 10_000) > 1e-9 * Math.max(1, notional);
  });
  expect(wrongFee, `a fee that is not maker_bps (${t.gen.fees.makerBps}) of the notional`).toBeUndefined();
  const got = receivedFills(t);
  const mine = cashOf(t, got);
  // From the bot's end alone, when it received every fill.
  if (!hadDisconnect(t) && got.length === b.venueFillCount) {
    expectClose(b.venueCash, mine.cash, mine.notional, 'exchange.account.cash_usd vs the fills the bot received');
  }
  const pnl = t.report.pnl;
  expect(pnl.fills, 'pnl.fills vs fills received').toBe(got.length);
  expectClose(pnl.fees_usd, mine.fees, mine.notional, 'pnl.fees_usd vs the fills received');
  expectClose(pnl.notional_usd, mine.notional, mine.notional, 'pnl.notional_usd vs the fills received');
  expect(pnl.slippage_usd, 'maker fills at their own price: no slippage').toBe(0);
}

/**
 * Never more than the tape printed: for every market trade the own fills it caused (through it, or at
 * its price after the queue) add up to at most its quantity; every fill the exchange sent names a cause.
 */
function tapeInvariant(t: Trace): void {
  const problem = tapeOverfill(t.tape);
  expect(problem, problem).toBeUndefined();
  expect(t.tape.fills.length, 'fill records vs fills sent').toBe(sentFills(t).length);
}

/** The first fill that breaks the price and size rules, described; undefined when all keep them. */
function badFill(t: Trace, fills: readonly Fill[], exactLeaves: boolean): string | undefined {
  const cum = new Map<string, number>();
  for (const f of fills) {
    const o = t.places.get(f.clientId);
    const what = `fill ${JSON.stringify(f)}`;
    if (!o) return `${what} for an order the bot never placed`;
    if (f.side !== o.side) return `${what} on the other side of ${JSON.stringify(o)}`;
    if (o.side === 'buy' ? f.priceTicks > o.priceTicks : f.priceTicks < o.priceTicks) return `${what} worse than its limit ${o.priceTicks}`;
    if (f.priceTicks !== o.priceTicks) return `${what} better than its limit ${o.priceTicks}: a maker fill is at its own price`;
    if (f.liquidity !== 'maker') return `${what} is not a maker fill`;
    if (!Number.isInteger(f.qtyLots) || f.qtyLots <= 0) return `${what} has a bad quantity`;
    const filled = (cum.get(f.clientId) ?? 0) + f.qtyLots;
    cum.set(f.clientId, filled);
    if (filled > o.qtyLots) return `${what}: ${filled} lots filled of an order of ${o.qtyLots}`;
    if (exactLeaves ? f.leavesLots !== o.qtyLots - filled : f.leavesLots > o.qtyLots - filled) {
      return `${what}: leaves ${f.leavesLots} after ${filled} of ${o.qtyLots} lots`;
    }
  }
  return undefined;
}

/** Every fill is at exactly its order's limit (so never better), on its side, within its size. */
function priceInvariant(t: Trace): void {
  expect(t.duplicatePlaceIds, 'client ids sent twice').toEqual([]);
  const sent = badFill(t, sentFills(t), true);
  expect(sent, `as the exchange sent it: ${sent}`).toBeUndefined();
  // A disconnect may drop some of an order's fills on the way: leaves then run ahead of the sum.
  const received = badFill(t, receivedFills(t), !hadDisconnect(t));
  expect(received, `as the bot received it: ${received}`).toBeUndefined();
}

function fillAfterCancel(events: readonly ExecutionEvent[]): ExecutionEvent | undefined {
  const canceled = new Set<string>();
  return events.find((e) => {
    if (e.type === 'canceled') canceled.add(e.clientId);
    return e.type === 'fill' && canceled.has(e.clientId);
  });
}

/** No fill after a cancel is acknowledged: as the bot receives them, and as the exchange sends them. */
function cancelInvariant(t: Trace): void {
  expect(
    fillAfterCancel(t.received.map((r) => r.event)),
    'the bot received a fill after the cancel ack',
  ).toBeUndefined();
  expect(fillAfterCancel(t.sent), 'the exchange sent a fill after the cancel ack').toBeUndefined();
}

/** Virtual time never goes backwards; nothing is received before the venue stamped it, or after the end. */
function timeInvariant(t: Trace): void {
  // Plain loops and one expect: a run has thousands of stamps.
  let prev = 0;
  let bad: string | undefined;
  for (const s of t.stamps) {
    if (!Number.isSafeInteger(s.now)) bad ??= `now ${s.now} is not an integer at ${s.what}`;
    if (s.now < prev) bad ??= `time went back from ${prev} to ${s.now} at ${s.what}`;
    if (s.exchangeTime !== undefined && s.exchangeTime > s.now) bad ??= `${s.what} stamped ${s.exchangeTime}, after it was received at ${s.now}`;
    prev = Math.max(prev, s.now);
  }
  if (prev > t.report.execution.end_us) bad ??= `a callback at ${prev}, after the end of the run (${t.report.execution.end_us})`;
  let sentPrev = 0;
  for (const e of t.sent) {
    if (e.exchangeTime < sentPrev) bad ??= `exchange time went back from ${sentPrev} to ${e.exchangeTime} at ${e.type} ${e.clientId}`;
    sentPrev = Math.max(sentPrev, e.exchangeTime);
  }
  expect(bad, bad).toBeUndefined();
}

// ---------------------------------------------------------------------------------------------------

describe('run invariants over random scenarios and fault schedules', () => {
  it('the venue position and filled lots are the signed sum of the fills it sent', async () => {
    await property(venueLedgerInvariant);
  });

  it('bot position = received fills + recon adjustments; without a disconnect, the venue position less the fills in flight (fifo entry)', async () => {
    await property(botPositionInvariant, fifoEntry);
  });

  // With `ordering: independent` on entry a recon query can overtake a place sent just before it; the
  // first counterexample fast-check found (recon dropped the order, then ignored its fill) stays in
  // the examples as a regression case.
  it('the same with ordering: independent on entry (a recon query may overtake a place sent just before it)', async () => {
    await property(botPositionInvariant, independentEntry, [KNOWN_INDEPENDENT_COUNTEREXAMPLE]);
  });

  it('venue cash = -sum(signed qty x lot x price) - sum(fees), fees at the maker rate; the bot P&L saw the fills it received', async () => {
    await property(cashInvariant);
  });

  it('every fill is at exactly its order limit price (never better), on its side, and never more than the order size', async () => {
    await property(priceInvariant);
  });

  it('no fill after a cancel is acknowledged (as the bot receives them, and as the exchange sends them)', async () => {
    await property(cancelInvariant);
  });

  it('own fills never exceed the tape: the fills each market trade caused add up to at most its quantity', async () => {
    await property(tapeInvariant);
  });

  it('virtual time never goes backwards: observer times never decrease, nothing is received before it was sent', async () => {
    await property(timeInvariant);
  });

  it('determinism: the same text and seed give the same digest and bytes (observed or not); another seed another digest', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (gen) => {
        const yaml = scenarioYaml(gen);
        const first = await traced(gen);
        const again = await runScenario(parseScenario(yaml, 'prop.yaml'));
        const other = await runScenario(parseScenario(yaml, 'prop.yaml'), { seed: gen.seed + 1 });
        const where = `\n--- scenario (prop.yaml) ---\n${yaml}`;
        expect(again.report.execution.digest, `digest${where}`).toBe(first.report.execution.digest);
        expect(again.reportJson, `report.json bytes${where}`).toBe(first.result.reportJson);
        expect(again.metricsText, `metrics.prom${where}`).toBe(first.result.metricsText);
        expect(other.report.execution.digest, `seed ${gen.seed + 1} gave the digest of seed ${gen.seed}${where}`).not.toBe(first.report.execution.digest);
      }),
      { seed: FC_SEED, numRuns: DETERMINISM_RUNS },
    );
  });

  it('the generated cases reach fills, cancels, fills in flight at the end, recon adjustments and every fault kind', async () => {
    const gens = fc.sample(scenarioArb, { seed: FC_SEED, numRuns: NUM_RUNS });
    const ts: Trace[] = [];
    for (const g of gens) ts.push(await traced(g));
    const kinds = new Set(gens.flatMap((g) => g.faults.map((f) => f.kind)));
    expect([...kinds].sort()).toEqual(['ack_loss', 'disconnect', 'feed_freeze', 'latency_spike', 'list_responses', 'reject_storm']);
    expect(ts.filter((t) => receivedFills(t).length > 0).length, 'cases with fills').toBeGreaterThan(NUM_RUNS / 2);
    expect(ts.filter((t) => t.received.some((r) => r.event.type === 'canceled')).length, 'cases with cancels').toBeGreaterThan(NUM_RUNS / 2);
    expect(ts.some((t) => hadDisconnect(t) && undelivered(t).length > 0), 'fills lost under a disconnect').toBe(true);
    // If a change to the simulator moves these, widen the generators or pick another FC_SEED.
    expect(ts.some((t) => !hadDisconnect(t) && undelivered(t).length > 0), 'fills in flight at the end').toBe(true);
    expect(ts.some((t) => books(t.report).positionAdjust !== 0), 'a recon position adjustment').toBe(true);
    // The tape property meets prints that reach several own orders and prints smaller than what rests.
    const causes = ts.flatMap((t) => {
      const n = new Map<number, number>();
      for (const f of t.tape.fills) if (f.how !== 'cross') n.set(f.cause, (n.get(f.cause) ?? 0) + 1);
      return [...n.values()];
    });
    expect(causes.filter((c) => c > 1).length, 'prints that filled two or more own orders').toBeGreaterThan(10);
    expect(ts.some((t) => t.tape.fills.some((f) => f.how === 'through' && f.qtyLots === t.tape.trades[f.cause - 1]!.qtyLots && sentFills(t).some((e) => e.clientId === f.clientId && e.leavesLots > 0))), 'a print spent on an order it did not fill in full').toBe(true);
  });

  it('the Binance replay: no market trade caused more own fills than its quantity', async () => {
    const scenario = await loadScenario(join(repoRoot, 'scenarios', 'replay-binance-btcusdt.yaml'));
    const { tape, observer } = tapeRecorder();
    const result = await runScenario(scenario, { exchangeObserver: observer });
    expect(tapeOverfill(tape), tapeOverfill(tape)).toBeUndefined();
    expect(tape.fills.length, 'fill records vs exchange.fills').toBe((result.report.exchange as { fills: number }).fills);
    expect(tape.fills.filter((f) => f.how === 'through').length, 'through fills on the replay').toBeGreaterThan(50);
    expect(tape.trades.length).toBeGreaterThan(10_000);
  }, 120_000);
});

describe('each invariant catches what it is meant to (a real trace, tampered with)', () => {
  /** A fifo-entry case without a disconnect that has fills and a cancel ack. */
  async function sample(): Promise<Trace> {
    for (const g of fc.sample(fifoEntry, { seed: FC_SEED, numRuns: 30 })) {
      const t = await traced(g);
      if (!hadDisconnect(t) && receivedFills(t).some((f) => f.side === 'buy') && t.received.some((r) => r.event.type === 'canceled')) {
        return t;
      }
    }
    throw new Error('no suitable case in the first 30');
  }

  /** The parts of report.json the tampering touches. */
  interface Tamperable {
    exchange: { account: { position_lots: number; cash_usd: number } };
    positions: { by_symbol: Record<string, { position_lots: number }> };
    session: { position_adjust_lots: number };
    pnl: { fees_usd: number };
  }
  const withReport = (t: Trace, edit: (r: Tamperable) => void): Trace => {
    const report = structuredClone(t.report);
    edit(report as unknown as Tamperable);
    return { ...t, report };
  };
  const withReceived = (t: Trace, edit: (events: ExecutionEvent[]) => ExecutionEvent[]): Trace => {
    const events = edit(t.received.map((r) => r.event));
    return { ...t, received: events.map((event) => ({ event, now: t.report.execution.end_us })) };
  };
  const repriced = (t: Trace, by: number): Trace =>
    withReceived(t, (events) => {
      const i = events.findIndex((e) => e.type === 'fill' && e.side === 'buy');
      return events.map((e, j) => (j === i && e.type === 'fill' ? { ...e, priceTicks: e.priceTicks + by } : e));
    });

  it('the untampered trace passes every invariant', async () => {
    const t = await sample();
    for (const inv of [venueLedgerInvariant, botPositionInvariant, cashInvariant, priceInvariant, cancelInvariant, timeInvariant, tapeInvariant]) inv(t);
  });

  it('a print that caused one lot more than it printed, a fill naming no trade', async () => {
    const t = await sample();
    const i = t.tape.fills.findIndex((f) => f.how !== 'cross');
    expect(i, 'a fill caused by a trade').toBeGreaterThanOrEqual(0);
    const f = t.tape.fills[i]!;
    const trade = t.tape.trades[f.cause - 1]!;
    const others = t.tape.fills.filter((g) => g.cause === f.cause && g.how !== 'cross').reduce((s, g) => s + g.qtyLots, 0) - f.qtyLots;
    const over = { ...t.tape, fills: t.tape.fills.map((g, j) => (j === i ? { ...g, qtyLots: trade.qtyLots - others + 1 } : g)) };
    expect(() => tapeInvariant({ ...t, tape: over })).toThrow(/caused .* lots of own fills/);
    const orphan = { ...t.tape, fills: t.tape.fills.map((g, j) => (j === i ? { ...g, cause: t.tape.trades.length + 1 } : g)) };
    expect(() => tapeInvariant({ ...t, tape: orphan })).toThrow(/never saw/);
  });

  it('a venue position off by a lot, a bot position off by a lot, a cent of cash', async () => {
    const t = await sample();
    expect(cashOf(t, receivedFills(t)).notional, 'enough traded for a cent to matter').toBeLessThan(1e6);
    expect(() => venueLedgerInvariant(withReport(t, (r) => (r.exchange.account.position_lots += 1)))).toThrow(/position_lots/);
    expect(() => botPositionInvariant(withReport(t, (r) => (r.positions.by_symbol[SYMBOL]!.position_lots += 1)))).toThrow(/received fills/);
    expect(() => botPositionInvariant(withReport(t, (r) => (r.session.position_adjust_lots = 1)))).toThrow();
    expect(() => cashInvariant(withReport(t, (r) => (r.exchange.account.cash_usd += 0.01)))).toThrow(/cash_usd/);
    expect(() => cashInvariant(withReport(t, (r) => (r.pnl.fees_usd += 0.01)))).toThrow(/pnl.fees_usd/);
  });

  it('a buy filled a tick above or below its limit, a fill after its cancel ack, time going back', async () => {
    const t = await sample();
    for (const [by, why] of [
      [+1, /worse than its limit/],
      [-1, /better than its limit/],
    ] as const) {
      const tampered = repriced(t, by);
      expect(() => priceInvariant(tampered)).toThrow(why);
    }
    const late = withReceived(t, (events) => {
      const c = events.find((e) => e.type === 'canceled')!;
      const f = receivedFills(t)[0]!;
      return [...events, { ...f, clientId: c.clientId }];
    });
    expect(() => cancelInvariant(late)).toThrow(/after the cancel ack/);
    const stamps = [...t.stamps];
    stamps.splice(stamps.length - 1, 0, { now: stamps[stamps.length - 1]!.now + 1, what: 'a step too far' });
    expect(() => timeInvariant({ ...t, stamps })).toThrow(/time went back/);
    const end = t.stamps[t.stamps.length - 1]!.now;
    expect(() => timeInvariant({ ...t, stamps: [...t.stamps, { now: end, what: 'from the future', exchangeTime: end + 1 }] })).toThrow(/after it was received/);
  });
});

/** The shrunk counterexample fast-check found for `botPositionInvariant` with independent entry (fixed: recon no longer judges orders it heard of after its answer, or young unacked ones). */
const KNOWN_INDEPENDENT_COUNTEREXAMPLE: GenScenario = {
  seed: 1,
  tickSize: 0.5,
  lotSize: 0.001,
  market: {
    spreadTicks: 1,
    levels: 5,
    depthLots: 2,
    // The old market's fast mid (11.8 bps/√s, book every 20 ms) as order flow: thin levels, many small
    // sweeps and quick refills, so the touch moves often.
    marketRate: 20,
    sizeMedianLots: 2,
    sizeSigma: 0,
    tailShare: 0,
    tailExponent: 2,
    signFollow: 0,
    signFlipProb: 0.5,
    limitRatio: 3,
    limitSizeLots: 1,
    touchShare: 0.5,
    depthDecayTicks: 2,
    improveProb: 0.5,
    insideRate: 20,
    insideRatePerTick: 5,
    cancelRate: 1,
    decay: 1,
    branching: [0, 0, 0, 0],
    phases: [{ durationS: 10, intensity: 1, buyShare: 0.3 }],
  },
  latency: {
    entry: { dist: 'uniform', min_ms: 0, max_ms: 1 },
    entryIndependent: true,
    entryCancel: { dist: 'lognormal', median_ms: 0.5, sigma: 0 },
    response: { dist: 'constant', ms: 0, burst: { phi: 0 } },
    feed: { dist: 'uniform', min_ms: 1, max_ms: 20, burst: { phi: 0 } },
  },
  fees: { makerBps: 0, takerBps: 2 },
  queueModel: 'risk_averse',
  rateLimit: undefined,
  margin: undefined,
  priceBandBps: undefined,
  minNotionalUsd: 1,
  heartbeatMs: 250,
  strategy: {
    levels: 2,
    spreadBps: 0.417,
    levelStepBps: 0,
    sizeUsd: 60,
    skewBps: 0,
    refreshMs: 203,
    requoteBps: 1.499,
    disconnectTimeoutMs: 600,
    maxBookAgeMs: 300,
    reconIntervalS: 2,
  },
  risk: { maxPositionUsd: 1082, maxTotalUsd: 1082, freezeCooldownS: 1 },
  faults: [{ kind: 'feed_freeze', atMs: 0, durationMs: 4801, param: 0 }],
};
