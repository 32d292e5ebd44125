// SWEEP_SUMMARY.json: per parameter point, the mean, standard deviation and 95% interval across seeds of the
// key figures, and the points ranked by mean net bps. Built from the runs' results in run-id order only,
// so it is the same bytes whatever ran them.
import type { SetValue, SweepDef, SweepManifest } from './sweep-plan.ts';
import { manifestOf } from './sweep-plan.ts';
import type { SweepResult, SweepRow } from './sweep-results.ts';

export const SUMMARY_FILE = 'SWEEP_SUMMARY.json';
export const SUMMARY_SCHEMA = 'mmsim/sweep-summary@1';

const FIGURES = ['net_bps', 'gross_bps', 'adverse_bps', 'fees_bps', 'maker_fill_rate', 'fills', 'risk_ratio_p95', 'total_usd'] as const;
type Figure = (typeof FIGURES)[number];

export interface Spread {
  readonly n: number;
  readonly mean: number | null;
  /** Sample standard deviation (n - 1); null under two runs. */
  readonly sd: number | null;
  /** mean ± t(0.975, n - 1) · sd / √n: Student's t interval for the mean; null under two runs. */
  readonly ci95: readonly [number, number] | null;
}

// t(0.975, df) for df = 1..30; beyond, the Cornish-Fisher expansion around the normal quantile.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08,
  2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function t975(df: number): number {
  if (df <= T975.length) return T975[df - 1]!;
  const z = 1.959963984540054;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

export function spread(values: readonly number[]): Spread {
  const n = values.length;
  if (n === 0) return { n, mean: null, sd: null, ci95: null };
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / n;
  if (n < 2) return { n, mean, sd: null, ci95: null };
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  const half = (t975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, ci95: [mean - half, mean + half] };
}

export interface PointSummary extends Record<Figure, Spread> {
  /** 1-based, grid order. */
  readonly point: number;
  readonly set: Readonly<Record<string, string>>;
  readonly runs: number;
  readonly failed: number;
  readonly expectations_failed: number;
}

export interface RankEntry {
  readonly rank: number;
  readonly point: number;
  readonly set: Readonly<Record<string, string>>;
  readonly net_bps_mean: number | null;
  readonly net_bps_ci95: readonly [number, number] | null;
  readonly runs_ok: number;
}

/** What SWEEP_SUMMARY.json holds; SWEEP_REPORT.html is drawn from the same object. */
export interface SweepSummary extends SweepManifest {
  readonly runs_failed: number;
  readonly ranked_by: string;
  readonly points: readonly PointSummary[];
  readonly ranking: readonly RankEntry[];
}

const key = (sets: readonly SetValue[]): string => JSON.stringify(sets.map((s) => [s.path, s.value]));
const pointObject = (sets: readonly SetValue[]): Record<string, string> => Object.fromEntries(sets.map((s) => [s.path, s.value]));

export function sweepSummary(def: SweepDef, results: readonly SweepResult[]): SweepSummary {
  const byPoint = new Map<string, SweepResult[]>(def.points.map((p) => [key(p), []]));
  const sorted = [...results].sort((a, b) => a.seed_index - b.seed_index || (a.run_id < b.run_id ? -1 : 1));
  for (const r of sorted) byPoint.get(key(r.set))?.push(r);
  const points = def.points.map((sets, index): PointSummary => {
    const runs = byPoint.get(key(sets)) ?? [];
    const ok = runs.map((r) => r.row).filter((w): w is SweepRow => w !== undefined);
    const figures = Object.fromEntries(FIGURES.map((f: Figure) => [f, spread(ok.map((w) => w[f]))])) as Record<Figure, Spread>;
    return {
      point: index + 1,
      set: pointObject(sets),
      runs: runs.length,
      failed: runs.filter((r) => r.status === 'failed').length,
      expectations_failed: ok.filter((w) => w.expectations_failed > 0).length,
      ...figures,
    };
  });
  // Best mean net first; a point without a successful run last; ties by the lower interval bound, then grid order.
  const ranking = [...points]
    .sort((a, b) => {
      const am = a.net_bps.mean;
      const bm = b.net_bps.mean;
      if (am === null || bm === null) return (am === null ? 1 : 0) - (bm === null ? 1 : 0) || a.point - b.point;
      return bm - am || (b.net_bps.ci95?.[0] ?? -Infinity) - (a.net_bps.ci95?.[0] ?? -Infinity) || a.point - b.point;
    })
    .map((p, i): RankEntry => ({ rank: i + 1, point: p.point, set: p.set, net_bps_mean: p.net_bps.mean, net_bps_ci95: p.net_bps.ci95, runs_ok: p.runs - p.failed }));
  return {
    ...manifestOf(def),
    schema: SUMMARY_SCHEMA,
    runs_failed: results.filter((r) => r.status === 'failed').length,
    ranked_by: 'net_bps mean across seeds (higher first)',
    points,
    ranking,
  };
}

export const summaryJson = (summary: SweepSummary): string => `${JSON.stringify(summary, null, 2)}\n`;

export const sweepSummaryJson = (def: SweepDef, results: readonly SweepResult[]): string => summaryJson(sweepSummary(def, results));
