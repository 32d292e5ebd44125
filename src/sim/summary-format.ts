import type { Report } from '../core/report.ts';

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const num = (x: number, digits = 2): string => x.toFixed(digits);

/** The short human summary `mmsim sim` prints: the numbers a quant looks at first. */
export function formatSummary(r: Report): string {
  const s = r.summary;
  const rejects = Object.entries(s.rejects_by_reason)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const cancelRejects = Object.entries(s.cancel_rejects_by_reason)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const lat = (['place', 'cancel', 'fill'] as const)
    .map((op) => {
      const l = s.latency_ms[op];
      return `  ${op.padEnd(7)} n=${String(l.count).padEnd(7)} p50=${num(l.p50, 3)}  p95=${num(l.p95, 3)}  p99=${num(l.p99, 3)} ms`;
    })
    .join('\n');
  const lines = [
    `scenario ${r.scenario}  seed ${r.execution.seed}  ${r.execution.duration_s}s virtual  ${r.execution.events} events`,
    `orders   sent ${s.orders_sent}  placed ${s.orders_placed}  filled ${s.orders_filled}  canceled ${s.orders_canceled}  rejected ${s.orders_rejected}${rejects ? ` (${rejects})` : ''}`,
    ...(cancelRejects ? [`cancels  sent ${s.cancels_sent}  refused: ${cancelRejects}`] : []),
    `fills    ${s.fills} fills, ${s.filled_lots} lots  maker fill rate ${pct(s.maker_fill_rate)}`,
    `latency  all ops p50=${num(s.latency_p50_ms, 3)}  p95=${num(s.latency_p95_ms, 3)}  p99=${num(s.latency_p99_ms, 3)} ms`,
    lat,
    `risk     ratio p95 ${num(s.risk_ratio_p95, 4)}  max ${num(s.risk_ratio_max, 4)}  breaches ${s.risk_breaches}  freezes ${s.risk_freezes}`,
    `pnl      net ${num(r.pnl.net_bps, 3)} bps = gross ${num(r.pnl.gross_bps, 3)} - adverse@${r.pnl.adverse_horizon_ms}ms ${num(r.pnl.adverse_bps, 3)} - slippage ${num(r.pnl.slippage_bps, 3)} - fees ${num(r.pnl.fees_bps, 3)}  (${num(r.pnl.net_usd, 2)} USD on ${num(r.pnl.notional_usd, 0)} USD traded)`,
    `         total ${num(r.pnl.total_usd, 2)} USD marked to the last mid, of which inventory ${num(r.pnl.inventory_mtm_usd, 2)} USD`,
    `position ${num(r.positions.total_notional_usd, 2)} USD notional, ${r.positions.open_orders} open orders`,
    `digest   ${r.execution.digest}`,
  ];
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
