// fast-check generators of small random scenarios for the run-level property tests: a short synthetic
// market (1-2 phases), random latencies, queue model, venue rules and a fault schedule. The generated
// value is a plain object (`GenScenario`) that `scenarioYaml` turns into scenario text, so a failing
// case prints as readable YAML and shrinks field by field.
import fc from 'fast-check';
import { stringify } from 'yaml';

export const SYMBOL = 'PROPUSD';

export type FaultKind = 'disconnect' | 'latency_spike' | 'reject_storm' | 'feed_freeze' | 'ack_loss' | 'list_responses';
export const FAULT_KINDS: readonly FaultKind[] = ['disconnect', 'latency_spike', 'reject_storm', 'feed_freeze', 'ack_loss', 'list_responses'];

export type LatencyGen =
  | { dist: 'constant'; ms: number; burst?: { phi: number } }
  | { dist: 'uniform'; min_ms: number; max_ms: number; burst?: { phi: number } }
  | { dist: 'lognormal'; median_ms: number; sigma: number; burst?: { phi: number } };

export interface FaultGen {
  kind: FaultKind;
  /** Start and length in ms (already inside the run and non-overlapping per kind). */
  atMs: number;
  durationMs: number;
  /** factor (latency_spike) or probability (reject_storm, ack_loss); unused by the other kinds. */
  param: number;
}

export interface GenScenario {
  seed: number;
  tickSize: number;
  lotSize: number;
  market: {
    spreadTicks: number;
    levels: number;
    depthLots: number;
    /** Market orders: mean rate, lognormal body, Pareto tail, sign regime. */
    marketRate: number;
    sizeMedianLots: number;
    sizeSigma: number;
    tailShare: number;
    tailExponent: number;
    signFollow: number;
    signFlipProb: number;
    /** Limit orders per second, as a multiple of the market-order rate (1 to 8: keeps the baselines positive). */
    limitRatio: number;
    limitSizeLots: number;
    touchShare: number;
    depthDecayTicks: number;
    improveProb: number;
    insideRate: number;
    insideRatePerTick: number;
    cancelRate: number;
    /** Hawkes decay and branching ratios [mm, ml, lm, ll]: a spectral radius below 0.9 and positive baselines. */
    decay: number;
    branching: [number, number, number, number];
    phases: { durationS: number; intensity: number; buyShare: number }[];
  };
  latency: {
    entry: LatencyGen;
    /** `ordering: independent` on entry (REST-like: a message may overtake the one before it). */
    entryIndependent: boolean;
    /** An own distribution for cancels on entry (the per-operation form). */
    entryCancel: LatencyGen | undefined;
    response: LatencyGen;
    feed: LatencyGen;
  };
  fees: { makerBps: number; takerBps: number };
  queueModel: 'risk_averse' | 'log' | { model: 'power'; n: number };
  rateLimit: { maxRequests: number; windowMs: number; includeCancels: boolean; banAfter: number; banDurationMs: number } | undefined;
  margin: { balanceUsd: number; leverage: number } | undefined;
  priceBandBps: number | undefined;
  minNotionalUsd: number;
  heartbeatMs: number;
  strategy: {
    levels: number;
    spreadBps: number;
    levelStepBps: number;
    sizeUsd: number;
    skewBps: number;
    refreshMs: number;
    requoteBps: number;
    disconnectTimeoutMs: number;
    maxBookAgeMs: number;
    reconIntervalS: number;
  };
  risk: { maxPositionUsd: number; maxTotalUsd: number; freezeCooldownS: number };
  faults: FaultGen[];
}

/** Rounds to a few decimals so the YAML stays short and every value survives the text round trip. */
const r3 = (x: number): number => Math.round(x * 1000) / 1000;
const dbl = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map(r3);

/** Present in about one case out of three. */
const sometimes = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: arb, weight: 1 });

const burstArb = sometimes(fc.record({ phi: dbl(0, 0.95) }));

export const latencyArb: fc.Arbitrary<LatencyGen> = fc.oneof(
  fc.record({ ms: fc.integer({ min: 0, max: 30 }), burst: burstArb }).map(({ ms, burst }) => withBurst({ dist: 'constant', ms }, burst)),
  fc
    .record({ lo: fc.integer({ min: 0, max: 15 }), span: fc.integer({ min: 0, max: 30 }), burst: burstArb })
    .map(({ lo, span, burst }) => withBurst({ dist: 'uniform', min_ms: lo, max_ms: lo + span }, burst)),
  fc
    .record({ median: dbl(0.5, 20), sigma: dbl(0, 1.2), burst: burstArb })
    .map(({ median, sigma, burst }) => withBurst({ dist: 'lognormal', median_ms: median, sigma }, burst)),
);

function withBurst<T extends LatencyGen>(spec: T, burst: { phi: number } | undefined): T {
  return burst === undefined ? spec : { ...spec, burst };
}

const phaseArb = fc.record({
  durationS: fc.integer({ min: 10, max: 20 }),
  intensity: dbl(0.5, 5),
  buyShare: dbl(0.3, 0.7),
});

