import { z } from 'zod';
import { percentileOfSorted } from '../../core/percentiles.ts';
import type { RunResult } from '../run/runner.ts';

/** Names the format of `ITER_SUMMARY_<N>.json`; bump it when a field changes meaning. */
export const ITER_SUMMARY_SCHEMA = 'mmsim/iter-summary@1';

const P95_BP = 9_500;

/**
 * One soak iteration, as `ITER_SUMMARY_<N>.json` holds it. `summary` has what the audit reads; its P&L
 * is in the original bot's terms: the p95 of the per-fill adverse markout and slippage are charged as
 * costs, so `net_bps = gross_bps - adverse_bps_p95 - slippage_bps_p95 - fees_bps` (a conservative net).
 * The mean-cost net of report.json is kept beside it as `net_bps_mean`.
 */
export interface IterSummary {
  readonly schema: string;
  readonly iteration: number;
  readonly scenario: string;
  readonly variant?: string;
  /** The seed this iteration ran with, derived from the soak's seed and the iteration number. */
  readonly seed: number;
  readonly soak_seed: number;
  /** sha256 of the validated scenario: a resumed soak only keeps iterations of the same scenario. */
  readonly scenario_sha256: string;
  readonly summary: {
    readonly net_bps: number;
    readonly gross_bps: number;
    readonly fees_bps: number;
    readonly adverse_bps_p95: number;
    readonly slippage_bps_p95: number;
    readonly net_bps_mean: number;
    readonly adverse_bps_mean: number;
    readonly slippage_bps_mean: number;
    readonly adverse_horizon_ms: number;
    readonly pnl_total_usd: number;
    readonly fills: number;
    readonly notional_usd: number;
    readonly orders_placed: number;
    readonly orders_filled: number;
    readonly maker_fill_rate: number;
    readonly latency_p50_ms: number;
    readonly latency_p95_ms: number;
    readonly latency_p99_ms: number;
    readonly risk_ratio_p95: number;
    readonly risk_breaches: number;
    readonly rejects: number;
    readonly rejects_by_reason: Readonly<Record<string, number>>;
    readonly expectations_failed: number;
  };
  readonly execution: { readonly events: number; readonly duration_s: number; readonly digest: string };
}

export interface IterationIdentity {
  readonly scenario: string;
  readonly variant?: string | undefined;
  readonly iteration: number;
  readonly seed: number;
  readonly soakSeed: number;
  readonly scenarioSha256: string;
}

/** Builds an iteration's summary from its run; nothing in it depends on when or where it ran. */
export function buildIterSummary(result: RunResult, id: IterationIdentity): IterSummary {
  const { report } = result;
  const pnl = report.pnl;
  const adverse = pnl.markouts.find((m) => m.horizon_ms === pnl.adverse_horizon_ms);
  const slippage = Float64Array.from(result.fills, (f) => f.slippage_bps).sort();
  const adverseP95 = adverse?.p95_bps ?? 0;
  const slippageP95 = percentileOfSorted(slippage, P95_BP);
  const s = report.summary;
  return {
    schema: ITER_SUMMARY_SCHEMA,
    iteration: id.iteration,
    scenario: id.scenario,
    ...(id.variant === undefined ? {} : { variant: id.variant }),
    seed: id.seed,
    soak_seed: id.soakSeed,
    scenario_sha256: id.scenarioSha256,
    summary: {
      net_bps: pnl.gross_bps - adverseP95 - slippageP95 - pnl.fees_bps,
      gross_bps: pnl.gross_bps,
      fees_bps: pnl.fees_bps,
      adverse_bps_p95: adverseP95,
      slippage_bps_p95: slippageP95,
      net_bps_mean: pnl.net_bps,
      adverse_bps_mean: pnl.adverse_bps,
      slippage_bps_mean: pnl.slippage_bps,
      adverse_horizon_ms: pnl.adverse_horizon_ms,
      pnl_total_usd: pnl.total_usd,
      fills: pnl.fills,
      notional_usd: pnl.notional_usd,
      orders_placed: s.orders_placed,
      orders_filled: s.orders_filled,
      maker_fill_rate: s.maker_fill_rate,
      latency_p50_ms: s.latency_p50_ms,
      latency_p95_ms: s.latency_p95_ms,
      latency_p99_ms: s.latency_p99_ms,
      risk_ratio_p95: s.risk_ratio_p95,
      risk_breaches: s.risk_breaches,
      rejects: s.orders_rejected,
      rejects_by_reason: s.rejects_by_reason,
      expectations_failed: result.expectations.filter((e) => !e.ok).length,
    },
    execution: { events: report.execution.events, duration_s: report.execution.duration_s, digest: report.execution.digest },
  };
}

export const iterSummaryJson = (s: IterSummary): string => `${JSON.stringify(s, null, 2)}\n`;

const PREFIX = 'ITER_SUMMARY_';

/**
 * The most iterations a soak may have (--iterations, the manifest) and the highest number an audited
 * summary may carry: every per-iteration list is bounded by it before anything is allocated.
 */
export const MAX_ITERATIONS = 1_000_000;

/** The file name the soak writes for iteration i (no zero padding; the audit sorts numerically). */
export const iterFileName = (iteration: number): string => `${PREFIX}${iteration}.json`;

/** The iteration number in an `ITER_SUMMARY_<N>.json` name (leading zeros allowed), or undefined. */
export function parseIterFileName(name: string): number | undefined {
  const m = /^ITER_SUMMARY_(\d{1,15})\.json$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** The soak's own files: summaries by their canonical names, and the manifest. */
export const SOAK_FILE = /^(ITER_SUMMARY_\d+\.json|SOAK_MANIFEST\.json)$/;

/** A name that looks meant as a summary but will not be read as one (case, suffix, sign, copy...). */
export const looksLikeIterFile = (name: string): boolean => /iter_summary/i.test(name) && parseIterFileName(name) === undefined;

const finite = z.number();
const count = z.number().int().nonnegative();

/**
 * What the audit needs from a summary. `gross_bps` and `fees_bps` are optional (older versions did not
 * write them; `null` counts as absent); every other field must be there with the right type.
 */
export const auditedSummarySchema = z.looseObject({
  iteration: z.number().int().positive().optional(),
  summary: z.looseObject({
    net_bps: finite,
    gross_bps: finite.nullish(),
    fees_bps: finite.nullish(),
    adverse_bps_p95: finite,
    slippage_bps_p95: finite,
    maker_fill_rate: finite.min(0).max(1),
    latency_p95_ms: finite.nonnegative(),
    risk_ratio_p95: finite.nonnegative(),
    rejects: count,
  }),
});
export type AuditedSummary = z.output<typeof auditedSummarySchema>;

/** What a resumed soak requires of a summary already on disk before it keeps it. */
export const soakSummarySchema = auditedSummarySchema.extend({
  schema: z.literal(ITER_SUMMARY_SCHEMA),
  iteration: z.number().int().positive(),
  seed: z.number().int().nonnegative(),
  soak_seed: z.number().int().nonnegative(),
  scenario_sha256: z.string(),
  summary: auditedSummarySchema.shape.summary.extend({ gross_bps: finite, fees_bps: finite, expectations_failed: count }),
  execution: z.looseObject({ events: count, digest: z.string() }),
});
