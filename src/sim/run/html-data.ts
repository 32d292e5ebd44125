import { sideSign } from '../../core/types.ts';
import type { ChartSeries, ChartSpec } from './html-page.ts';
import { C, MAX_BUCKETS, byTime, s, select, usdOf } from './html-input.ts';
import type { RunPageInput } from './html-input.ts';
import { keepIndices } from './series.ts';

export { MAX_BUCKETS } from './html-input.ts';
export type { RunPageInput } from './html-input.ts';
export { latencyChart, levelChart, markoutChart, queueChart, rejectsChart } from './html-distributions.ts';

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
