import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { BucketHistogram } from './bucket-histogram.ts';
import type { HistogramSeries } from './bucket-histogram.ts';
import type { RiskSample } from './risk-monitor.ts';
import type { RejectReason, CancelRejectReason } from './types.ts';

/** The seed's bucket layouts: dashboards built for the Python bot keep working. */
export const LATENCY_BUCKETS_MS = [5, 10, 20, 50, 100, 150, 200, 250, 300, 400, 600, 1000] as const;
export const RISK_RATIO_BUCKETS = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0] as const;

export type LatencyOp = 'place' | 'cancel' | 'fill';
export type OrderEventKind = 'sent' | 'placed' | 'filled' | 'canceled' | 'rejected';
export type SessionEventKind = 'disconnect' | 'reconnect' | 'stale_book' | 'recon' | 'recon_abandoned';

const ORDER_EVENTS = ['sent', 'placed', 'filled', 'canceled', 'rejected'] as const satisfies readonly OrderEventKind[];
const ORDER_EVENT_INDEX: Readonly<Record<OrderEventKind, number>> = { sent: 0, placed: 1, filled: 2, canceled: 3, rejected: 4 };

/**
 * Counts by label value in the order each value was first counted (or pre-set), handed to a prom-client
 * Counter at scrape time: the hot path adds to a number instead of hashing labels inside prom-client.
 */
class LabelCounts {
  private readonly counts = new Map<string, number>();

  constructor(registry: Registry, name: string, help: string, label: string, preset: readonly string[] = []) {
    for (const v of preset) this.counts.set(v, 0);
    // Rewritten from the counts at each render: series in the same order as if every add had been an inc.
    const counter: Counter<string> = new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect: () => {
        counter.reset();
        for (const [value, n] of this.counts) counter.inc({ [label]: value }, n);
      },
    });
  }

  add(value: string, n = 1): void {
    this.counts.set(value, (this.counts.get(value) ?? 0) + n);
  }
}

/**
 * The bot's Prometheus instruments, registered in a Registry the caller owns (never the global one).
 * Histograms only: prom-client's quantile metric type reads the wall clock and is not deterministic.
 *
 * The hot path (every book update, order event, latency and risk sample) only adds to plain numbers and
 * typed arrays; the prom-client metrics read them in their `collect()` when the registry renders (a
 * scrape of /metrics, metrics.prom at the end), so the text is what per-event calls would have made.
 */