const rawFaultArb: fc.Arbitrary<RawFault> = fc.record({
  kind: fc.constantFrom(...FAULT_KINDS),
  // Where in the run a fault starts, spread evenly (a double would be drawn near 0 most of the time).
  atFrac: fc.integer({ min: 0, max: 950 }).map((x) => x / 1000),
  durationMs: fc.integer({ min: 100, max: 8000 }),
  factor: dbl(1, 20),
  probability: dbl(0, 1),
});

interface RawFault {
  kind: FaultKind;
  atFrac: number;
  durationMs: number;
  factor: number;
  probability: number;
}

/** Places raw faults inside a run of `runMs` and drops any that overlaps an earlier one of its kind. */
function placeFaults(raw: readonly RawFault[], runMs: number): FaultGen[] {
  const out: FaultGen[] = [];
  for (const f of raw) {
    const atMs = Math.floor(f.atFrac * (runMs - 100));
    const durationMs = Math.max(1, Math.min(f.durationMs, runMs - atMs));
    const clash = out.some((g) => g.kind === f.kind && g.atMs < atMs + durationMs && atMs < g.atMs + g.durationMs);
    if (clash) continue;
    const param = f.kind === 'latency_spike' ? f.factor : f.kind === 'reject_storm' || f.kind === 'ack_loss' ? f.probability : 0;
    out.push({ kind: f.kind, atMs, durationMs, param });
  }
  return out;
}

export const scenarioArb: fc.Arbitrary<GenScenario> = fc
  .record({
    seed: fc.integer({ min: 0, max: 1_000_000 }),
    tickSize: fc.constantFrom(0.5, 1),
    lotSize: fc.constantFrom(0.001, 0.002),
    market: fc.record({
      spreadTicks: fc.integer({ min: 1, max: 3 }),
      levels: fc.integer({ min: 5, max: 30 }),
      depthLots: fc.integer({ min: 2, max: 15 }),
      marketRate: dbl(1, 30),
      sizeMedianLots: dbl(1, 20),
      sizeSigma: dbl(0, 1.5),
      tailShare: dbl(0, 0.1),
      tailExponent: dbl(1.05, 3),
      signFollow: dbl(0, 0.8),
      signFlipProb: dbl(0.01, 0.5),
      limitRatio: dbl(1, 8),
      limitSizeLots: dbl(1, 10),
      touchShare: dbl(0, 1),
      depthDecayTicks: dbl(0.5, 10),
      improveProb: dbl(0, 1),
      insideRate: dbl(0, 30),
      insideRatePerTick: dbl(0, 10),
      cancelRate: dbl(0, 3),
      decay: dbl(0.5, 50),
      branching: fc.tuple(dbl(0, 0.6), dbl(0, 0.04), dbl(0, 0.45), dbl(0, 0.45)),
      phases: fc.array(phaseArb, { minLength: 1, maxLength: 2 }),
    }),
    latency: fc.record({
      entry: latencyArb,
      entryIndependent: fc.boolean(),
      entryCancel: sometimes(latencyArb),
      response: latencyArb,
      feed: latencyArb,
    }),
    fees: fc.record({ makerBps: dbl(-1, 0.5), takerBps: dbl(2, 6) }),
    queueModel: fc.oneof(
      fc.constant('risk_averse' as const),
      fc.constant('log' as const),
      dbl(0.25, 3).map((n) => ({ model: 'power' as const, n })),
    ),
    rateLimit: sometimes(
      fc.record({
        maxRequests: fc.integer({ min: 5, max: 60 }),
        windowMs: fc.integer({ min: 200, max: 2000 }),
        includeCancels: fc.boolean(),
        banAfter: fc.oneof(fc.constant(0), fc.integer({ min: 2, max: 10 })),
        banDurationMs: fc.integer({ min: 500, max: 5000 }),
      }),
    ),
    margin: sometimes(fc.record({ balanceUsd: fc.integer({ min: 300, max: 20_000 }), leverage: dbl(1, 10) })),
    priceBandBps: sometimes(dbl(3, 100)),
    minNotionalUsd: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.integer({ min: 1, max: 200 }), weight: 1 }),
    heartbeatMs: fc.constantFrom(250, 500, 1000),
    strategy: fc.record({
      levels: fc.integer({ min: 1, max: 3 }),
      spreadBps: dbl(0.2, 3),
      levelStepBps: dbl(0, 2),
      sizeUsd: fc.integer({ min: 60, max: 600 }),
      skewBps: dbl(0, 3),
      refreshMs: fc.integer({ min: 200, max: 3000 }),
      requoteBps: dbl(0, 1.5),
      disconnectTimeoutMs: fc.integer({ min: 600, max: 3000 }),
      maxBookAgeMs: fc.integer({ min: 300, max: 2000 }),
      reconIntervalS: fc.constantFrom(0, 2, 5, 10),
    }),
    risk: fc.record({
      maxPositionUsd: fc.integer({ min: 1000, max: 10_000 }),
      maxTotalUsd: fc.integer({ min: 800, max: 12_000 }),
      freezeCooldownS: fc.integer({ min: 1, max: 10 }),
    }),
    rawFaults: fc.array(rawFaultArb, { minLength: 0, maxLength: 4 }),
  })
  .map(({ rawFaults, ...s }) => {
    const runMs = s.market.phases.reduce((t, p) => t + p.durationS * 1000, 0);
    return { ...s, faults: placeFaults(rawFaults, runMs) };
  });

