import type { FillPnl } from '../../core/pnl-tracker.ts';
import type { Report } from '../../core/report.ts';
import { sideSign } from '../../core/types.ts';
import type { Instrument } from '../../core/types.ts';
import type { ChartSeries, ChartSpec } from './html-page.ts';
import type { ObligationBucket, ObligationsReport } from './obligations.ts';
import type { OrderRecord } from './orders-csv.ts';
import { keepIndices } from './series.ts';
import type { Points } from './series.ts';

/** At most this many x buckets per time series (each keeps its first, last, lowest and highest points). */
export const MAX_BUCKETS = 500;

/** What a run's page is built from: the run's own result objects, nothing recomputed another way. */
export interface RunPageInput {
  readonly report: Report;
  readonly fills: readonly FillPnl[];
  readonly orders: readonly OrderRecord[];
  readonly instrument: Instrument;
  /** The venue mid (ticks) after book changes, downsampled (run-series.ts). */
  readonly mid: Points;
  /** Every risk-ratio sample, downsampled. */
  readonly riskRatio: Points;
  /** Latency samples in µs, per op (the collectors behind summary.latency_ms). */
  readonly latencyUs: Readonly<Record<'place' | 'cancel' | 'fill', Float64Array>>;
  readonly horizonsMs: readonly number[];
  readonly adverseHorizonMs: number;
  readonly obligations?: { readonly report: ObligationsReport; readonly timeline: readonly ObligationBucket[] } | undefined;
}

const C = { mid: '#5a6372', buy: '#2e9d5b', sell: '#d64545', a: '#3b6fd4', b: '#e08a1e', c: '#8d4bd6', d: '#1d2330', e: '#2aa3a3' };
const s = (us: number): number => us / 1e6;

/** Fill rows in venue time (the bot may learn of fills out of order after a lost message). */
function byTime(fills: readonly FillPnl[]): FillPnl[] {
  return [...fills].sort((a, b) => a.exchange_time_us - b.exchange_time_us || a.fill - b.fill);
}

const usdOf = (bps: number, f: FillPnl): number => (bps * f.notional_usd) / 10_000;

function select<T>(xs: readonly T[], keep: readonly number[]): T[] {
  return keep.map((i) => xs[i]!);
}

/** Venue mid with the bot's fills marked by side. */
export function priceChart(input: RunPageInput): ChartSpec {
  const tick = input.instrument.tickSize;
  const fills = byTime(input.fills);
  const pick = (side: 'buy' | 'sell') => {
    const f = fills.filter((r) => r.side === side);
    const keep = keepIndices(
      f.map((r) => r.exchange_time_us),
      [f.map((r) => r.price)],
      MAX_BUCKETS,
    );
    return select(f, keep);
  };
  const buys = pick('buy');
  const sells = pick('sell');
  const rows: { t: number; mid: number | null; buy: number | null; sell: number | null }[] = [];
  input.mid.t.forEach((t, i) => rows.push({ t, mid: input.mid.v[i]! * tick, buy: null, sell: null }));
  for (const f of buys) rows.push({ t: f.exchange_time_us, mid: null, buy: f.price, sell: null });
  for (const f of sells) rows.push({ t: f.exchange_time_us, mid: null, buy: null, sell: f.price });
  rows.sort((a, b) => a.t - b.t);
  const empty = rows.length === 0 ? 'no book in this run' : undefined;
  return {
    id: 'price',
    title: 'Venue mid and the bot’s fills',
    kind: 'line',
    x: rows.map((r) => s(r.t)),
    xLabel: 'time (s)',
    yLabel: 'price',
    series: [
      { label: 'venue mid', values: rows.map((r) => r.mid), color: C.mid },
      { label: 'buy fills', values: rows.map((r) => r.buy), color: C.buy, points: true },
      { label: 'sell fills', values: rows.map((r) => r.sell), color: C.sell, points: true },
    ],
    note: `${input.fills.length} fills (fills.csv); mid and fills downsampled to at most ${MAX_BUCKETS} time buckets each, keeping each bucket's first, last, lowest and highest point.`,
    ...(empty ? { empty } : {}),
  };
}

