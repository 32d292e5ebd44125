import type { AuditInput } from './audit-input.ts';

/** |net - (gross - adverse_p95 - slippage_p95 - fees)| allowed, in bps (the original bot's audit). */
export const TOLERANCE_BPS = 0.05;
/** Slack for binary rounding, so that a gap of exactly 0.05 written in decimal is not a failure. */
const ROUNDING_SLACK = 1e-9;
/** How many of the last iterations the summary describes and checks together. */
export const LAST_N = 8;

/** The table's columns: the original audit's first, then the three it appended (gross_bps, fees_bps, gross_imputed). */
export const TABLE_COLUMNS = [
  'iter',
  'net_bps',
  'adverse_p95',
  'slippage_p95',
  'maker_fill_rate',
  'latency_p95_ms',
  'risk_ratio_p95',
  'rejects',
  'gross_bps',
  'fees_bps',
  'gross_imputed',
] as const;

export interface TableRow {
  readonly iter: number;
  readonly net_bps: number;
  readonly adverse_p95: number;
  readonly slippage_p95: number;
  readonly maker_fill_rate: number;
  readonly latency_p95_ms: number;
  readonly risk_ratio_p95: number;
  readonly rejects: number;
  readonly gross_bps: number;
  readonly fees_bps: number;
  readonly gross_imputed: boolean;
}

export interface Spread {
  readonly mean: number;
  /** Sample standard deviation (n - 1); 0 for a single value. */
  readonly stdev: number;
  readonly min: number;
  readonly max: number;
}

export interface GapFailure {
  readonly iter: number;
  /** net - (gross - adverse_p95 - slippage_p95 - fees), bps. */
  readonly gap_bps: number;
}

export interface AuditResult {
  readonly rows: readonly TableRow[];
  readonly consistent: boolean;
  /** Iterations whose own identity gap exceeds the tolerance, in order. */
  readonly failures: readonly GapFailure[];
  readonly maxAbsGap: GapFailure | undefined;
  readonly lastN: {
    readonly iterations: readonly number[];
    /** The identity on the means of the last iterations. */
    readonly gap_bps: number;
    readonly ok: boolean;
    readonly stats: Readonly<Record<'net_bps' | 'gross_bps' | 'adverse_p95' | 'slippage_p95' | 'fees_bps' | 'maker_fill_rate' | 'latency_p95_ms' | 'risk_ratio_p95' | 'rejects', Spread>>;
  };
  readonly grossImputed: readonly number[];
  readonly feesDefaulted: readonly number[];
}

/** gross - adverse_p95 - slippage_p95 - fees: what net must be. */
const expectedNet = (r: Pick<TableRow, 'gross_bps' | 'adverse_p95' | 'slippage_p95' | 'fees_bps'>): number =>
  r.gross_bps - r.adverse_p95 - r.slippage_p95 - r.fees_bps;

/** One iteration's identity gap: net - (gross - adverse_p95 - slippage_p95 - fees), bps. */
export const identityGap = (r: TableRow): number => r.net_bps - expectedNet(r);

export const withinTolerance = (gap: number): boolean => Math.abs(gap) <= TOLERANCE_BPS + ROUNDING_SLACK;

/**
 * One table row per summary. `fees_bps` is 0.0 when absent; `gross_bps`, when absent, is imputed as
 * net + adverse_p95 + slippage_p95 + fees and flagged (such a row is consistent by construction).
 */
export function tableRow(input: AuditInput): TableRow {
  const s = input.summary;
  const fees = s.fees_bps ?? 0;
  const imputed = s.gross_bps === undefined || s.gross_bps === null;
  return {
    iter: input.iter,
    net_bps: s.net_bps,
    adverse_p95: s.adverse_bps_p95,
    slippage_p95: s.slippage_bps_p95,
    maker_fill_rate: s.maker_fill_rate,
    latency_p95_ms: s.latency_p95_ms,
    risk_ratio_p95: s.risk_ratio_p95,
    rejects: s.rejects,
    gross_bps: imputed ? s.net_bps + s.adverse_bps_p95 + s.slippage_bps_p95 + fees : s.gross_bps!,
    fees_bps: fees,
    gross_imputed: imputed,
  };
}

export function spread(values: readonly number[]): Spread {
  const n = values.length;
  if (n === 0) return { mean: 0, stdev: 0, min: 0, max: 0 };
  const mean = values.reduce((a, v) => a + v, 0) / n;
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, stdev: n > 1 ? Math.sqrt(ss / (n - 1)) : 0, min: Math.min(...values), max: Math.max(...values) };
}

/** Builds the table (inputs in numeric order) and checks net = gross - adverse_p95 - slippage_p95 - fees. */
export function auditRows(inputs: readonly AuditInput[]): AuditResult {
  const rows = inputs.map(tableRow);
  const gaps = rows.map((r) => ({ iter: r.iter, gap_bps: identityGap(r) }));
  const failures = gaps.filter((g) => !withinTolerance(g.gap_bps));
  const maxAbsGap = gaps.reduce<GapFailure | undefined>((m, g) => (m === undefined || Math.abs(g.gap_bps) > Math.abs(m.gap_bps) ? g : m), undefined);
  const last = rows.slice(-LAST_N);
  const col = (k: Exclude<keyof TableRow, 'iter' | 'gross_imputed'>): Spread => spread(last.map((r) => r[k]));
  const stats = {
    net_bps: col('net_bps'),
    gross_bps: col('gross_bps'),
    adverse_p95: col('adverse_p95'),
    slippage_p95: col('slippage_p95'),
    fees_bps: col('fees_bps'),
    maker_fill_rate: col('maker_fill_rate'),
    latency_p95_ms: col('latency_p95_ms'),
    risk_ratio_p95: col('risk_ratio_p95'),
    rejects: col('rejects'),
  };
  const lastGap =
    stats.net_bps.mean - (stats.gross_bps.mean - stats.adverse_p95.mean - stats.slippage_p95.mean - stats.fees_bps.mean);
  const lastOk = withinTolerance(lastGap) && last.every((r) => !failures.some((f) => f.iter === r.iter));
  return {
    rows,
    consistent: failures.length === 0 && lastOk,
    failures,
    maxAbsGap,
    lastN: { iterations: last.map((r) => r.iter), gap_bps: lastGap, ok: lastOk, stats },
    grossImputed: rows.filter((r) => r.gross_imputed).map((r) => r.iter),
    feesDefaulted: inputs.filter((i) => i.summary.fees_bps === undefined || i.summary.fees_bps === null).map((i) => i.iter),
  };
}
