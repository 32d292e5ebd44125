import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { InputError } from '../../core/errors.ts';
import { writeFilesInto } from '../run/atomic-write.ts';
import { ANALYSIS_DIR, readSoakSummaries } from './audit-input.ts';
import type { AuditScan } from './audit-input.ts';
import { LAST_N, TABLE_COLUMNS, TOLERANCE_BPS, auditRows } from './audit-table.ts';
import type { AuditResult, TableRow } from './audit-table.ts';
import { postSoakHtml } from './audit-html.ts';

export const TABLE_CSV = 'POST_SOAK_ITER_TABLE.csv';
export const TABLE_JSON = 'POST_SOAK_ITER_TABLE.json';
export const SUMMARY_JSON = 'POST_SOAK_SUMMARY.json';
export const REPORT_HTML = 'POST_SOAK_REPORT.html';

export interface AuditOutcome {
  readonly scan: AuditScan;
  readonly result: AuditResult;
  /** The files written, in `dir/reports/analysis`. */
  readonly written: readonly string[];
}

/**
 * Audits a soak folder: reads its summaries (numeric order), writes the iteration table as CSV
 * (RFC 4180) and JSON, the verdict as POST_SOAK_SUMMARY.json and both as a page, POST_SOAK_REPORT.html. Unusable input throws before anything
 * is written, so an earlier audit's files stay as they were; the four files are replaced atomically.
 */
export async function auditSoak(dir: string, options: { allowGaps?: boolean } = {}): Promise<AuditOutcome> {
  const scan = await readSoakSummaries(dir, options);
  const result = auditRows(scan.inputs);
  const out = join(dir, ANALYSIS_DIR);
  const files: [string, string][] = [
    [join(ANALYSIS_DIR, TABLE_CSV), tableCsv(result.rows)],
    [join(ANALYSIS_DIR, TABLE_JSON), json({ columns: TABLE_COLUMNS, rows: result.rows })],
    [join(ANALYSIS_DIR, SUMMARY_JSON), json(postSoakSummary(scan, result))],
    [join(ANALYSIS_DIR, REPORT_HTML), postSoakHtml(scan, result)],
  ];
  let written: string[];
  try {
    written = await writeFilesInto(dir, files);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${out}: cannot write the audit there (${err instanceof Error ? err.message : String(err)})`, 'USAGE');
  }
  return { scan, result, written };
}

const INTEGER_COLUMNS: ReadonlySet<string> = new Set(['iter', 'rejects']);

/** A float as the original (Python) audit printed it: shortest round-trip digits, and 0.0 rather than 0. */
export const floatText = (x: number): string => (Number.isInteger(x) && Math.abs(x) < 1e21 ? x.toFixed(1) : String(x));

/** The table as RFC 4180 CSV: a header, CRLF line ends, floats with every digit (they read back exactly). */
export function tableCsv(rows: readonly TableRow[]): string {
  return stringify(
    rows.map((r) => TABLE_COLUMNS.map((c) => (typeof r[c] === 'number' && !INTEGER_COLUMNS.has(c) ? floatText(r[c]) : r[c]))),
    { header: true, columns: [...TABLE_COLUMNS], record_delimiter: 'windows', cast: { boolean: (b) => String(b) } },
  );
}

/** POST_SOAK_SUMMARY.json: the verdict and what it rests on; nothing in it depends on when the audit ran. */
export function postSoakSummary(scan: AuditScan, r: AuditResult): Record<string, unknown> {
  const iters = r.rows.map((row) => row.iter);
  return {
    schema: 'mmsim/post-soak-summary@1',
    verdict: r.consistent ? 'consistent' : 'inconsistent',
    identity: 'net_bps = gross_bps - adverse_p95 - slippage_p95 - fees_bps',
    tolerance_bps: TOLERANCE_BPS,
    iterations: {
      count: iters.length,
      first: iters[0],
      last: iters[iters.length - 1],
      missing: scan.missing,
      gross_imputed: r.grossImputed,
      fees_defaulted: r.feesDefaulted,
    },
    per_iteration: {
      ok: r.failures.length === 0,
      failures: r.failures,
      max_abs_gap_bps: r.maxAbsGap ? Math.abs(r.maxAbsGap.gap_bps) : 0,
      max_abs_gap_iter: r.maxAbsGap?.iter,
    },
    [`last_${LAST_N}`]: {
      iterations: r.lastN.iterations,
      ok: r.lastN.ok,
      gap_bps: r.lastN.gap_bps,
      ...r.lastN.stats,
    },
    ignored_files: [...scan.suspicious, ...scan.ignored].sort(),
  };
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
