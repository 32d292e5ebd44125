import type { Clock, Micros } from '../../core/clock.ts';
import { notionalUsd } from '../../core/types.ts';
import type { Instrument, Side } from '../../core/types.ts';
import type { ExchangeObserver } from '../exchange/exchange-observer.ts';

/**
 * A maker programme's liquidity obligation (Bybit's market-maker programme, for example: resting size
 * within 5 bps of mid, a snapshot every 10 s, at least 75 % of snapshots qualified). Measured on the
 * venue's side: the bot's orders resting in the matching engine and the venue's own mid, never what the
 * bot believes it has out.
 */
export interface ObligationsConfig {
  readonly snapshotIntervalUs: Micros;
  /** An order counts when its price is within this many bps of the venue mid. */
  readonly depthWithinBps: number;
  /** Resting notional (USD) each side must have within the band. */
  readonly minDepthUsd: number;
  /** The bot's own best ask minus best bid, bps of mid, at most this; undefined: no spread rule. */
  readonly maxSpreadBps: number | undefined;
  /** The share of passing snapshots that qualifies. */
  readonly minPassRatio: number;
}

/** An own order resting at the venue, as `SimExchange.restingSnapshot` lists it. */
export interface RestingOwnOrder {
  readonly side: Side;
  readonly priceTicks: number;
  /** Lots still resting. */
  readonly leaves: number;
}

export type SnapshotFailure = 'no_mid' | 'bid_depth' | 'ask_depth' | 'spread';

export interface ObligationSnapshot {
  readonly bidDepthUsd: number;
  readonly askDepthUsd: number;
  /** The bot's own quoted spread in bps of mid; undefined when a side has no resting order (or no mid). */
  readonly spreadBps: number | undefined;
  readonly passed: boolean;
  /** Every rule the snapshot broke (empty when it passed). */
  readonly failures: readonly SnapshotFailure[];
}

/**
 * One snapshot. Both sides must pass: the bid side's resting notional within `depthWithinBps` of mid
 * and the ask side's, each at least `minDepthUsd` (a one-sided book of quotes provides no two-sided
 * liquidity; Bybit's programme scored the smaller of the bid and ask sizes); with `maxSpreadBps`, the
 * bot's best ask minus its best bid must also be within it. The band is inclusive; no mid (an empty
 * side of the venue's book) fails the snapshot.
 */
export function measureSnapshot(
  config: ObligationsConfig,
  inst: Instrument,
  bestBid: number | undefined,
  bestAsk: number | undefined,
  resting: readonly RestingOwnOrder[],
): ObligationSnapshot {
  if (bestBid === undefined || bestAsk === undefined) {
    return { bidDepthUsd: 0, askDepthUsd: 0, spreadBps: undefined, passed: false, failures: ['no_mid'] };
  }
  const mid = (bestBid + bestAsk) / 2;
  // Within the band: |price - mid| <= depth_within_bps of mid, compared in ticks without rounding.
  const band = (mid * config.depthWithinBps) / 10_000;
  let bid = 0;
  let ask = 0;
  let ownBid = -Infinity;
  let ownAsk = Infinity;
  for (const o of resting) {
    if (o.leaves <= 0) continue;
    if (o.side === 'buy') ownBid = Math.max(ownBid, o.priceTicks);
    else ownAsk = Math.min(ownAsk, o.priceTicks);
    if (Math.abs(o.priceTicks - mid) > band) continue;
    const usd = notionalUsd(inst, o.priceTicks, o.leaves);
    if (o.side === 'buy') bid += usd;
    else ask += usd;
  }
  const spreadBps = Number.isFinite(ownBid) && Number.isFinite(ownAsk) ? ((ownAsk - ownBid) / mid) * 10_000 : undefined;
  const failures: SnapshotFailure[] = [];
  if (bid < config.minDepthUsd) failures.push('bid_depth');
  if (ask < config.minDepthUsd) failures.push('ask_depth');
  if (config.maxSpreadBps !== undefined && !(spreadBps !== undefined && spreadBps <= config.maxSpreadBps)) failures.push('spread');
  return { bidDepthUsd: bid, askDepthUsd: ask, spreadBps, passed: failures.length === 0, failures };
}

/** `report.json`'s `obligations` section (present only when the scenario configures obligations). */
export interface ObligationsReport {
  snapshot_interval_ms: number;
  depth_within_bps: number;
  min_depth_usd: number;
  max_spread_bps: number | null;
  min_pass_ratio: number;
  rule: string;
  snapshots: number;
  passed: number;
  pass_ratio: number;
  longest_failing_streak: number;
  longest_failing_streak_s: number;
  failed_by: Record<SnapshotFailure, number>;
  qualified: boolean;
}

/** Pass/fail counts of consecutive snapshots, for the HTML timeline (bounded: buckets merge pairwise). */
export interface ObligationBucket {
  readonly startUs: Micros;
  snapshots: number;
  passed: number;
  minBidDepthUsd: number;
  minAskDepthUsd: number;
}

