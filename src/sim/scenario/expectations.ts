import { z } from 'zod';
import { DIVERGENCE_KINDS } from '../../core/recon.ts';
import type { Report } from '../../core/report.ts';

const bound = z
  .strictObject({ min: z.number().optional(), max: z.number().optional() })
  .refine((b) => b.min !== undefined || b.max !== undefined, { message: 'give min, max or both' })
  .refine((b) => b.min === undefined || b.max === undefined || b.min <= b.max, { message: 'min must not exceed max' });

export type Bound = z.output<typeof bound>;

const SUMMARY_KEYS = [
  'orders_sent',
  'orders_placed',
  'orders_filled',
  'orders_canceled',
  'orders_rejected',
  'cancels_sent',
  'fills',
  'filled_lots',
  'maker_fill_rate',
  'latency_p50_ms',
  'latency_p95_ms',
  'latency_p99_ms',
  'invalid_latency_samples',
  'unexpected_events',
  'risk_ratio_p95',
  'risk_ratio_max',
  'risk_breaches',
  'risk_freezes',
] as const;
const PNL_KEYS = ['net_bps', 'gross_bps', 'adverse_bps', 'slippage_bps', 'fees_bps', 'net_usd'] as const;
const REJECT_REASONS = [
  'post_only_would_cross',
  'rate_limited',
  'min_size',
  'min_notional',
  'price_band',
  'insufficient_margin',
  'exchange_overloaded',
  'risk_notional_limit',
  'risk_position_limit',
  'risk_frozen',
] as const;

const CANCEL_REJECT_REASONS = ['unknown_order', 'too_late_to_cancel', 'rate_limited', 'exchange_overloaded'] as const;
const SESSION_KEYS = [
  'disconnects',
  'reconnects',
  'stale_books',
  'recon_runs',
  'recon_abandoned',
  'adopted_orders',
  'orphans_canceled',
  'cancels_resent',
  'position_adjust_lots',
] as const;

const RISK_KEYS = [
  'samples_fill',
  'samples_interval',
  'breaches_fill',
  'breaches_interval',
  'ratio_p95_fill',
  'ratio_p95_interval',
  'ratio_max_fill',
  'ratio_max_interval',
  'worst_case_ratio_max',
  'pnl_usd',
  'pnl_min_usd',
] as const;

const opBounds = z.strictObject({ count: bound.optional(), p50: bound.optional(), p95: bound.optional(), p99: bound.optional(), max: bound.optional() });

/**
 * A scenario's `expect:` block: bounds on the report's numbers, checked after the run. Names are the
 * report's own (summary and pnl keys, `total_notional_usd`, `latency_ms.<op>.<stat>`,
 * `rejects_by_reason.<reason>`, `risk.<key>`), so a typo is caught when the scenario is loaded, not after the run.
 */
export const expectationsSchema = z.strictObject({
  ...Object.fromEntries(SUMMARY_KEYS.map((k) => [k, bound.optional()])),
  ...Object.fromEntries(PNL_KEYS.map((k) => [k, bound.optional()])),
  total_notional_usd: bound.optional(),
  latency_ms: z.strictObject({ place: opBounds.optional(), cancel: opBounds.optional(), fill: opBounds.optional() }).optional(),
  rejects_by_reason: z.strictObject(Object.fromEntries(REJECT_REASONS.map((r) => [r, bound.optional()]))).optional(),
  cancel_rejects_by_reason: z.strictObject(Object.fromEntries(CANCEL_REJECT_REASONS.map((r) => [r, bound.optional()]))).optional(),
  risk: z.strictObject(Object.fromEntries(RISK_KEYS.map((k) => [k, bound.optional()]))).optional(),
  session: z
    .strictObject({
      ...Object.fromEntries(SESSION_KEYS.map((k) => [k, bound.optional()])),
      divergences: z.strictObject(Object.fromEntries(DIVERGENCE_KINDS.map((k) => [k, bound.optional()]))).optional(),
    })
    .optional(),
}) as z.ZodType<Expectations>;

export interface Expectations {
  [key: string]: Bound | undefined | Record<string, Bound | undefined | Record<string, Bound | undefined>>;
}

export interface ExpectationResult {
  readonly name: string;
  readonly seen: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly ok: boolean;
}

function lookup(report: Report, name: string): number {
  const parts = name.split('.');
  if (parts[0] === 'latency_ms') {
    const op = report.summary.latency_ms[parts[1] as 'place' | 'cancel' | 'fill'];
    return op[parts[2] as 'count' | 'p50' | 'p95' | 'p99' | 'max'];
  }
  if (parts[0] === 'rejects_by_reason') return report.summary.rejects_by_reason[parts[1]!] ?? 0;
  if (parts[0] === 'cancel_rejects_by_reason') return report.summary.cancel_rejects_by_reason[parts[1]!] ?? 0;
  if (parts[0] === 'risk') return report.risk[parts[1] as (typeof RISK_KEYS)[number]];
  if (parts[0] === 'session') {
    const session = report.session as Record<string, number> & { divergences: Record<string, number> };
    return parts[1] === 'divergences' ? session.divergences[parts[2]!]! : session[parts[1]!]!;
  }
  if (name === 'total_notional_usd') return report.positions.total_notional_usd;
  if ((PNL_KEYS as readonly string[]).includes(name)) return report.pnl[name as (typeof PNL_KEYS)[number]];
  return report.summary[name as (typeof SUMMARY_KEYS)[number]];
}

function flatten(exp: Expectations, prefix = ''): Array<[string, Bound]> {
  const out: Array<[string, Bound]> = [];
  for (const [k, v] of Object.entries(exp)) {
    if (v === undefined) continue;
    const name = prefix + k;
    if ('min' in v || 'max' in v) out.push([name, v as Bound]);
    else out.push(...flatten(v as Expectations, `${name}.`));
  }
  return out;
}

/** Checks every bound against the report, in the order the scenario lists them. */
export function checkExpectations(report: Report, exp: Expectations): ExpectationResult[] {
  return flatten(exp).map(([name, b]) => {
    const seen = lookup(report, name);
    const ok = (b.min === undefined || seen >= b.min) && (b.max === undefined || seen <= b.max);
    return { name, seen, min: b.min ?? null, max: b.max ?? null, ok };
  });
}

export function describeFailure(r: ExpectationResult): string {
  const want = [r.min !== null ? `>= ${r.min}` : null, r.max !== null ? `<= ${r.max}` : null].filter(Boolean).join(' and ');
  return `expectation failed: ${r.name} = ${r.seen}, expected ${want}`;
}
