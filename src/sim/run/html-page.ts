import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * One self-contained HTML page of cards, tables and charts: the chart library (uPlot, MIT) and its
 * stylesheet are read from its npm package and inlined, the data is embedded as JSON, and nothing on the
 * page asks the network for anything (no fonts, no CDN). The same inputs give the same bytes: no dates,
 * no paths.
 */

export interface Card {
  readonly label: string;
  readonly value: string;
  /** `good` / `bad` colour the card (a qualified obligation, a breach). */
  readonly tone?: 'good' | 'bad';
}

export interface ChartSeries {
  readonly label: string;
  /** One value per x; null where the series has no point. */
  readonly values: readonly (number | null)[];
  readonly color: string;
  /** Points only (fills on a price line), no line. */
  readonly points?: boolean;
  readonly dash?: boolean;
  /** Drawn as a step line (positions). */
  readonly step?: boolean;
  /** On a second y axis at the right (a quantity beside USD). */
  readonly right?: boolean;
}

export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  /** `line`: numeric x; `bars`: categories named by `labels`. */
  readonly kind: 'line' | 'bars';
  readonly x: readonly number[];
  readonly labels?: readonly string[];
  readonly xLabel: string;
  readonly yLabel: string;
  /** The right axis's label when a series is on it. */
  readonly y2Label?: string;
  readonly series: readonly ChartSeries[];
  /** Vertical markers at x values (latency percentiles). */
  readonly markers?: readonly { readonly x: number; readonly label: string }[];
  /** Horizontal lines (limits). */
  readonly hlines?: readonly { readonly y: number; readonly label: string }[];
  /** Logarithmic x axis (latency histograms). */
  readonly logX?: boolean;
  readonly note?: string;
  /** Why there is no chart (nothing to plot in this run): shown instead of the chart. */
  readonly empty?: string;
}