/**
 * Position and inventory P&L at each fill and each kept mid point: cash from fills and fees plus the
 * position at the venue mid, minus the spread, slippage and fees already attributed (fills.csv): the
 * report's `pnl.inventory_mtm_usd` at the end.
 */
export function positionChart(input: RunPageInput): ChartSpec {
  const tick = input.instrument.tickSize;
  const fills = byTime(input.fills);
  const ts: number[] = [];
  const pos: number[] = [];
  const inv: number[] = [];
  let qty = 0;
  let cash = 0;
  let attributed = 0;
  let mid = NaN;
  let fi = 0;
  let mi = 0;
  const push = (t: number) => {
    ts.push(t);
    pos.push(qty);
    inv.push(Number.isNaN(mid) ? 0 : cash + qty * mid - attributed);
  };
  while (fi < fills.length || mi < input.mid.t.length) {
    const ft = fi < fills.length ? fills[fi]!.exchange_time_us : Infinity;
    const mt = mi < input.mid.t.length ? input.mid.t[mi]! : Infinity;
    if (mt <= ft) {
      mid = input.mid.v[mi++]! * tick;
      push(mt);
      continue;
    }
    const f = fills[fi++]!;
    const sign = sideSign(f.side);
    const fee = usdOf(f.fees_bps, f);
    qty += sign * f.qty;
    cash -= sign * f.notional_usd + fee;
    attributed += usdOf(f.gross_bps, f) - usdOf(f.slippage_bps, f) - fee;
    push(ft);
  }
  const keep = keepIndices(ts, [pos, inv], MAX_BUCKETS);
  return {
    id: 'position',
    title: 'Position and inventory P&L',
    kind: 'line',
    x: select(ts, keep).map(s),
    xLabel: 'time (s)',
    yLabel: 'inventory P&L (USD)',
    y2Label: `position (${input.instrument.symbol} qty)`,
    series: [
      { label: 'position (right axis)', values: select(pos, keep), color: C.a, step: true, right: true },
      { label: 'inventory P&L (USD)', values: select(inv, keep), color: C.b },
    ],
    note: `Inventory P&L: cash from fills and fees plus the position at the venue mid, minus the attributed gross, slippage and fees; at the end it is report.json's pnl.inventory_mtm_usd (${input.report.pnl.inventory_mtm_usd.toFixed(2)} USD).`,
    ...(ts.length === 0 ? { empty: 'no book and no fills in this run' } : {}),
  };
}

/** Cumulative P&L of fills.csv's per-fill attribution: gross, fees, adverse (at the adverse horizon), slippage, net. */
export function pnlChart(input: RunPageInput): ChartSpec {
  const fills = byTime(input.fills);
  const ai = input.horizonsMs.indexOf(input.adverseHorizonMs);
  const ts: number[] = [];
  const cols: number[][] = [[], [], [], [], []];
  const sums = [0, 0, 0, 0];
  for (const f of fills) {
    sums[0]! += usdOf(f.gross_bps, f);
    sums[1]! -= usdOf(f.fees_bps, f);
    sums[2]! -= usdOf(f.adverse_bps[ai]!, f);
    sums[3]! -= usdOf(f.slippage_bps, f);
    ts.push(f.exchange_time_us);
    sums.forEach((v, i) => cols[i]!.push(v));
    cols[4]!.push(sums[0]! + sums[1]! + sums[2]! + sums[3]!);
  }
  const keep = keepIndices(ts, cols, MAX_BUCKETS);
  const labels = ['gross (spread captured)', '− fees (a rebate is +)', `− adverse (${input.adverseHorizonMs} ms markout)`, '− slippage', 'net'];
  const colors = [C.buy, C.e, C.sell, C.c, C.d];
  const p = input.report.pnl;
  return {
    id: 'pnl',
    title: 'Cumulative P&L by component (USD)',
    kind: 'line',
    x: select(ts, keep).map(s),
    xLabel: 'fill time (s)',
    yLabel: 'USD',
    series: cols.map((c, i): ChartSeries => ({ label: labels[i]!, values: select(c, keep), color: colors[i]!, ...(i === 4 ? {} : { dash: i > 0 }) })),
    note: `Sums of fills.csv's per-fill bps × notional; the ends are report.json's pnl: gross ${p.gross_usd.toFixed(2)}, fees ${p.fees_usd.toFixed(2)}, adverse ${p.adverse_usd.toFixed(2)}, slippage ${p.slippage_usd.toFixed(2)}, net ${p.net_usd.toFixed(2)} USD.`,
    ...(fills.length === 0 ? { empty: 'no fills in this run' } : {}),
  };
}

