// SWEEP_REPORT.html: SWEEP_SUMMARY.json as a page. A heatmap of mean net bps over the first two `--set`
// axes (rows: the first, columns: the second; one axis is one row), one heatmap per combination of the
// values of any further axes; then the ranking. Every number is the summary's: nothing is recomputed.
import type { Page } from '../run/html-page.ts';
import { escapeHtml, renderPage } from '../run/html-page.ts';
import type { PointSummary, SweepSummary } from './sweep-summary.ts';

export const HTML_FILE = 'SWEEP_REPORT.html';

export interface HeatCell {
  /** The grid point at this cell; undefined when the summary has none. */
  readonly point: PointSummary | undefined;
  /** Mean net bps; null without a successful run. */
  readonly mean: number | null;
  /** Background: white at 0, green above, red below, full at the largest |mean| of the sweep. */
  readonly color: string;
}

export interface Heatmap {
  /** The further axes' values this heatmap is for ("" with two axes or fewer). */
  readonly title: string;
  readonly rowAxis: string | undefined;
  readonly colAxis: string | undefined;
  readonly rows: readonly string[];
  readonly cols: readonly string[];
  /** cells[row][col] */
  readonly cells: readonly (readonly HeatCell[])[];
}

const NONE = '#e4e6eb';
const POSITIVE: readonly [number, number, number] = [46, 157, 91];
const NEGATIVE: readonly [number, number, number] = [214, 69, 69];

/** A diverging scale around 0: the share `|mean| / maxAbs` of the way from white to green (>0) or red (<0). */
export function cellColor(mean: number | null, maxAbs: number): string {
  if (mean === null || !Number.isFinite(mean)) return NONE;
  const t = maxAbs > 0 ? Math.min(1, Math.abs(mean) / maxAbs) : 0;
  const end = mean > 0 ? POSITIVE : NEGATIVE;
  const [r, g, b] = end.map((c) => Math.round(255 + (c - 255) * t));
  return `rgb(${r},${g},${b})`;
}

/** Every combination of the axes' values, the first varying slowest (the grid's order). */
function combinations(axes: readonly { readonly path: string; readonly values: readonly string[] }[]): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const a of axes) out = out.flatMap((c) => a.values.map((v) => ({ ...c, [a.path]: v })));
  return out;
}

const pointKey = (set: Readonly<Record<string, string>>, paths: readonly string[]): string => JSON.stringify(paths.map((p) => set[p] ?? null));

export function sweepHeatmaps(summary: SweepSummary): Heatmap[] {
  const axes = summary.set;
  const paths = axes.map((a) => a.path);
  const byKey = new Map(summary.points.map((p) => [pointKey(p.set, paths), p]));
  let maxAbs = 0;
  for (const p of summary.points) if (p.net_bps.mean !== null && Number.isFinite(p.net_bps.mean)) maxAbs = Math.max(maxAbs, Math.abs(p.net_bps.mean));
  const [rowAxis, colAxis, ...rest] = axes;
  // One axis: a single row whose columns are its values.
  const rowsOf = colAxis ? rowAxis : undefined;
  const colsOf = colAxis ?? rowAxis;
  const rows = rowsOf?.values ?? [''];
  const cols = colsOf?.values ?? [''];
  return combinations(rest).map((others) => ({
    title: Object.entries(others)
      .map(([p, v]) => `${p} = ${v}`)
      .join(', '),
    rowAxis: rowsOf?.path,
    colAxis: colsOf?.path,
    rows,
    cols,
    cells: rows.map((r) =>
      cols.map((c): HeatCell => {
        const set = { ...(rowsOf ? { [rowsOf.path]: r } : {}), ...(colsOf ? { [colsOf.path]: c } : {}), ...others };
        const point = byKey.get(pointKey(set, paths));
        const mean = point?.net_bps.mean ?? null;
        return { point, mean, color: cellColor(mean, maxAbs) };
      }),
    ),
  }));
}

const fmt = (v: number | null, d = 3): string => (v === null ? '—' : Number.isFinite(v) ? v.toFixed(d) : String(v));
const ci = (c: readonly [number, number] | null): string => (c === null ? '—' : `[${fmt(c[0])}, ${fmt(c[1])}]`);

