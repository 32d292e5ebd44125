import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { BucketHistogram } from '../../src/core/bucket-histogram.ts';
import { BotMetrics, LATENCY_BUCKETS_MS, RISK_RATIO_BUCKETS } from '../../src/core/bot-metrics.ts';

/** A small deterministic generator for the test's values. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/**
 * The metrics counted on plain numbers and handed to prom-client at render time must render what
 * prom-client's own per-event calls render: metrics.prom is byte-identical and the soak's
 * AggregatorRegistry reads the same JSON.
 */
describe('BucketHistogram', () => {
  it('renders the text and JSON of a prom-client Histogram fed the same values, series in first-observation order', async () => {
    const rnd = lcg(7);
    const ours = new Registry();
    const theirs = new Registry();
    const h = new BucketHistogram('x_ms', 'help text', LATENCY_BUCKETS_MS, ours);
    const series = { fill: h.series({ op: 'fill' }), place: h.series({ op: 'place' }), cancel: h.series({ op: 'cancel' }) };
    const ref = new Histogram({ name: 'x_ms', help: 'help text', labelNames: ['op'], buckets: [...LATENCY_BUCKETS_MS], registers: [theirs] });
    const ops = ['cancel', 'place'] as const; // fill never observed: no series, as in prom-client
    for (let i = 0; i < 2000; i++) {
      const op = ops[Math.floor(rnd() * 2)]!;
      const v = i % 97 === 0 ? 5 : i % 89 === 0 ? 2500 : rnd() * 1200; // on a bound and above the last
      series[op].observe(v);
      ref.labels(op).observe(v);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(JSON.stringify(await ours.getMetricsAsJSON())).toBe(JSON.stringify(await theirs.getMetricsAsJSON()));
    expect(() => series.fill.observe(Number.NaN)).toThrow(TypeError);
  });

  it('an unlabelled histogram with no observation renders as prom-client renders it', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    new BucketHistogram('r', 'h', RISK_RATIO_BUCKETS, ours).series();
    new Histogram({ name: 'r', help: 'h', buckets: [...RISK_RATIO_BUCKETS], registers: [theirs] });
    // prom-client pre-creates the unlabelled series; ours appears on its first observation.
    expect(await ours.metrics()).toBe('# HELP r h\n# TYPE r histogram\n');
    expect(await theirs.metrics()).toContain('r_count 0');
  });
});

describe('BotMetrics', () => {
  it('renders what per-event prom-client calls render, at any scrape', async () => {
    const registry = new Registry();
    const m = new BotMetrics(registry);
    const ref = new Registry();
    const r = {
      orders: new Counter({ name: 'mm_orders_total', help: 'Orders by lifecycle event', labelNames: ['event'], registers: [ref] }),
      fills: new Counter({ name: 'mm_fills_total', help: 'Fill events by liquidity', labelNames: ['liquidity'], registers: [ref] }),
      pos: new Gauge({ name: 'mm_position_notional_usd', help: '|position| x mark price in USD', labelNames: ['symbol'], registers: [ref] }),
    };
    for (const e of ['sent', 'placed', 'filled', 'canceled', 'rejected']) r.orders.labels(e).inc(0);
    const pick = (text: string, name: string) => text.split('\n\n').find((b) => b.includes(`# TYPE ${name} `))?.trimEnd();
    const check = async () => {
      const text = await registry.metrics();
      const want = await ref.metrics();
      for (const name of ['mm_orders_total', 'mm_fills_total', 'mm_position_notional_usd']) expect(pick(text, name)).toBe(pick(want, name));
    };
    await check();
    m.countOrder('placed');
    r.orders.labels('placed').inc();
    m.countFill('taker');
    r.fills.labels('taker').inc();
    m.setPositionNotional('ETHUSDT', 12.5);
    r.pos.labels('ETHUSDT').set(12.5);
    await check();
    m.countFill('maker');
    r.fills.labels('maker').inc();
    m.countFill('taker');
    r.fills.labels('taker').inc();
    m.setPositionNotional('BTCUSDT', 3);
    r.pos.labels('BTCUSDT').set(3);
    m.setPositionNotional('ETHUSDT', 0);
    r.pos.labels('ETHUSDT').set(0);
    await check();
    const text = await registry.metrics();
    expect(text).toContain('mm_connected 1\n');
    m.setConnected(false);
    m.countLossHalt();
    m.countDivergence('missing_order', 2);
    const later = await registry.metrics();
    expect(later).toContain('mm_connected 0\n');
    expect(later).toContain('mm_risk_loss_halts_total 1\n');
    expect(later).toContain('mm_recon_divergences_total{kind="missing_order"} 2\n');
  });
});