const LATENCY_BINS = 40;

/** A histogram of one op's latency samples (ms) with the report's p50, p95 and p99 marked. */
export function latencyChart(input: RunPageInput, op: 'place' | 'cancel' | 'fill'): ChartSpec {
  const samples = input.latencyUs[op];
  const stats = input.report.summary.latency_ms[op];
  const base = { id: `latency-${op}`, title: `Latency: ${op} (ms)`, xLabel: 'ms', yLabel: 'samples' };
  if (samples.length === 0) return { ...base, kind: 'line', x: [], series: [], empty: `no ${op} latency samples in this run` };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of samples) {
    lo = Math.min(lo, v / 1000);
    hi = Math.max(hi, v / 1000);
  }
  const log = lo > 0 && hi / lo > 20;
  const edge = (k: number): number => (log ? lo * (hi / lo) ** (k / LATENCY_BINS) : lo + ((hi - lo) * k) / LATENCY_BINS);
  const counts = new Array<number>(LATENCY_BINS).fill(0);
  const width = hi - lo;
  for (const us of samples) {
    const v = us / 1000;
    const pos = width === 0 ? 0 : log ? Math.log(v / lo) / Math.log(hi / lo) : (v - lo) / width;
    counts[Math.min(LATENCY_BINS - 1, Math.floor(pos * LATENCY_BINS))]!++;
  }
  // Each bin drawn at its centre; a single value is one bar.
  const centres = counts.map((_, k) => (log ? Math.sqrt(edge(k) * edge(k + 1)) : (edge(k) + edge(k + 1)) / 2));
  const x = width === 0 ? [lo] : centres;
  const y = width === 0 ? [samples.length] : counts;
  return {
    ...base,
    kind: 'line',
    x,
    series: [{ label: 'samples per bin', values: y, color: C.a, step: true }],
    markers: [
      { x: stats.p50, label: `p50 ${stats.p50.toFixed(2)}` },
      { x: stats.p95, label: `p95 ${stats.p95.toFixed(2)}` },
      { x: stats.p99, label: `p99 ${stats.p99.toFixed(2)}` },
    ],
    logX: log,
    note: `${stats.count} samples in ${LATENCY_BINS} ${log ? 'log-spaced' : 'equal'} bins; the markers are report.json's summary.latency_ms.${op} p50/p95/p99.`,
  };
}

/** report.json's pnl.markouts: mean and p95 adverse move by horizon. */
export function markoutChart(input: RunPageInput): ChartSpec {
  const m = input.report.pnl.markouts;
  return {
    id: 'markouts',
    title: 'Markout curve (adverse move after fills, bps)',
    kind: 'line',
    x: m.map((h) => h.horizon_ms),
    xLabel: 'horizon (ms)',
    yLabel: 'bps (positive = adverse)',
    logX: m.length > 1 && m[0]!.horizon_ms > 0,
    series: [
      { label: 'mean (notional-weighted)', values: m.map((h) => h.mean_bps), color: C.a },
      { label: 'p95', values: m.map((h) => h.p95_bps), color: C.sell, dash: true },
    ],
    note: "report.json's pnl.markouts.",
    ...(input.report.pnl.fills === 0 ? { empty: 'no fills in this run' } : {}),
  };
}

