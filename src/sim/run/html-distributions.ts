import { sideSign } from '../../core/types.ts';
import type { ChartSpec } from './html-page.ts';
import { C } from './html-input.ts';
import type { RunPageInput } from './html-input.ts';

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
