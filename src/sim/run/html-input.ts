import type { FillPnl } from '../../core/pnl-tracker.ts';
import type { Report } from '../../core/report.ts';
import type { Instrument } from '../../core/types.ts';
import type { ObligationBucket, ObligationsReport } from './obligations.ts';
import type { OrderRecord } from './orders-csv.ts';
import type { Points } from './series.ts';

/** At most this many x buckets per time series (each keeps its first, last, lowest and highest points). */
export const MAX_BUCKETS = 500;

/** What a run's page is built from: the run's own result objects, nothing recomputed another way. */
export interface RunPageInput {
  readonly report: Report;
  readonly fills: readonly FillPnl[];
  readonly orders: readonly OrderRecord[];
  readonly instrument: Instrument;
  /** The venue mid (ticks) after book changes, downsampled (run-series.ts). */
  readonly mid: Points;
  /** Every risk-ratio sample, downsampled. */
  readonly riskRatio: Points;
  /** Latency samples in µs, per op (the collectors behind summary.latency_ms). */
  readonly latencyUs: Readonly<Record<'place' | 'cancel' | 'fill', Float64Array>>;
  readonly horizonsMs: readonly number[];
  readonly adverseHorizonMs: number;
  readonly obligations?: { readonly report: ObligationsReport; readonly timeline: readonly ObligationBucket[] } | undefined;
}

export const C = { mid: '#5a6372', buy: '#2e9d5b', sell: '#d64545', a: '#3b6fd4', b: '#e08a1e', c: '#8d4bd6', d: '#1d2330', e: '#2aa3a3' };
export const s = (us: number): number => us / 1e6;

/** Fill rows in venue time (the bot may learn of fills out of order after a lost message). */
export function byTime(fills: readonly FillPnl[]): FillPnl[] {
  return [...fills].sort((a, b) => a.exchange_time_us - b.exchange_time_us || a.fill - b.fill);
}

export const usdOf = (bps: number, f: FillPnl): number => (bps * f.notional_usd) / 10_000;

export function select<T>(xs: readonly T[], keep: readonly number[]): T[] {
  return keep.map((i) => xs[i]!);
}