interface Binned {
  readonly labels: string[];
  readonly orders: number[];
  readonly filled: number[];
}

/** Equal bins over [lo, hi] of `value`; at most `maxBins`, whole steps of `step` when given. */
function bin(rows: readonly { value: number; filled: boolean }[], maxBins: number, fmt: (v: number) => string, step?: number, lowerEdge = false): Binned {
  if (rows.length === 0) return { labels: [], orders: [], filled: [] };
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rows) {
    lo = Math.min(lo, r.value);
    hi = Math.max(hi, r.value);
  }
  let width = (hi - lo) / maxBins || 1;
  if (step !== undefined) {
    width = Math.max(step, Math.ceil(width / step) * step);
    lo = Math.floor(lo / step) * step;
  }
  const n = Math.max(1, Math.min(maxBins, Math.floor((hi - lo) / width) + 1));
  const orders = new Array<number>(n).fill(0);
  const filled = new Array<number>(n).fill(0);
  for (const r of rows) {
    const k = Math.min(n - 1, Math.floor((r.value - lo) / width));
    orders[k]!++;
    if (r.filled) filled[k]!++;
  }
  const labels = orders.map((_, k) => (width === step || n === 1 || lowerEdge ? fmt(lo + k * width) : `${fmt(lo + k * width)}–${fmt(lo + (k + 1) * width)}`));
  return { labels, orders, filled };
}

function barsChart(id: string, title: string, xLabel: string, b: Binned, note: string, empty: string): ChartSpec {
  return {
    id,
    title,
    kind: 'bars',
    x: b.labels.map((_, i) => i),
    labels: b.labels,
    xLabel,
    yLabel: 'orders',
    series: [
      { label: 'orders accepted', values: b.orders, color: '#b7c6e8' },
      { label: 'orders filled (≥ 1 fill)', values: b.filled, color: C.a },
    ],
    note,
    ...(b.labels.length === 0 ? { empty } : {}),
  };
}

/** Accepted orders by the queue ahead of them at arrival (orders.csv's arrival_ahead_qty), and how many filled. */
export function queueChart(input: RunPageInput): ChartSpec {
  const lot = input.instrument.lotSize;
  const rows = input.orders
    .filter((o) => o.outcome === 'accepted' && o.arrivalMarket?.aheadLots !== undefined)
    .map((o) => ({ value: o.arrivalMarket!.aheadLots! * lot, filled: o.fills > 0 }));
  const fmt = (v: number) => String(Number(v.toPrecision(2)));
  return barsChart(
    'queue',
    'Fills by queue position at arrival',
    `queue ahead at arrival (${input.instrument.symbol} qty, bin's lower edge)`,
    bin(rows, 12, fmt, undefined, true),
    "orders.csv's arrival_ahead_qty of each accepted order; filled: its fills column > 0.",
    'no accepted orders in this run',
  );
}

/** Accepted orders by their distance from the venue mid at arrival (orders.csv's price against arrival_best_bid/ask), in 0.5 bp steps. */
export function levelChart(input: RunPageInput): ChartSpec {
  const rows = input.orders
    .filter((o) => o.outcome === 'accepted' && o.arrivalMarket?.bidTicks !== undefined && o.arrivalMarket.askTicks !== undefined)
    .map((o) => {
      const m = o.arrivalMarket!;
      const mid = (m.bidTicks! + m.askTicks!) / 2;
      return { value: (sideSign(o.side) * (mid - o.priceTicks) * 10_000) / mid, filled: o.fills > 0 };
    });
  return barsChart(
    'levels',
    'Fills by quote level (distance from the venue mid at arrival)',
    'bps from mid at arrival (behind mid = positive)',
    bin(rows, 24, (v) => v.toFixed(1), 0.5),
    "orders.csv: price against the mid of arrival_best_bid and arrival_best_ask; the strategy's levels show as clusters.",
    'no accepted orders in this run',
  );
}

