import { z } from 'zod';
import { InputError } from '../../core/errors.ts';
import type { Report } from '../../core/report.ts';
import { parseJsonWithSchema } from '../scenario/json-file.ts';
import { readTextInput } from '../scenario/input-file.ts';

const count = z.number().int().nonnegative();
const latency = z.looseObject({ count, p50: z.number(), p95: z.number(), p99: z.number() });

/** The part of report.json that validation reads; extra keys are welcome (reports grow over versions). */
const reportSchema = z.looseObject({
  summary: z.looseObject({
    orders_sent: count,
    orders_placed: count,
    orders_filled: count,
    orders_canceled: count,
    orders_rejected: count,
    rejects_by_reason: z.record(z.string(), count),
    cancels_sent: count,
    cancel_rejects_by_reason: z.record(z.string(), count),
    unexpected_events: count,
    fills: count,
    maker_fill_rate: z.number(),
    latency_p50_ms: z.number(),
    latency_p95_ms: z.number(),
    latency_p99_ms: z.number(),
    latency_ms: z.looseObject({ place: latency, cancel: latency, fill: latency }),
    invalid_latency_samples: count,
    risk_ratio_p95: z.number(),
    risk_ratio_max: z.number(),
    risk_samples: count,
    risk_breaches: count,
  }),
  execution: z.looseObject({ seed: z.number(), network_enabled: z.boolean(), events: count, digest: z.string() }),
  positions: z.looseObject({ total_notional_usd: z.number() }),
  // Absent from reports written before the risk monitor sampled on an interval.
  risk: z
    .looseObject({
      sample_interval_us: count,
      samples_fill: count,
      samples_interval: count,
      breaches_fill: count,
      breaches_interval: count,
      ratio_max_fill: z.number(),
      ratio_max_interval: z.number(),
      worst_case_ratio_max: z.number(),
      max_loss_usd: z.number().nullable(),
      loss_halted: z.boolean(),
      loss_halted_at_us: z.number().nullable(),
      pnl_usd: z.number(),
      pnl_min_usd: z.number(),
    })
    .optional(),
  pnl: z.looseObject({
    fills: count,
    net_bps: z.number(),
    gross_bps: z.number(),
    adverse_bps: z.number(),
    slippage_bps: z.number(),
    fees_bps: z.number(),
  }),
  warnings: z.array(z.string()),
});

/** Parses a report.json given by a user; anything unusable is an InputError naming the file and field. */
export function parseReport(text: string, file: string): Report {
  return parseJsonWithSchema(text, file, reportSchema, 'INVALID_REPORT') as unknown as Report;
}

export async function loadReport(file: string): Promise<Report> {
  let text: string;
  try {
    text = await readTextInput(file);
  } catch (err) {
    if (err instanceof InputError) throw new InputError(err.message, 'INVALID_REPORT');
    throw err;
  }
  return parseReport(text, file);
}
