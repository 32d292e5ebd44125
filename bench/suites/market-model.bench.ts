/**
 * The synthetic market's cost per event: the event-level order-flow generator (issue 14) against the
 * market model it replaced, on burst.yaml's market alone (no bot, no exchange: the market's own cost).
 *
 * Contenders (cases "<group>: <contender>", ns per clock event, one timed call = the whole 300 s market
 * from a fresh book, clock and streams, so every call does the same seeded work):
 *   - order flow:          src/sim/market/order-flow.ts with scenarios/burst.yaml's calibrated `market:`.
 *   - order flow, no requote: bench/support/order-flow-before.ts, the generator as it was before the
 *                          requote rule, on the same parameters (its own fit had no requote block).
 *   - periodic rebuild:    bench/support/periodic-market-before.ts, the model before issue 14 (mid random
 *                          walk, the book re-centred every 100 ms, Poisson trades) with burst.yaml's
 *                          parameters of that time (git 147c79b).
 * An event is one virtual-clock callback. The models do different work per event and a different number
 * of events per virtual second, so the notes also give the cost per virtual second of market, which is
 * what a run pays. Setup checks (untimed) that two runs of each contender print the same trades.
 *
 *   node --import tsx bench/suites/market-model.bench.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Side } from '../../src/core/types.ts';
import { createStreams } from '../../src/sim/clock/rng.ts';
import { VirtualClock } from '../../src/sim/clock/virtual-clock.ts';
import { OrderBook } from '../../src/sim/exchange/order-book.ts';
import { syntheticConfig } from '../../src/sim/market/market-driver.ts';
import { OrderFlowMarket } from '../../src/sim/market/order-flow.ts';
import type { MarketListener, SyntheticMarketConfig } from '../../src/sim/market/synthetic-market.ts';
import { parseScenario } from '../../src/sim/scenario/load-scenario.ts';
import { OrderFlowMarket as OrderFlowBefore } from '../support/order-flow-before.ts';
import { PeriodicMarket } from '../support/periodic-market-before.ts';
import type { PeriodicMarketConfig } from '../support/periodic-market-before.ts';
import { runSuite } from '../support/suite.ts';
import type { BenchCase } from '../support/suite.ts';

const OPTIONS = { minSamples: 5, maxTime: 3 };
const SEED = '42';
const GROUP = 'burst.yaml market, 300 s';

const root = join(import.meta.dirname, '..', '..');
const scenarioPath = join(root, 'scenarios', 'burst.yaml');
const scenario = parseScenario(readFileSync(scenarioPath, 'utf8'), scenarioPath);
if (scenario.market.source !== 'synthetic') throw new Error('burst.yaml: expected a synthetic market');
const flowConfig: SyntheticMarketConfig = syntheticConfig(scenario.market, scenario.instrument.tick_size);

const S = 1_000_000;
/** burst.yaml's market before issue 14 (git 147c79b), prices in ticks of 0.1 and sizes in lots. */
const periodicConfig: PeriodicMarketConfig = {
  initialMidTicks: 600_000,
  spreadTicks: 2,
  levels: 30,
  depthLots: 20,
  levelRefreshProb: 0.1,
  bookIntervalUs: 100_000,
  tradeSizeMedianLots: 5,
  tradeSizeSigma: 1.2,
  phases: [
    { name: 'calm', startUs: 0, endUs: 120 * S, tradeRatePerS: 3, volatilityBpsPerSqrtS: 1.5, impactBps: 0.2, buyShare: 0.5 },
    { name: 'burst', startUs: 120 * S, endUs: 180 * S, tradeRatePerS: 30, volatilityBpsPerSqrtS: 8, impactBps: 0.5, buyShare: 0.5 },
    { name: 'calm_after', startUs: 180 * S, endUs: 300 * S, tradeRatePerS: 3, volatilityBpsPerSqrtS: 1.5, impactBps: 0.2, buyShare: 0.5 },
  ],
};