/** Every risk-ratio sample (after fills and every sample_interval) against its limit of 1. */
export function riskChart(input: RunPageInput): ChartSpec {
  const r = input.report;
  return {
    id: 'risk',
    title: 'Risk ratio (total notional / max_total_notional_usd)',
    kind: 'line',
    x: input.riskRatio.t.map(s),
    xLabel: 'time (s)',
    yLabel: 'ratio',
    series: [{ label: 'risk ratio', values: input.riskRatio.v, color: C.c }],
    hlines: [{ y: 1, label: `limit (${r.risk.max_total_notional_usd} USD)` }],
    note: `${r.summary.risk_samples} samples (${r.risk.samples_fill} after fills, ${r.risk.samples_interval} every ${r.risk.sample_interval_us / 1e6} s), downsampled to at most ${MAX_BUCKETS} buckets keeping each one's first, last, lowest and highest sample; p95 ${r.summary.risk_ratio_p95.toFixed(4)}, ${r.summary.risk_breaches} breaches.`,
    ...(input.riskRatio.t.length === 0 ? { empty: 'no risk samples in this run' } : {}),
  };
}

/** report.json's summary.rejects_by_reason (the venue's and the bot's own risk blocks). */
export function rejectsChart(input: RunPageInput): ChartSpec {
  const entries = Object.entries(input.report.summary.rejects_by_reason);
  return {
    id: 'rejects',
    title: 'Rejects by reason',
    kind: 'bars',
    x: entries.map((_, i) => i),
    labels: entries.map(([k]) => k),
    xLabel: 'reason',
    yLabel: 'orders',
    series: [{ label: 'rejected orders', values: entries.map(([, v]) => v), color: C.sell }],
    note: "report.json's summary.rejects_by_reason.",
    ...(entries.length === 0 ? { empty: 'no rejected orders in this run' } : {}),
  };
}

/** The obligation timeline: each bucket's share of passing snapshots and its thinnest side. */
export function obligationCharts(input: RunPageInput): ChartSpec[] {
  const o = input.obligations;
  if (!o) return [];
  const tl = o.timeline;
  const x = tl.map((b) => s(b.startUs));
  const per = tl.length > 0 ? tl[0]!.snapshots : 0;
  return [
    {
      id: 'obligations-pass',
      title: 'Obligations: share of snapshots passing',
      kind: 'line',
      x,
      xLabel: 'time (s)',
      yLabel: 'pass share',
      series: [{ label: 'passing snapshots', values: tl.map((b) => b.passed / b.snapshots), color: C.buy, step: true }],
      hlines: [{ y: o.report.min_pass_ratio, label: `min_pass_ratio ${o.report.min_pass_ratio}` }],
      note: `${o.report.snapshots} snapshots every ${o.report.snapshot_interval_ms / 1000} s${per > 1 ? `, ${per} per point` : ''}.`,
      ...(tl.length === 0 ? { empty: 'no snapshot was taken (the run is shorter than snapshot_interval)' } : {}),
    },
    {
      id: 'obligations-depth',
      title: `Obligations: own resting depth within ${o.report.depth_within_bps} bps of mid (USD)`,
      kind: 'line',
      x,
      xLabel: 'time (s)',
      yLabel: 'USD',
      series: [
        { label: 'bid depth (lowest in point)', values: tl.map((b) => b.minBidDepthUsd), color: C.buy, step: true },
        { label: 'ask depth (lowest in point)', values: tl.map((b) => b.minAskDepthUsd), color: C.sell, step: true },
      ],
      hlines: [{ y: o.report.min_depth_usd, label: `min_depth_usd ${o.report.min_depth_usd}` }],
      ...(tl.length === 0 ? { empty: 'no snapshot was taken' } : {}),
    },
  ];
}