function cellHtml(cell: HeatCell): string {
  const p = cell.point;
  const lines =
    p === undefined
      ? ['<span class="none">no point</span>']
      : [
          `<b>${fmt(cell.mean)}</b>`,
          `sd ${fmt(p.net_bps.sd)}`,
          `95% ${ci(p.net_bps.ci95)}`,
          `${p.runs - p.failed}/${p.runs} runs ok${p.expectations_failed > 0 ? `, ${p.expectations_failed} failing expect` : ''}`,
        ];
  const tip = p === undefined ? 'no such point' : `point ${p.point}`;
  return `<td data-point="${p?.point ?? ''}" title="${escapeHtml(tip)}" style="background:${cell.color};text-align:center;line-height:1.3">${lines.map((l) => (l.startsWith('<') ? l : escapeHtml(l))).join('<br>')}</td>`;
}

export function heatmapHtml(h: Heatmap): string {
  const corner = h.rowAxis && h.colAxis ? `${h.rowAxis} ↓ / ${h.colAxis} →` : (h.colAxis ?? '');
  const head = `<tr><th>${escapeHtml(corner)}</th>${h.cols.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = h.rows.map((r, i) => `<tr><th>${escapeHtml(r)}</th>${h.cells[i]!.map(cellHtml).join('')}</tr>`).join('');
  const caption = h.title ? `<caption style="text-align:left;font-weight:600">${escapeHtml(h.title)}</caption>` : '';
  return `<table class="heatmap">${caption}<thead>${head}</thead><tbody>${body}</tbody></table>`;
}

/** The page; the same summary gives the same bytes. */
export function sweepHtml(summary: SweepSummary): string {
  const paths = summary.set.map((a) => a.path);
  const best = summary.ranking[0];
  const maps = sweepHeatmaps(summary);
  const page: Page = {
    title: `mmsim sweep: ${summary.scenario}${summary.variant === undefined ? '' : ` (${summary.variant})`}`,
    subtitle: `${summary.points.length} points × ${summary.seeds} seeds = ${summary.runs} runs · ${paths.length > 0 ? paths.join(' × ') : 'no --set'}`,
    cards: [
      { label: 'points', value: String(summary.points.length) },
      { label: 'seeds per point', value: String(summary.seeds) },
      { label: 'runs', value: String(summary.runs) },
      { label: 'runs failed', value: String(summary.runs_failed), ...(summary.runs_failed > 0 ? { tone: 'bad' as const } : {}) },
      ...(best && best.net_bps_mean !== null
        ? [{ label: 'best point', value: `${Object.values(best.set).join(' · ') || `#${best.point}`}: ${fmt(best.net_bps_mean)} bps` }]
        : []),
    ],
    sections: [
      {
        title: 'Mean net bps across seeds',
        note:
          `Each cell: mean net bps, its sample standard deviation and Student's t 95% interval across seeds, as in SWEEP_SUMMARY.json. ` +
          `Colour: green above 0, red below, white at 0, full at the largest |mean| of the sweep; grey without a successful run.` +
          (paths.length > 2 ? ` One heatmap per combination of ${paths.slice(2).join(', ')}.` : ''),
        html: maps.map(heatmapHtml).join(''),
      },
      {
        title: 'Ranking',
        note: `By ${summary.ranked_by}; ties by the lower bound of the 95% interval.`,
        table: {
          columns: ['rank', 'point', ...paths, 'net bps mean', 'net bps 95%', 'runs ok'],
          rows: summary.ranking.map((r) => [String(r.rank), String(r.point), ...paths.map((p) => r.set[p] ?? ''), fmt(r.net_bps_mean), ci(r.net_bps_ci95), String(r.runs_ok)]),
        },
      },
    ],
    footer: `Self-contained: loads nothing from the network. Numbers are SWEEP_SUMMARY.json's (scenario sha256 ${summary.scenario_text_sha256.slice(0, 12)}…, mmsim ${summary.mmsim_version}).`,
  };
  return renderPage(page, []);
}
