import type { Report, RiskReport } from './report.ts';

/** Tolerance of the P&L identity check, in bps (the seed's audit tolerance). */
export const PNL_IDENTITY_TOLERANCE_BPS = 0.05;

type Rule = (r: Report) => string | string[] | null;

const sum = (rec: Record<string, number>): number => Object.values(rec).reduce((a, b) => a + b, 0);

function percentileOrder(label: string, p50: number, p95: number, p99: number): string | null {
  return p50 <= p95 && p95 <= p99 ? null : `${label} percentiles out of order: p50 ${p50}, p95 ${p95}, p99 ${p99}`;
}

/**
 * Each rule returns a warning (or several) when the report breaks it. The first two are the seed's
 * CI check; the others are invariants that a report from a correct run always satisfies.
 */
export const VALIDATION_RULES: Readonly<Record<string, Rule>> = {
  zero_latency_p95: (r) =>
    r.execution.network_enabled && r.summary.latency_p95_ms === 0 ? 'latency_p95_ms is zero while network_enabled=true: check instrumentation' : null,
  zero_risk_ratio_p95: (r) =>
    r.execution.network_enabled && r.summary.risk_ratio_p95 === 0 ? 'risk_ratio_p95 is zero while network_enabled=true: check instrumentation' : null,
  invalid_latency_samples: (r) =>
    r.summary.invalid_latency_samples > 0 ? `${r.summary.invalid_latency_samples} invalid latency samples (NaN or negative) were recorded: a simulator bug` : null,
  unexpected_events: (r) =>
    r.summary.unexpected_events > 0 ? `${r.summary.unexpected_events} execution events arrived for orders the bot does not know` : null,
  rate_range: (r) => {
    const f = r.summary.maker_fill_rate;
    return f >= 0 && f <= 1 ? null : `maker_fill_rate ${f} is outside [0, 1]`;
  },
  fill_rate_definition: (r) => {
    const s = r.summary;
    const expected = s.orders_placed > 0 ? s.orders_filled / s.orders_placed : 0;
    return s.maker_fill_rate === expected ? null : `maker_fill_rate ${s.maker_fill_rate} is not orders_filled / orders_placed = ${expected}`;
  },
  latency_order: (r) => {
    const s = r.summary;
    const out = [percentileOrder('latency', s.latency_p50_ms, s.latency_p95_ms, s.latency_p99_ms)];
    for (const [op, l] of Object.entries(s.latency_ms)) out.push(percentileOrder(`latency_ms.${op}`, l.p50, l.p95, l.p99));
    return out.filter((x): x is string => x !== null);
  },
  latency_counts: (r) => {
    const s = r.summary.latency_ms;
    return s.fill.count === r.summary.fills ? null : `latency_ms.fill.count ${s.fill.count} differs from fills ${r.summary.fills}`;
  },
  reject_counts: (r) => {
    const total = sum(r.summary.rejects_by_reason);
    return total === r.summary.orders_rejected ? null : `rejects_by_reason sums to ${total}, orders_rejected is ${r.summary.orders_rejected}`;
  },
  order_counts: (r) => {
    const s = r.summary;
    const out: string[] = [];
    if (s.orders_filled > s.orders_placed) out.push(`orders_filled ${s.orders_filled} exceeds orders_placed ${s.orders_placed}`);
    if (s.orders_canceled > s.orders_placed) out.push(`orders_canceled ${s.orders_canceled} exceeds orders_placed ${s.orders_placed}`);
    if (s.orders_placed > s.orders_sent) out.push(`orders_placed ${s.orders_placed} exceeds orders_sent ${s.orders_sent}`);
    if (s.orders_canceled + sum(s.cancel_rejects_by_reason) > s.cancels_sent) {
      out.push(`cancel answers (${s.orders_canceled} canceled + ${sum(s.cancel_rejects_by_reason)} refused) exceed cancels_sent ${s.cancels_sent}`);
    }
    if (s.orders_filled > s.fills) out.push(`orders_filled ${s.orders_filled} exceeds fills ${s.fills}`);
    return out;
  },
  risk_counts: (r) => {
    const s = r.summary;
    const out: string[] = [];
    if (s.risk_breaches > s.risk_samples) out.push(`risk_breaches ${s.risk_breaches} exceeds risk_samples ${s.risk_samples}`);
    if (s.risk_ratio_p95 > s.risk_ratio_max) out.push(`risk_ratio_p95 ${s.risk_ratio_p95} exceeds risk_ratio_max ${s.risk_ratio_max}`);
    if (s.risk_breaches > 0 && !(s.risk_ratio_max > 1)) out.push(`risk_breaches ${s.risk_breaches} but risk_ratio_max ${s.risk_ratio_max} <= 1`);
    const k = r.risk as RiskReport | undefined;
    // Reports written before the risk section sampled at fills only.
    if (k === undefined) {
      if (s.risk_samples !== s.fills) out.push(`risk_samples ${s.risk_samples} differs from fills ${s.fills}: the ratio is sampled after every fill`);
      return out;
    }
    if (k.samples_fill !== s.fills) out.push(`risk.samples_fill ${k.samples_fill} differs from fills ${s.fills}: the ratio is sampled after every fill`);
    if (k.samples_fill + k.samples_interval !== s.risk_samples) {
      out.push(`risk_samples ${s.risk_samples} is not risk.samples_fill ${k.samples_fill} + risk.samples_interval ${k.samples_interval}`);
    }
    if (k.breaches_fill + k.breaches_interval !== s.risk_breaches) {
      out.push(`risk_breaches ${s.risk_breaches} is not risk.breaches_fill ${k.breaches_fill} + risk.breaches_interval ${k.breaches_interval}`);
    }
    if (k.breaches_fill > k.samples_fill || k.breaches_interval > k.samples_interval) out.push('risk breaches of a kind exceed that kind\'s samples');
    const span = r.execution.end_us - r.execution.start_us;
    const expected = k.sample_interval_us > 0 ? Math.floor(span / k.sample_interval_us) : 0;
    if (Number.isFinite(span) && k.samples_interval !== expected) {
      out.push(`risk.samples_interval ${k.samples_interval} is not one per sample_interval_us ${k.sample_interval_us} over ${span} µs (${expected})`);
    }
    if (Math.max(k.ratio_max_fill, k.ratio_max_interval) !== s.risk_ratio_max) {
      out.push(`risk_ratio_max ${s.risk_ratio_max} is not the larger of the fill and interval maxima (${k.ratio_max_fill}, ${k.ratio_max_interval})`);
    }
    return out;
  },
  risk_limits: (r) => {
    const k = r.risk as RiskReport | undefined;
    if (k === undefined) return null;
    const out: string[] = [];
    if (k.worst_case_ratio_max > 1) out.push(`risk.worst_case_ratio_max ${k.worst_case_ratio_max} > 1: the pre-trade check let an order past the notional limit`);
    if (k.pnl_min_usd > k.pnl_usd) out.push(`risk.pnl_min_usd ${k.pnl_min_usd} is above the final pnl_usd ${k.pnl_usd}`);
    if (k.loss_halted) {
      if (k.max_loss_usd === null) out.push('risk.loss_halted without a loss limit (max_loss_usd is null)');
      else if (!(k.pnl_min_usd < -k.max_loss_usd)) out.push(`risk.loss_halted but pnl_min_usd ${k.pnl_min_usd} never fell below -max_loss_usd ${-k.max_loss_usd}`);
      if (k.loss_halted_at_us === null) out.push('risk.loss_halted without loss_halted_at_us');
    } else {
      if (k.max_loss_usd !== null && k.pnl_min_usd < -k.max_loss_usd) out.push(`risk.pnl_min_usd ${k.pnl_min_usd} fell below -max_loss_usd ${-k.max_loss_usd} but the bot was not halted`);
      if (k.loss_halted_at_us !== null) out.push('risk.loss_halted_at_us set while loss_halted is false');
    }
    return out;
  },
  pnl_identity: (r) => {
    const p = r.pnl;
    const gap = p.net_bps - (p.gross_bps - p.adverse_bps - p.slippage_bps - p.fees_bps);
    return Math.abs(gap) <= PNL_IDENTITY_TOLERANCE_BPS
      ? null
      : `P&L identity broken: net_bps ${p.net_bps} != gross ${p.gross_bps} - adverse ${p.adverse_bps} - slippage ${p.slippage_bps} - fees ${p.fees_bps} (gap ${gap} bps)`;
  },
  pnl_fills: (r) => (r.pnl.fills === r.summary.fills ? null : `pnl.fills ${r.pnl.fills} differs from summary.fills ${r.summary.fills}`),
};

/** Runs every rule; an empty list means the report is sane. Warnings are one line each. */
export function validateReport(r: Report): string[] {
  const warnings: string[] = [];
  for (const rule of Object.values(VALIDATION_RULES)) {
    const w = rule(r);
    if (w === null) continue;
    if (Array.isArray(w)) warnings.push(...w);
    else warnings.push(w);
  }
  return warnings;
}
