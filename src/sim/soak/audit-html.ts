import type { ChartSpec, Page } from '../run/html-page.ts';
import { pageCharts, renderPage } from '../run/html-page.ts';
import { keepIndices } from '../run/series.ts';
import type { AuditScan } from './audit-input.ts';
import { LAST_N, TOLERANCE_BPS, identityGap, withinTolerance } from './audit-table.ts';
import type { AuditResult } from './audit-table.ts';

/** Per-iteration charts keep at most this many x buckets (first, last, lowest and highest of each). */
const MAX_BUCKETS = 500;
const HISTOGRAM_BINS = 30;
const MAX_FAILURES_LISTED = 50;

const fmt = (v: number, d = 3): string => (Number.isFinite(v) ? v.toFixed(d) : String(v));

function netChart(r: AuditResult): ChartSpec {
  const iters = r.rows.map((row) => row.iter);
  const net = r.rows.map((row) => row.net_bps);
  const keep = keepIndices(iters, [net], MAX_BUCKETS);
  return {
    id: 'net',
    title: 'Net per iteration (bps)',
    kind: 'line',
    x: keep.map((i) => iters[i]!),
    xLabel: 'iteration',
    yLabel: 'net bps',
    series: [{ label: 'net_bps', values: keep.map((i) => net[i]!), color: '#3b6fd4' }],
    note: `POST_SOAK_ITER_TABLE.csv's net_bps${keep.length < iters.length ? `, downsampled to at most ${MAX_BUCKETS} buckets (each bucket's first, last, lowest and highest iteration)` : ''}.`,
  };
}

function distributionChart(r: AuditResult): ChartSpec {
  const net = r.rows.map((row) => row.net_bps);
  const lo = Math.min(...net);
  const hi = Math.max(...net);
  const n = hi === lo ? 1 : Math.min(HISTOGRAM_BINS, Math.max(1, Math.ceil(Math.sqrt(net.length))));
  const width = (hi - lo) / n;
  const counts = new Array<number>(n).fill(0);
  for (const v of net) counts[width === 0 ? 0 : Math.min(n - 1, Math.floor((v - lo) / width))]!++;
  const labels = counts.map((_, k) => (width === 0 ? fmt(lo, 2) : fmt(lo + k * width, 2)));
  return {
    id: 'net-distribution',
    title: 'Distribution of net per iteration',
    kind: 'bars',
    x: counts.map((_, k) => k),
    labels,
    xLabel: "net bps (bin's lower edge)",
    yLabel: 'iterations',
    series: [{ label: 'iterations', values: counts, color: '#3b6fd4' }],
    note: `${net.length} iterations in ${n} equal bins from ${fmt(lo)} to ${fmt(hi)} bps.`,
  };
}

function identityChart(r: AuditResult): ChartSpec {
  const iters = r.rows.map((row) => row.iter);
  const gaps = r.rows.map(identityGap);
  const keep = keepIndices(iters, [gaps], MAX_BUCKETS);
  return {
    id: 'identity',
    title: 'Identity check per iteration: net − (gross − adverse_p95 − slippage_p95 − fees), bps',
    kind: 'line',
    x: keep.map((i) => iters[i]!),
    xLabel: 'iteration',
    yLabel: 'gap bps',
    series: [{ label: 'gap', values: keep.map((i) => gaps[i]!), color: '#8d4bd6', points: true }],
    hlines: [
      { y: TOLERANCE_BPS, label: `+${TOLERANCE_BPS} tolerance` },
      { y: -TOLERANCE_BPS, label: `−${TOLERANCE_BPS}` },
    ],
    note: `Each iteration passes when |gap| <= ${TOLERANCE_BPS} bps (POST_SOAK_SUMMARY.json's per_iteration).`,
  };
}

/** POST_SOAK_REPORT.html: the audit's table and verdict as a page; the same numbers as the CSV and the summary. */
export function postSoakHtml(scan: AuditScan, r: AuditResult): string {
  const net = r.lastN.stats.net_bps;
  const failing = r.rows.filter((row) => !withinTolerance(identityGap(row)));
  const page: Page = {
    title: 'mmsim soak audit',
    subtitle: `${r.rows.length} iterations${scan.missing.length > 0 ? `, ${scan.missing.length} missing` : ''} · identity net_bps = gross_bps − adverse_p95 − slippage_p95 − fees_bps`,
    cards: [
      { label: 'verdict', value: r.consistent ? 'consistent' : 'inconsistent', tone: r.consistent ? 'good' : 'bad' },
      { label: 'iterations', value: String(r.rows.length) },
      { label: 'failing iterations', value: String(r.failures.length), ...(r.failures.length > 0 ? { tone: 'bad' as const } : {}) },
      { label: 'max |gap|', value: `${fmt(r.maxAbsGap ? Math.abs(r.maxAbsGap.gap_bps) : 0, 4)} bps` },
      { label: `net mean, last ${LAST_N}`, value: `${fmt(net.mean)} bps` },
      { label: `net stdev, last ${LAST_N}`, value: `${fmt(net.stdev)} bps` },
      { label: `identity on last ${LAST_N} means`, value: `${fmt(r.lastN.gap_bps, 4)} bps`, tone: r.lastN.ok ? 'good' : 'bad' },
    ],
    sections: [
      { title: 'Net', charts: [netChart(r), distributionChart(r)] },
      {
        title: 'Identity check',
        charts: [identityChart(r)],
        ...(failing.length > 0
          ? {
              table: {
                columns: ['iter', 'net_bps', 'gross_bps', 'adverse_p95', 'slippage_p95', 'fees_bps', 'gap_bps'],
                rows: failing
                  .slice(0, MAX_FAILURES_LISTED)
                  .map((row) => [String(row.iter), ...[row.net_bps, row.gross_bps, row.adverse_p95, row.slippage_p95, row.fees_bps, identityGap(row)].map((v) => fmt(v, 4))]),
              },
              note: `Failing iterations${failing.length > MAX_FAILURES_LISTED ? ` (the first ${MAX_FAILURES_LISTED} of ${failing.length})` : ''}:`,
            }
          : {}),
      },
    ],
    footer: 'Self-contained: the chart library (uPlot, MIT) is inlined and the page loads nothing from the network. Numbers are POST_SOAK_ITER_TABLE.csv\'s and POST_SOAK_SUMMARY.json\'s.',
  };
  return renderPage(page, pageCharts(page));
}