const MAX_BUCKETS = 400;

/**
 * Takes a snapshot every `snapshotIntervalUs` of virtual time (the first one interval after the start)
 * and keeps the tallies. It only observes: a snapshot reads the resting orders and the venue's view, and
 * changes nothing the run depends on.
 */
export class ObligationMonitor {
  private bestBid: number | undefined;
  private bestAsk: number | undefined;
  private snapshots = 0;
  private passed = 0;
  private streak = 0;
  private longestStreak = 0;
  private readonly failedBy: Record<SnapshotFailure, number> = { no_mid: 0, bid_depth: 0, ask_depth: 0, spread: 0 };
  private bucketSnapshots = 1;
  private resting: () => readonly RestingOwnOrder[] = () => [];
  private readonly buckets: ObligationBucket[] = [];

  /** The venue's view after every book change: the mid each snapshot measures against. */
  readonly observer: ExchangeObserver = {
    onView: (_now, bid, ask) => {
      this.bestBid = bid;
      this.bestAsk = ask;
    },
  };

  constructor(
    private readonly clock: Clock,
    readonly config: ObligationsConfig,
    private readonly inst: Instrument,
  ) {}

  /** Starts the snapshots, reading the venue's resting own orders from `resting` (the exchange is built after its observers). */
  start(resting: () => readonly RestingOwnOrder[]): void {
    this.resting = resting;
    this.schedule();
  }

  /** One snapshot now (the timer's callback; tests call it directly). */
  snapshot(): ObligationSnapshot {
    const s = measureSnapshot(this.config, this.inst, this.bestBid, this.bestAsk, this.resting());
    this.record(s, this.clock.now());
    return s;
  }

  report(): ObligationsReport {
    const c = this.config;
    const ratio = this.snapshots === 0 ? 0 : this.passed / this.snapshots;
    return {
      snapshot_interval_ms: c.snapshotIntervalUs / 1000,
      depth_within_bps: c.depthWithinBps,
      min_depth_usd: c.minDepthUsd,
      max_spread_bps: c.maxSpreadBps ?? null,
      min_pass_ratio: c.minPassRatio,
      rule: 'a snapshot passes when bid and ask each rest >= min_depth_usd within depth_within_bps of the venue mid (and the own spread <= max_spread_bps when set)',
      snapshots: this.snapshots,
      passed: this.passed,
      pass_ratio: ratio,
      longest_failing_streak: this.longestStreak,
      longest_failing_streak_s: (this.longestStreak * c.snapshotIntervalUs) / 1e6,
      failed_by: { ...this.failedBy },
      qualified: this.snapshots > 0 && ratio >= c.minPassRatio,
    };
  }

  /** The timeline: consecutive snapshots grouped into at most MAX_BUCKETS buckets of equal count. */
  timeline(): readonly ObligationBucket[] {
    return this.buckets;
  }

  private schedule(): void {
    this.clock.schedule(this.clock.now() + this.config.snapshotIntervalUs, () => {
      this.snapshot();
      this.schedule();
    });
  }

  private record(s: ObligationSnapshot, now: Micros): void {
    this.snapshots++;
    if (s.passed) {
      this.passed++;
      this.streak = 0;
    } else {
      this.streak++;
      if (this.streak > this.longestStreak) this.longestStreak = this.streak;
    }
    for (const f of s.failures) this.failedBy[f]++;
    const last = this.buckets[this.buckets.length - 1];
    if (last && last.snapshots < this.bucketSnapshots) {
      last.snapshots++;
      last.passed += s.passed ? 1 : 0;
      last.minBidDepthUsd = Math.min(last.minBidDepthUsd, s.bidDepthUsd);
      last.minAskDepthUsd = Math.min(last.minAskDepthUsd, s.askDepthUsd);
    } else {
      this.buckets.push({ startUs: now, snapshots: 1, passed: s.passed ? 1 : 0, minBidDepthUsd: s.bidDepthUsd, minAskDepthUsd: s.askDepthUsd });
      if (this.buckets.length > MAX_BUCKETS) this.mergePairs();
    }
  }

  /** Halves the bucket count: each bucket then holds twice as many snapshots (deterministic in the count). */
  private mergePairs(): void {
    const merged: ObligationBucket[] = [];
    for (let i = 0; i < this.buckets.length; i += 2) {
      const a = this.buckets[i]!;
      const b = this.buckets[i + 1];
      merged.push(
        b === undefined
          ? a
          : {
              startUs: a.startUs,
              snapshots: a.snapshots + b.snapshots,
              passed: a.passed + b.passed,
              minBidDepthUsd: Math.min(a.minBidDepthUsd, b.minBidDepthUsd),
              minAskDepthUsd: Math.min(a.minAskDepthUsd, b.minAskDepthUsd),
            },
      );
    }
    this.buckets.splice(0, this.buckets.length, ...merged);
    this.bucketSnapshots *= 2;
  }
}
