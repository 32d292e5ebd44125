// One run's result as the sweep keeps it (runs/<run id>/result.json, beside its report.json), and sweep.csv.
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { Report } from '../../core/report.ts';
import type { SweepDef, SweepRun } from './sweep-plan.ts';

export const RESULT_FILE = 'result.json';
export const REPORT_FILE = 'report.json';
export const RESULT_SCHEMA = 'mmsim/sweep-run@1';

const rowSchema = z.strictObject({
  fills: z.number(),
  maker_fill_rate: z.number(),
  latency_p95_ms: z.record(z.string(), z.number().nullable()),
  risk_ratio_p95: z.number(),
  net_bps: z.number(),
  gross_bps: z.number(),
  adverse_bps: z.number(),
  fees_bps: z.number(),
  total_usd: z.number(),
  total_notional_usd: z.number(),
  expectations_failed: z.number().int(),
  digest: z.string(),
});
export type SweepRow = z.output<typeof rowSchema>;

export const resultSchema = z.strictObject({
  schema: z.literal(RESULT_SCHEMA),
  run_id: z.string(),
  set: z.array(z.strictObject({ path: z.string(), value: z.string() })),
  seed_index: z.number().int().positive(),
  seed: z.number().int().nonnegative(),
  status: z.enum(['ok', 'failed']),
  row: rowSchema.optional(),
  error: z.string().optional(),
});
export type SweepResult = z.output<typeof resultSchema>;

/** The figures of sweep.csv, from a run's report. */
export function rowOf(report: Report): SweepRow {
  const latency: Record<string, number | null> = {};
  for (const [op, stats] of Object.entries(report.summary.latency_ms as Record<string, { p95: number | null }>)) latency[op] = stats.p95;
  const pnl = report.pnl as Report['pnl'] & { total_usd: number };
  const expectations = (report as { expectations?: { ok: boolean }[] }).expectations ?? [];
  return {
    fills: report.summary.fills,
    maker_fill_rate: report.summary.maker_fill_rate,
    latency_p95_ms: latency,
    risk_ratio_p95: report.summary.risk_ratio_p95,
    net_bps: pnl.net_bps,
    gross_bps: pnl.gross_bps,
    adverse_bps: pnl.adverse_bps,
    fees_bps: pnl.fees_bps,
    total_usd: pnl.total_usd,
    total_notional_usd: report.positions.total_notional_usd,
    expectations_failed: expectations.filter((e) => !e.ok).length,
    digest: report.execution.digest,
  };
}

export function okResult(run: SweepRun, report: Report): SweepResult {
  return { ...head(run), status: 'ok', row: rowOf(report) };
}

export function failedResult(run: SweepRun, error: string): SweepResult {
  return { ...head(run), status: 'failed', error };
}

const head = (run: SweepRun) => ({ schema: RESULT_SCHEMA, run_id: run.runId, set: run.sets.map((s) => ({ ...s })), seed_index: run.seedIndex, seed: run.seed }) as const;

export const resultJson = (r: SweepResult): string => `${JSON.stringify(r, null, 2)}\n`;

// Latency columns: the usual operations first, any other the reports name after them, by name.
const USUAL_OPS = ['place', 'cancel', 'fill'];

/** sweep.csv: one row per run, sorted by run id; a failed run has its error and no figures. */
export function sweepCsv(def: SweepDef, results: readonly SweepResult[]): string {
  const ops = new Set<string>();
  for (const r of results) for (const op of Object.keys(r.row?.latency_p95_ms ?? {})) ops.add(op);
  const opCols = [...USUAL_OPS.filter((o) => ops.has(o)), ...[...ops].filter((o) => !USUAL_OPS.includes(o)).sort()];
  const columns = [
    'run_id',
    ...def.axes.map((a) => a.dotted),
    'seed_index',
    'seed',
    'status',
    'fills',
    'maker_fill_rate',
    ...opCols.map((o) => `latency_p95_${o}_ms`),
    'risk_ratio_p95',
    'net_bps',
    'gross_bps',
    'adverse_bps',
    'fees_bps',
    'total_usd',
    'total_notional_usd',
    'expectations_failed',
    'digest',
    'error',
  ];
  const rows = [...results]
    .sort((a, b) => (a.run_id < b.run_id ? -1 : a.run_id > b.run_id ? 1 : 0))
    .map((r) => {
      const w = r.row;
      const figures = w
        ? [w.fills, w.maker_fill_rate, ...opCols.map((o) => w.latency_p95_ms[o] ?? ''), w.risk_ratio_p95, w.net_bps, w.gross_bps, w.adverse_bps, w.fees_bps, w.total_usd, w.total_notional_usd, w.expectations_failed, w.digest]
        : Array.from({ length: 11 + opCols.length }, () => '');
      return [r.run_id, ...r.set.map((s) => s.value), r.seed_index, r.seed, r.status, ...figures, r.error ?? ''];
    });
  return stringify(rows, { header: true, columns });
}