export class BotMetrics {
  private readonly latencyByOp: Record<LatencyOp, HistogramSeries>;
  private readonly riskRatio: HistogramSeries;
  private readonly riskSamples: LabelCounts;
  private readonly riskBreaches: LabelCounts;
  private lossHalts = 0;
  // The five order events by index: countOrder runs for every order event.
  private readonly orderCounts = new Float64Array(ORDER_EVENTS.length);
  private readonly rejects: LabelCounts;
  private readonly cancelRejects: LabelCounts;
  private readonly fills: LabelCounts;
  private readonly positions = new Map<string, number>();
  private frozen = 0;
  private connected = 1;
  private readonly sessionEvents: LabelCounts;
  private readonly divergences: LabelCounts;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    const latency = new BucketHistogram(
      'mm_latency_ms',
      'Latency in ms by operation: place and cancel are sent-to-ack, fill is exchange fill to bot notification',
      LATENCY_BUCKETS_MS,
      registry,
    );
    this.latencyByOp = {
      place: latency.series({ op: 'place' }),
      cancel: latency.series({ op: 'cancel' }),
      fill: latency.series({ op: 'fill' }),
    };
    this.riskRatio = new BucketHistogram(
      'mm_risk_ratio',
      'Total notional / max total notional, sampled after every fill and on a fixed virtual interval (values above 1 are breaches)',
      RISK_RATIO_BUCKETS,
      registry,
    ).series();
    const riskKinds = ['fill', 'interval'] as const;
    this.riskSamples = new LabelCounts(registry, 'mm_risk_samples_total', 'Risk-ratio samples by kind: fill or interval', 'kind', riskKinds);
    this.riskBreaches = new LabelCounts(registry, 'mm_risk_breaches_total', 'Risk-ratio samples above 1 by kind: fill or interval', 'kind', riskKinds);
    const lossHalts: Counter = new Counter({
      name: 'mm_risk_loss_halts_total',
      help: 'Times the loss limit halted quoting (at most once a run)',
      registers,
      collect: () => {
        lossHalts.reset();
        lossHalts.inc(this.lossHalts);
      },
    });
    const orders: Counter<'event'> = new Counter({
      name: 'mm_orders_total',
      help: 'Orders by lifecycle event',
      labelNames: ['event'],
      registers,
      collect: () => {
        orders.reset();
        ORDER_EVENTS.forEach((event, i) => orders.inc({ event }, this.orderCounts[i]!));
      },
    });
    this.rejects = new LabelCounts(registry, 'mm_rejects_total', "Rejected orders by reason (exchange rejects and the bot's own risk blocks)", 'reason');
    this.cancelRejects = new LabelCounts(registry, 'mm_cancel_rejects_total', 'Cancels the exchange refused, by reason', 'reason');
    this.fills = new LabelCounts(registry, 'mm_fills_total', 'Fill events by liquidity', 'liquidity');
    const positions: Gauge<'symbol'> = new Gauge({
      name: 'mm_position_notional_usd',
      help: '|position| x mark price in USD',
      labelNames: ['symbol'],
      registers,
      collect: () => {
        for (const [symbol, usd] of this.positions) positions.set({ symbol }, usd);
      },
    });
    const frozenGauge: Gauge = new Gauge({
      name: 'mm_risk_frozen',
      help: '1 while the risk monitor has frozen quoting',
      registers,
      collect: () => frozenGauge.set(this.frozen),
    });
    const connectedGauge: Gauge = new Gauge({
      name: 'mm_connected',
      help: '1 while the bot considers its venue connection up',
      registers,
      collect: () => connectedGauge.set(this.connected),
    });
    this.sessionEvents = new LabelCounts(registry,
      'mm_session_events_total',
      'Connection and recon events: disconnect, reconnect, stale_book, recon, recon_abandoned',
      'event',
    );
    this.divergences = new LabelCounts(registry, 'mm_recon_divergences_total', "Differences recon found between the bot's books and the venue's, by kind", 'kind');
  }

  countSessionEvent(event: SessionEventKind): void {
    this.sessionEvents.add(event);
  }

  countDivergence(kind: string, n: number): void {
    if (!(n >= 0) || !Number.isFinite(n)) throw new RangeError(`a divergence count must be a finite number >= 0, was ${n}`);
    this.divergences.add(kind, n);
  }

  setConnected(up: boolean): void {
    this.connected = up ? 1 : 0;
  }

  observeLatencyMs(op: LatencyOp, ms: number): void {
    this.latencyByOp[op].observe(ms);
  }

  observeRiskSample(sample: RiskSample): void {
    this.riskRatio.observe(sample.ratio);
    this.riskSamples.add(sample.kind);
    if (sample.breach) this.riskBreaches.add(sample.kind);
  }

  countLossHalt(): void {
    this.lossHalts++;
  }

  countOrder(event: OrderEventKind): void {
    this.orderCounts[ORDER_EVENT_INDEX[event]]! += 1;
  }

  countReject(reason: RejectReason): void {
    this.rejects.add(reason);
  }

  countCancelReject(reason: CancelRejectReason): void {
    this.cancelRejects.add(reason);
  }

  countFill(liquidity: 'maker' | 'taker'): void {
    this.fills.add(liquidity);
  }

  setPositionNotional(symbol: string, usd: number): void {
    this.positions.set(symbol, usd);
  }

  setFrozen(frozen: boolean): void {
    this.frozen = frozen ? 1 : 0;
  }
}

