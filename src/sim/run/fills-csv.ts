import type { FillPnl } from '../../core/pnl-tracker.ts';
import { csvText } from './csv-text.ts';

/**
 * `fills.csv`: one row per fill with its P&L attribution in bps of its own notional (RFC 4180).
 * `net_bps = gross_bps - adverse_bps_<adverse horizon> - slippage_bps - fees_bps`. With `epochStartUs` (a
 * replay) `exchange_epoch_us` follows `exchange_time_us`: the fill's time as exchange epoch µs.
 */
export function fillsCsv(rows: readonly FillPnl[], horizonsMs: readonly number[], adverseHorizonMs: number, epochStartUs?: number): string {
  const epoch = epochStartUs !== undefined;
  const adverseIdx = horizonsMs.indexOf(adverseHorizonMs);
  const columns = [
    'fill',
    'order',
    'exchange_time_us',
    ...(epoch ? ['exchange_epoch_us'] : []),
    'symbol',
    'side',
    'price',
    'qty',
    'notional_usd',
    'mid_at_fill',
    'gross_bps',
    ...horizonsMs.map((h) => `adverse_bps_${h}ms`),
    'slippage_bps',
    'fees_bps',
    'net_bps',
    'truncated_horizons_ms',
  ];
  const records = rows.map((r) => [
    r.fill,
    r.order,
    r.exchange_time_us,
    ...(epoch ? [epochStartUs + r.exchange_time_us] : []),
    r.symbol,
    r.side,
    r.price,
    r.qty,
    r.notional_usd,
    r.mid_at_fill,
    r.gross_bps,
    ...r.adverse_bps,
    r.slippage_bps,
    r.fees_bps,
    r.gross_bps - r.adverse_bps[adverseIdx]! - r.slippage_bps - r.fees_bps,
    r.truncated_ms.join(' '),
  ]);
  return csvText(columns, records);
}
