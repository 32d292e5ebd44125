import type { Card, Page, Section } from './html-page.ts';
import { pageCharts, renderPage } from './html-page.ts';
import {
  MAX_BUCKETS,
  latencyChart,
  levelChart,
  markoutChart,
  obligationCharts,
  pnlChart,
  positionChart,
  priceChart,
  queueChart,
  rejectsChart,
  riskChart,
} from './html-data.ts';
import type { RunPageInput } from './html-data.ts';

const num = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : String(v));

function summaryCards(input: RunPageInput): Card[] {
  const r = input.report;
  const sm = r.summary;
  const lat = sm.latency_ms;
  return [
    { label: 'fills', value: String(sm.fills) },
    { label: 'maker fill rate', value: `${num(sm.maker_fill_rate * 100, 1)} %` },
    { label: 'net', value: `${num(r.pnl.net_bps)} bps` },
    { label: 'net USD', value: num(r.pnl.net_usd), tone: r.pnl.net_usd < 0 ? 'bad' : 'good' },
    { label: 'total USD (with inventory)', value: num(r.pnl.total_usd) },
    { label: 'latency p95 place', value: `${num(lat.place.p95)} ms` },
    { label: 'latency p95 cancel', value: `${num(lat.cancel.p95)} ms` },
    { label: 'latency p95 fill', value: `${num(lat.fill.p95)} ms` },
    { label: 'risk ratio p95', value: num(sm.risk_ratio_p95, 4) },
    { label: 'risk breaches', value: String(sm.risk_breaches), ...(sm.risk_breaches > 0 ? { tone: 'bad' as const } : {}) },
    { label: 'orders rejected', value: String(sm.orders_rejected) },
    { label: 'digest', value: r.execution.digest },
  ];
}

function obligationsSection(input: RunPageInput): Section {
  const o = input.obligations;
  if (!o) {
    return {
      title: 'Maker-programme obligations',
      note: 'Not configured for this scenario: add an obligations: block (README, "Maker-programme obligations") to measure resting depth near mid at fixed snapshots.',
    };
  }
  const r = o.report;
  return {
    title: 'Maker-programme obligations',
    note: `${r.rule}. Qualified when pass ratio >= ${r.min_pass_ratio}.`,
    cards: [
      { label: 'qualified', value: r.qualified ? 'yes' : 'no', tone: r.qualified ? 'good' : 'bad' },
      { label: 'pass ratio', value: `${num(r.pass_ratio * 100, 1)} %` },
      { label: 'snapshots passed', value: `${r.passed} / ${r.snapshots}` },
      { label: 'longest failing streak', value: `${r.longest_failing_streak} (${r.longest_failing_streak_s} s)` },
      ...Object.entries(r.failed_by).map(([k, v]): Card => ({ label: `failed: ${k.replace('_', ' ')}`, value: String(v) })),
    ],
    charts: obligationCharts(input),
  };
}

/**
 * `report.html`: the run's report as a page of charts, built from the run's own result objects (the
 * report, the fill and order rows, the risk samples and venue mids); deterministic for a scenario and seed.
 */
export function reportHtml(input: RunPageInput): string {
  const r = input.report;
  const e = r.execution;
  const page: Page = {
    title: `mmsim report: ${r.scenario}`,
    subtitle: `seed ${e.seed} · ${e.duration_s} s of virtual time · ${e.events} events · ${input.instrument.symbol} · queue model ${String((r.exchange as { queue_model?: string } | undefined)?.queue_model ?? '')}`,
    cards: summaryCards(input),
    sections: [
      { title: 'Market and fills', charts: [priceChart(input), positionChart(input)] },
      { title: 'P&L', charts: [pnlChart(input), markoutChart(input)] },
      { title: 'Latency', note: 'Bot-side latency per operation, as summary.latency_ms measures it.', charts: (['place', 'cancel', 'fill'] as const).map((op) => latencyChart(input, op)) },
      { title: 'Queue and quote level', charts: [queueChart(input), levelChart(input)] },
      { title: 'Risk and rejects', charts: [riskChart(input), rejectsChart(input)] },
      obligationsSection(input),
    ],
    footer: `Self-contained: the chart library (uPlot, MIT) is inlined and the page loads nothing from the network. Time series keep at most ${MAX_BUCKETS} time buckets (each bucket's first, last, lowest and highest point), so long runs stay small. Numbers are report.json's, fills.csv's and orders.csv's.`,
  };
  return renderPage(page, pageCharts(page));
}
