import type { Report } from '../../core/report.ts';

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
    ...replayLines(r.market as Record<string, unknown> | undefined),
    `orders   sent ${s.orders_sent}  placed ${s.orders_placed}  filled ${s.orders_filled}  canceled ${s.orders_canceled}  rejected ${s.orders_rejected}${rejects ? ` (${rejects})` : ''}`,
    ...(cancelRejects ? [`cancels  sent ${s.cancels_sent}  refused: ${cancelRejects}`] : []),
    `fills    ${s.fills} fills, ${s.filled_lots} lots  maker fill rate ${pct(s.maker_fill_rate)}`,
    `latency  all ops p50=${num(s.latency_p50_ms, 3)}  p95=${num(s.latency_p95_ms, 3)}  p99=${num(s.latency_p99_ms, 3)} ms`,
    lat,
    `risk     ratio p95 ${num(s.risk_ratio_p95, 4)}  max ${num(s.risk_ratio_max, 4)}  breaches ${s.risk_breaches}  freezes ${s.risk_freezes}${riskSamples(r)}`,
    ...lossLines(r),
    `pnl      net ${num(r.pnl.net_bps, 3)} bps = gross ${num(r.pnl.gross_bps, 3)} - adverse@${r.pnl.adverse_horizon_ms}ms ${num(r.pnl.adverse_bps, 3)} - slippage ${num(r.pnl.slippage_bps, 3)} - fees ${num(r.pnl.fees_bps, 3)}  (${num(r.pnl.net_usd, 2)} USD on ${num(r.pnl.notional_usd, 0)} USD traded)`,
    `         total ${num(r.pnl.total_usd, 2)} USD marked to the last mid, of which inventory ${num(r.pnl.inventory_mtm_usd, 2)} USD`,
    `position ${num(r.positions.total_notional_usd, 2)} USD notional, ${r.positions.open_orders} open orders`,
    `digest   ${r.execution.digest}`,
  ];
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

/** Samples by kind (reports from before the risk section have none). */
function riskSamples(r: Report): string {
  const k = r.risk as Report['risk'] | undefined;
  return k ? `  samples ${k.samples_fill} fill (${k.breaches_fill} over) + ${k.samples_interval} interval (${k.breaches_interval} over)` : '';
}

function lossLines(r: Report): string[] {
  const k = r.risk as Report['risk'] | undefined;
  if (!k?.loss_halted || k.max_loss_usd === null) return [];
  const at = k.loss_halted_at_us === null ? '' : ` at ${num(k.loss_halted_at_us / 1e6, 3)}s`;
  return [`         loss limit ${num(k.max_loss_usd, 2)} USD hit${at}: halted for the rest of the run (own P&L ${num(k.pnl_usd, 2)} USD at the end)`];
}

interface ReplaySummary {
  source: 'replay';
  format: string;
  symbol: string;
  files: { path: string; lines: number; anomalies: Record<string, { count: number; first_line: number }> }[];
  book_updates: number;
  trades: number;
  bbo_checks: number;
  bbo_matches: number;
  crossed_books: { count: number; first_line: number } | null;
  time_clamped: { count: number; max_us: number };
}

/** For a replay: what was read and what in it was not used (each reason with its first line). */
function replayLines(market: Record<string, unknown> | undefined): string[] {
  if (market?.source !== 'replay') return [];
  const m = market as unknown as ReplaySummary;
  const lines = m.files.reduce((n, f) => n + f.lines, 0);
  const unused = m.files
    .flatMap((f) => Object.entries(f.anomalies).map(([k, a]) => `${k}=${a.count} (line ${a.first_line})`))
    .join(' ');
  const bbo = m.bbo_checks > 0 ? `  book = bookTicker after ${pct(m.bbo_matches / m.bbo_checks)} of diffs` : '';
  const crossed = m.crossed_books ? `  crossed ${m.crossed_books.count} (line ${m.crossed_books.first_line})` : '';
  return [
    `replay   ${m.format} ${m.symbol}: ${lines} lines, ${m.book_updates} book updates, ${m.trades} trades${bbo}${crossed}`,
    `         not used: ${unused || 'none'}; clamped ${m.time_clamped.count} (max ${num(m.time_clamped.max_us / 1000, 1)} ms)`,
  ];
}