interface MarketRun {
  events: number;
  prints: number;
  /** A running checksum of the prints, to check that two runs agree. */
  check: number;
}

type Contender = 'flow' | 'before' | 'periodic';

/** One whole market run from scratch. Each contender has its own literal (V8 type feedback, see suite.ts). */
function runFlow(): MarketRun {
  const clock = new VirtualClock();
  const book = new OrderBook();
  const streams = createStreams(SEED);
  const out = { events: 0, prints: 0, check: 0 };
  const listener: MarketListener = {
    onTrade(side: Side, price: number, qty: number) {
      out.prints++;
      out.check = (out.check * 31 + price * (side === 'buy' ? 1 : -1) + qty) % 1_000_000_007;
    },
    onBookChange() {},
  };
  const m = new OrderFlowMarket(clock, book, flowConfig, { arrivals: streams.market_arrivals, sizes: streams.market_sizes, signs: streams.market_signs, levels: streams.market_levels }, listener);
  m.start();
  clock.runUntil(flowConfig.phases[flowConfig.phases.length - 1]!.endUs);
  out.events = clock.eventsProcessed;
  return out;
}

function runBefore(): MarketRun {
  const clock = new VirtualClock();
  const book = new OrderBook();
  const streams = createStreams(SEED);
  const out = { events: 0, prints: 0, check: 0 };
  const listener: MarketListener = {
    onTrade(side: Side, price: number, qty: number) {
      out.prints++;
      out.check = (out.check * 31 + price * (side === 'buy' ? 1 : -1) + qty) % 1_000_000_007;
    },
    onBookChange() {},
  };
  const m = new OrderFlowBefore(clock, book, flowConfig, { arrivals: streams.market_arrivals, sizes: streams.market_sizes, signs: streams.market_signs, levels: streams.market_levels }, listener);
  m.start();
  clock.runUntil(flowConfig.phases[flowConfig.phases.length - 1]!.endUs);
  out.events = clock.eventsProcessed;
  return out;
}

function runPeriodic(): MarketRun {
  const clock = new VirtualClock();
  const book = new OrderBook();
  const streams = createStreams(SEED);
  const out = { events: 0, prints: 0, check: 0 };
  const listener = {
    onTrade(side: Side, price: number, qty: number) {
      out.prints++;
      out.check = (out.check * 31 + price * (side === 'buy' ? 1 : -1) + qty) % 1_000_000_007;
    },
    onBookChange() {},
  };
  const m = new PeriodicMarket(clock, book, periodicConfig, streams.market, streams.trades, listener);
  m.start();
  clock.runUntil(periodicConfig.phases[periodicConfig.phases.length - 1]!.endUs);
  out.events = clock.eventsProcessed;
  return out;
}

const RUNS: Record<Contender, () => MarketRun> = { flow: runFlow, before: runBefore, periodic: runPeriodic };
const measured = new Map<Contender, MarketRun>();

/** Runs a contender twice (untimed): the counts it is timed per, and a check that it is deterministic. */
function probe(c: Contender): MarketRun {
  let r = measured.get(c);
  if (!r) {
    r = RUNS[c]();
    const again = RUNS[c]();
    if (again.events !== r.events || again.check !== r.check) throw new Error(`market-model bench: ${c} is not deterministic`);
    measured.set(c, r);
  }
  return r;
}

function contender(name: string, c: Contender): BenchCase {
  return { name: `${GROUP}: ${name}`, unitsPerOp: probe(c).events, unit: 'event', options: OPTIONS, setup: () => RUNS[c] };
}

await runSuite(
  'market-model',
  [contender('order flow', 'flow'), contender('order flow, no requote', 'before'), contender('periodic rebuild (before #14)', 'periodic')],
  () =>
    Object.fromEntries(
      [...measured].map(([c, r]) => [c, { events: r.events, prints: r.prints, events_per_virtual_s: r.events / 300 }]),
    ),
);