export interface Table {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface Section {
  readonly title: string;
  readonly note?: string;
  readonly cards?: readonly Card[];
  readonly charts?: readonly ChartSpec[];
  readonly table?: Table;
  /** Markup of the page's own (a heatmap of styled cells), built with escapeHtml; placed after the table. */
  readonly html?: string;
}

export interface Page {
  readonly title: string;
  readonly subtitle: string;
  readonly cards: readonly Card[];
  readonly sections: readonly Section[];
  readonly footer: string;
}

const require = createRequire(import.meta.url);
let library: { js: string; css: string } | undefined;

function uplot(): { js: string; css: string } {
  library ??= {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return library;
}

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON safe inside a <script> element: no `</script>`, no `<!--`. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');
/** Inlined code safe inside its element (the library contains no `</script`; this makes sure). */
const inline = (code: string, tag: 'script' | 'style'): string => code.replace(new RegExp(`</${tag}`, 'gi'), `<\\/${tag}`);

function cardsHtml(cards: readonly Card[]): string {
  if (cards.length === 0) return '';
  const items = cards.map(
    (c) => `<div class="card${c.tone ? ` ${c.tone}` : ''}"><div class="label">${escapeHtml(c.label)}</div><div class="value">${escapeHtml(c.value)}</div></div>`,
  );
  return `<div class="cards">${items.join('')}</div>`;
}

function tableHtml(t: Table): string {
  const head = t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = t.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function chartHtml(c: ChartSpec): string {
  const note = c.note ? `<p class="note">${escapeHtml(c.note)}</p>` : '';
  if (c.empty !== undefined) {
    return `<figure class="chart empty" id="${escapeHtml(c.id)}"><figcaption>${escapeHtml(c.title)}</figcaption><p class="none">${escapeHtml(c.empty)}</p>${note}</figure>`;
  }
  return `<figure class="chart" id="${escapeHtml(c.id)}" data-chart="${escapeHtml(c.id)}"><figcaption>${escapeHtml(c.title)}</figcaption><div class="plot"></div>${note}</figure>`;
}

function sectionHtml(s: Section): string {
  const note = s.note ? `<p class="note">${escapeHtml(s.note)}</p>` : '';
  const charts = (s.charts ?? []).map(chartHtml).join('');
  return `<section><h2>${escapeHtml(s.title)}</h2>${note}${cardsHtml(s.cards ?? [])}${s.table ? tableHtml(s.table) : ''}${s.html ?? ''}<div class="grid">${charts}</div></section>`;
}

const STYLE = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:16px 24px;color:#1d2330;background:#f6f7f9}
h1{font-size:22px;margin:0 0 2px}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid #d5d9e0;padding-bottom:4px}
.sub{color:#5a6372;margin:0 0 12px}.note{color:#5a6372;font-size:12px;margin:4px 0}
.cards{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.card{background:#fff;border:1px solid #d5d9e0;border-radius:6px;padding:8px 12px;min-width:120px}
.card .label{font-size:11px;color:#5a6372;text-transform:uppercase;letter-spacing:.03em}.card .value{font-size:18px;font-weight:600;font-variant-numeric:tabular-nums;word-break:break-all}
.card.good{border-color:#2e9d5b;background:#eefaf2}.card.bad{border-color:#d64545;background:#fdf0f0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:12px}
figure.chart{background:#fff;border:1px solid #d5d9e0;border-radius:6px;margin:0;padding:8px}
figcaption{font-weight:600;margin-bottom:4px}.none{color:#5a6372;font-style:italic}
table{border-collapse:collapse;background:#fff;font-variant-numeric:tabular-nums;margin:8px 0}
th,td{border:1px solid #d5d9e0;padding:3px 8px;text-align:right}th{background:#eef0f4}
footer{color:#5a6372;font-size:12px;margin-top:24px}
`;

/** Draws every chart of `data` with uPlot; sets data-points on each figure (the test reads it). */
const CLIENT = `
(function(){
  var charts = JSON.parse(document.getElementById('chart-data').textContent);
  function fmt(v){ if(v==null) return ''; var a=Math.abs(v); return a>=1e6||(a>0&&a<1e-3)? v.toExponential(2) : String(Math.round(v*1e4)/1e4); }
  charts.forEach(function(c){
    var fig = document.getElementById(c.id); if(!fig || c.empty != null) return;
    var el = fig.querySelector('.plot');
    var width = Math.max(320, el.clientWidth || 540);
    var bars = c.kind === 'bars';
    var finite = 0;
    var data = [c.x.slice()];
    var series = [{ label: c.xLabel, value: function(u,v){ return bars ? (c.labels[v] != null ? c.labels[v] : '') : fmt(v); } }];
    var nb = c.series.length;
    c.series.forEach(function(s, i){
      data.push(s.values.map(function(v){ if(v!=null&&isFinite(v)) finite++; return v; }));
      var o = { label: s.label, stroke: s.color, width: 1.5, spanGaps: !s.points, value: function(u,v){ return fmt(v); } };
      if (s.dash) o.dash = [6, 4];
      if (s.right) o.scale = 'y2';
      if (bars) {
        o.fill = s.color; o.width = 0;
        // Series overlap, later ones in front (e.g. filled orders over all orders): each is a subset of the one before.
        o.paths = uPlot.paths.bars({ size: [0.8 - 0.3 * i / nb, 80], align: 0 });
        o.points = { show: false };
      } else if (s.points) {
        o.paths = function(){ return null; };
        o.points = { show: true, size: 5, stroke: s.color, fill: s.color };
      } else {
        o.points = { show: false };
        if (s.step) o.paths = uPlot.paths.stepped({ align: 1 });
      }
      series.push(o);
    });
    var hooks = { draw: [function(u){
      var ctx = u.ctx; ctx.save(); ctx.font = (11 * devicePixelRatio) + 'px sans-serif';
      ctx.textAlign = 'left'; ctx.textBaseline = 'alphabetic';
      (c.markers || []).forEach(function(m, k){
        var x = u.valToPos(m.x, 'x', true); if (!isFinite(x)) return;
        ctx.strokeStyle = '#444'; ctx.setLineDash([4, 3]); ctx.lineWidth = devicePixelRatio;
        ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
        ctx.setLineDash([]); ctx.fillStyle = '#222'; ctx.fillText(m.label, x + 3, u.bbox.top + (12 + 12 * k) * devicePixelRatio);
      });
      (c.hlines || []).forEach(function(h){
        var y = u.valToPos(h.y, 'y', true); if (!isFinite(y)) return;
        ctx.strokeStyle = '#d64545'; ctx.setLineDash([6, 4]); ctx.lineWidth = devicePixelRatio;
        ctx.beginPath(); ctx.moveTo(u.bbox.left, y); ctx.lineTo(u.bbox.left + u.bbox.width, y); ctx.stroke();
        ctx.setLineDash([]); ctx.fillStyle = '#d64545'; ctx.fillText(h.label, u.bbox.left + 4, y - 3 * devicePixelRatio);
      });
      ctx.restore();
    }] };
    var yExtra = (c.hlines || []).map(function(h){ return h.y; });
    var opts = {
      width: width, height: 260, series: series, hooks: hooks, legend: { live: false },
      cursor: { points: { show: false } },
      scales: {
        x: bars ? { time: false, range: function(u){ return [-0.5, c.x.length - 0.5]; } } : (c.logX ? { time: false, distr: 3 } : { time: false }),
        y: { range: function(u, lo, hi){
          yExtra.forEach(function(y){ lo = Math.min(lo, y); hi = Math.max(hi, y); });
          if (bars) lo = Math.min(0, lo);
          if (lo === hi || !isFinite(lo) || !isFinite(hi)) { var d = Math.abs(hi) * 0.1 || 1; lo = (isFinite(lo)?lo:0) - d; hi = (isFinite(hi)?hi:0) + d; }
          var pad = (hi - lo) * 0.05; return [bars && lo === 0 ? 0 : lo - pad, hi + pad];
        } },
      },
      axes: [
        { label: c.xLabel, values: bars ? function(u, vals){ return vals.map(function(v){ return Number.isInteger(v) && c.labels[v] != null ? c.labels[v] : ''; }); } : undefined,
          splits: bars ? function(){ return c.x.map(function(v, i){ return i; }); } : undefined, size: bars ? 50 : 40 },
        { label: c.yLabel, size: 70 },
      ],
    };
    if (c.series.some(function(s){ return s.right; })) {
      opts.scales.y2 = { range: function(u, lo, hi){ if (lo === hi) { var d = Math.abs(hi) * 0.1 || 1; return [lo - d, hi + d]; } var p = (hi - lo) * 0.05; return [lo - p, hi + p]; } };
      opts.axes.push({ scale: 'y2', side: 1, label: c.y2Label, size: 70, grid: { show: false } });
    }
    new uPlot(opts, data, el);
    fig.setAttribute('data-points', String(finite));
  });
})();
`;

export function renderPage(page: Page, charts: readonly ChartSpec[]): string {
  const lib = uplot();
  const data = charts.map((c) => ({ ...c, note: undefined }));
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    // Belt and braces for "no network": the page itself refuses to load anything from elsewhere.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${escapeHtml(page.title)}</title>`,
    `<style>${inline(lib.css, 'style')}</style>`,
    `<style>${STYLE}</style>`,
    '</head><body>',
    `<h1>${escapeHtml(page.title)}</h1>`,
    `<p class="sub">${escapeHtml(page.subtitle)}</p>`,
    cardsHtml(page.cards),
    ...page.sections.map(sectionHtml),
    `<footer>${escapeHtml(page.footer)}</footer>`,
    `<script type="application/json" id="chart-data">${scriptJson(data)}</script>`,
    `<script>${inline(lib.js, 'script')}</script>`,
    `<script>${CLIENT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

/** Every chart of the page's sections, in order. */
export function pageCharts(page: Page): ChartSpec[] {
  return page.sections.flatMap((s) => s.charts ?? []);
}
