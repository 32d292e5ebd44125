import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The audited fields of one summary; gross/fees may be left out (older versions did not write them). */
export interface Fields {
  net_bps: number;
  gross_bps?: number | null;
  fees_bps?: number | null;
  adverse_bps_p95: number;
  slippage_bps_p95: number;
  maker_fill_rate: number;
  latency_p95_ms: number;
  risk_ratio_p95: number;
  rejects: number;
}

/** Consistent, distinct fields for iteration i: net = gross - adverse_p95 - slippage_p95 - fees exactly as a soak writes it. */
export function fieldsFor(i: number): Fields {
  const gross = 6 + (i % 7) * 0.25;
  const adverse = 1.5 + (i % 3) * 0.1;
  const slippage = 0.5 + (i % 2) * 0.25;
  const fees = -0.25;
  return {
    net_bps: gross - adverse - slippage - fees,
    gross_bps: gross,
    fees_bps: fees,
    adverse_bps_p95: adverse,
    slippage_bps_p95: slippage,
    maker_fill_rate: 0.1 + i / 1000,
    latency_p95_ms: 60 + i,
    risk_ratio_p95: 0.3 + i / 100,
    rejects: i * 2,
  };
}

/** A summary file's text: `{iteration, summary: {...}}` like the soak's (plus whatever `extra` adds). */
export function summaryText(iteration: number | undefined, fields: Fields | Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ ...(iteration === undefined ? {} : { iteration }), ...extra, summary: fields }, null, 2)}\n`;
}

/** Writes ITER_SUMMARY_<i>.json for each i, in the order given. */
export function writeSummaries(dir: string, iterations: readonly number[], fields: (i: number) => Fields | Record<string, unknown> = fieldsFor): void {
  for (const i of iterations) writeFileSync(join(dir, `ITER_SUMMARY_${i}.json`), summaryText(i, fields(i)));
}

/** Without gross_bps and fees_bps, as versions before the P&L breakdown wrote them. */
export function oldFormat(f: Fields): Record<string, unknown> {
  const { gross_bps: _g, fees_bps: _f, ...rest } = f;
  return rest;
}
