import type { Report } from './report.ts';

/**
 * The seed's CI check, plus the invariants a report must satisfy. Returns warnings, one line each;
 * an empty list means the report is sane.
 */
export function validateReport(r: Report): string[] {
  const w: string[] = [];
  const s = r.summary;
  if (r.execution.network_enabled) {
    if (s.latency_p95_ms === 0) w.push('latency_p95_ms is zero while network_enabled=true: check instrumentation');
    if (s.risk_ratio_p95 === 0) w.push('risk_ratio_p95 is zero while network_enabled=true: check instrumentation');
  }
  if (s.invalid_latency_samples > 0) w.push(`${s.invalid_latency_samples} invalid latency samples (NaN or negative) were recorded: a simulator bug`);
  if (s.unexpected_events > 0) w.push(`${s.unexpected_events} execution events arrived for orders the bot does not know`);
  if (s.maker_fill_rate < 0 || s.maker_fill_rate > 1) w.push(`maker_fill_rate ${s.maker_fill_rate} is outside [0, 1]`);
  if (!(s.latency_p50_ms <= s.latency_p95_ms && s.latency_p95_ms <= s.latency_p99_ms)) {
    w.push(`latency percentiles out of order: p50 ${s.latency_p50_ms} p95 ${s.latency_p95_ms} p99 ${s.latency_p99_ms}`);
  }
  if (s.orders_filled > s.orders_placed) w.push(`orders_filled ${s.orders_filled} exceeds orders_placed ${s.orders_placed}`);
  const rejects = Object.values(s.rejects_by_reason).reduce((a, b) => a + b, 0);
  if (rejects !== s.orders_rejected) w.push(`rejects_by_reason sums to ${rejects}, orders_rejected is ${s.orders_rejected}`);
  const p = r.pnl;
  const gap = p.net_bps - (p.gross_bps - p.adverse_bps - p.slippage_bps - p.fees_bps);
  if (Math.abs(gap) > 1e-9) w.push(`P&L identity broken: net_bps - (gross - adverse - slippage - fees) = ${gap}`);
  return w;
}
