import type { Report } from '../../core/report.ts';
import { csvText } from './csv-text.ts';

/** `variants.csv`: one row per variant of a scenario, the numbers one compares them by (RFC 4180). */
export function variantsCsv(rows: readonly (readonly [string, Report])[]): string {
  return csvText(
    [
      'variant',
      'orders_placed',
      'orders_filled',
      'maker_fill_rate',
      'fills',
      'filled_lots',
      'fills_queue',
      'fills_through',
      'fills_cross',
      'gross_bps',
      'adverse_bps',
      'net_bps',
      'latency_p95_ms',
      'digest',
    ],
    rows.map(([name, r]) => {
      const ex = r.exchange as { fills_queue: number; fills_through: number; fills_cross: number };
      return [
        name,
        r.summary.orders_placed,
        r.summary.orders_filled,
        r.summary.maker_fill_rate,
        r.summary.fills,
        r.summary.filled_lots,
        ex.fills_queue,
        ex.fills_through,
        ex.fills_cross,
        r.pnl.gross_bps,
        r.pnl.adverse_bps,
        r.pnl.net_bps,
        r.summary.latency_p95_ms,
        r.execution.digest,
      ];
    }),
  );
}