const latencySpec = (spec: LatencyGen): Record<string, unknown> => ({ ...spec });

function faultYaml(f: FaultGen): Record<string, unknown> {
  const base = { kind: f.kind, at: `${f.atMs}ms`, duration: `${f.durationMs}ms` };
  if (f.kind === 'latency_spike') return { ...base, factor: f.param };
  if (f.kind === 'reject_storm' || f.kind === 'ack_loss') return { ...base, probability: f.param };
  return base;
}

/** The scenario text for a generated scenario (what `parseScenario` and `mmsim sim` read). */
export function scenarioYaml(g: GenScenario): string {
  const m = g.market;
  const l = g.latency;
  const entry: Record<string, unknown> =
    l.entryCancel === undefined
      ? { ...latencySpec(l.entry), ...(l.entryIndependent ? { ordering: 'independent' } : {}) }
      : { default: latencySpec(l.entry), cancel: latencySpec(l.entryCancel), ...(l.entryIndependent ? { ordering: 'independent' } : {}) };
  const st = g.strategy;
  const doc = {
    name: 'prop',
    seed: g.seed,
    instrument: { symbol: SYMBOL, tick_size: g.tickSize, lot_size: g.lotSize },
    market: {
      source: 'synthetic',
      initial_mid: 60_000,
      spread_ticks: m.spreadTicks,
      levels: m.levels,
      depth_lots: m.depthLots,
      market_orders: {
        rate_per_s: m.marketRate,
        size_lots: { median: m.sizeMedianLots, sigma: m.sizeSigma, tail_share: m.tailShare, tail_min: Math.max(1, 5 * m.sizeMedianLots), tail_exponent: m.tailExponent },
        sign: { follow: m.signFollow, flip_prob: m.signFlipProb },
      },
      limit_orders: {
        rate_per_s: m.marketRate * m.limitRatio,
        size_lots: m.limitSizeLots,
        touch_share: m.touchShare,
        depth_decay_ticks: m.depthDecayTicks,
        improve_prob: m.improveProb,
        inside_rate_per_s: m.insideRate,
        inside_rate_per_tick_s: m.insideRatePerTick,
      },
      cancel_rate_per_s: m.cancelRate,
      hawkes: { decay_per_s: m.decay, market_market: m.branching[0], market_limit: m.branching[1], limit_market: m.branching[2], limit_limit: m.branching[3] },
      phases: m.phases.map((p, i) => ({ name: `p${i}`, duration: `${p.durationS}s`, intensity: p.intensity, buy_share: p.buyShare })),
    },
    exchange: {
      latency: { entry, response: latencySpec(l.response), feed: latencySpec(l.feed) },
      fees: { maker_bps: g.fees.makerBps, taker_bps: g.fees.takerBps },
      min_size_lots: 1,
      min_notional_usd: g.minNotionalUsd,
      ...(g.priceBandBps === undefined ? {} : { price_band_bps: g.priceBandBps }),
      ...(g.rateLimit === undefined
        ? {}
        : {
            rate_limit: {
              max_requests: g.rateLimit.maxRequests,
              window: `${g.rateLimit.windowMs}ms`,
              include_cancels: g.rateLimit.includeCancels,
              ban_after: g.rateLimit.banAfter,
              ban_duration: `${g.rateLimit.banDurationMs}ms`,
            },
          }),
      ...(g.margin === undefined ? {} : { margin: { balance_usd: g.margin.balanceUsd, leverage: g.margin.leverage } }),
      queue_model: g.queueModel,
      heartbeat: `${g.heartbeatMs}ms`,
    },
    strategy: {
      levels: st.levels,
      spread_bps: st.spreadBps,
      level_step_bps: st.levelStepBps,
      size_usd: st.sizeUsd,
      skew_bps: st.skewBps,
      refresh: `${st.refreshMs}ms`,
      requote_threshold_bps: st.requoteBps,
      session: {
        disconnect_timeout: `${st.disconnectTimeoutMs}ms`,
        max_book_age: `${st.maxBookAgeMs}ms`,
        recon_interval: `${st.reconIntervalS}s`,
      },
    },
    risk: { max_position_usd: g.risk.maxPositionUsd, max_total_notional_usd: g.risk.maxTotalUsd, freeze_cooldown: `${g.risk.freezeCooldownS}s` },
    faults: g.faults.map(faultYaml),
  };
  return stringify(doc, { lineWidth: 0, flowCollectionPadding: false });
}
