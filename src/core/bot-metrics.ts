import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { RiskSample } from './risk-monitor.ts';
import type { RejectReason, CancelRejectReason } from './types.ts';

/** The seed's bucket layouts: dashboards built for the Python bot keep working. */
export const LATENCY_BUCKETS_MS = [5, 10, 20, 50, 100, 150, 200, 250, 300, 400, 600, 1000] as const;
export const RISK_RATIO_BUCKETS = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0] as const;

export type LatencyOp = 'place' | 'cancel' | 'fill';
export type OrderEventKind = 'sent' | 'placed' | 'filled' | 'canceled' | 'rejected';
export type SessionEventKind = 'disconnect' | 'reconnect' | 'stale_book' | 'recon' | 'recon_abandoned';

/**
 * The bot's Prometheus instruments, registered in a Registry the caller owns (never the global one).
 * Histograms only: prom-client's quantile metric type reads the wall clock and is not deterministic.
 */
export class BotMetrics {
  private readonly latency: Histogram<'op'>;
  private readonly latencyByOp: Record<LatencyOp, { observe(v: number): void }>;
  private readonly riskRatio: Histogram;
  private readonly riskSamples: Counter<'kind'>;
  private readonly riskBreaches: Counter<'kind'>;
  private readonly lossHalts: Counter;
  private readonly orders: Counter<'event'>;
  private readonly rejects: Counter<'reason'>;
  private readonly cancelRejects: Counter<'reason'>;
  private readonly fills: Counter<'liquidity'>;
  private readonly positionNotional: Gauge<'symbol'>;
  private readonly orderChildren = new Map<OrderEventKind, { inc(): void }>();
  private readonly positionChildren = new Map<string, { set(v: number): void }>();
  private readonly frozen: Gauge;
  private readonly connected: Gauge;
  private readonly sessionEvents: Counter<'event'>;
  private readonly divergences: Counter<'kind'>;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.latency = new Histogram({
      name: 'mm_latency_ms',
      help: 'Latency in ms by operation: place and cancel are sent-to-ack, fill is exchange fill to bot notification',
      labelNames: ['op'],
      buckets: [...LATENCY_BUCKETS_MS],
      registers,
    });
    this.latencyByOp = {
      place: this.latency.labels('place'),
      cancel: this.latency.labels('cancel'),
      fill: this.latency.labels('fill'),
    };
    this.riskRatio = new Histogram({
      name: 'mm_risk_ratio',
      help: 'Total notional / max total notional, sampled after every fill and on a fixed virtual interval (values above 1 are breaches)',
      buckets: [...RISK_RATIO_BUCKETS],
      registers,
    });
    this.riskSamples = new Counter({ name: 'mm_risk_samples_total', help: 'Risk-ratio samples by kind: fill or interval', labelNames: ['kind'], registers });
    this.riskBreaches = new Counter({
      name: 'mm_risk_breaches_total',
      help: 'Risk-ratio samples above 1 by kind: fill or interval',
      labelNames: ['kind'],
      registers,
    });
    for (const kind of ['fill', 'interval'] as const) {
      this.riskSamples.labels(kind).inc(0);
      this.riskBreaches.labels(kind).inc(0);
    }
    this.lossHalts = new Counter({ name: 'mm_risk_loss_halts_total', help: 'Times the loss limit halted quoting (at most once a run)', registers });
    this.orders = new Counter({ name: 'mm_orders_total', help: 'Orders by lifecycle event', labelNames: ['event'], registers });
    for (const e of ['sent', 'placed', 'filled', 'canceled', 'rejected'] as const) {
      const child = this.orders.labels(e);
      child.inc(0);
      this.orderChildren.set(e, child);
    }
    this.rejects = new Counter({
      name: 'mm_rejects_total',
      help: 'Rejected orders by reason (exchange rejects and the bot\'s own risk blocks)',
      labelNames: ['reason'],
      registers,
    });
    this.cancelRejects = new Counter({
      name: 'mm_cancel_rejects_total',
      help: 'Cancels the exchange refused, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.fills = new Counter({ name: 'mm_fills_total', help: 'Fill events by liquidity', labelNames: ['liquidity'], registers });
    this.positionNotional = new Gauge({
      name: 'mm_position_notional_usd',
      help: '|position| x mark price in USD',
      labelNames: ['symbol'],
      registers,
    });
    this.frozen = new Gauge({ name: 'mm_risk_frozen', help: '1 while the risk monitor has frozen quoting', registers });
    this.connected = new Gauge({ name: 'mm_connected', help: '1 while the bot considers its venue connection up', registers });
    this.connected.set(1);
    this.sessionEvents = new Counter({
      name: 'mm_session_events_total',
      help: 'Connection and recon events: disconnect, reconnect, stale_book, recon, recon_abandoned',
      labelNames: ['event'],
      registers,
    });
    this.divergences = new Counter({
      name: 'mm_recon_divergences_total',
      help: 'Differences recon found between the bot\'s books and the venue\'s, by kind',
      labelNames: ['kind'],
      registers,
    });
  }

  countSessionEvent(event: SessionEventKind): void {
    this.sessionEvents.labels(event).inc();
  }

  countDivergence(kind: string, n: number): void {
    this.divergences.labels(kind).inc(n);
  }

  setConnected(up: boolean): void {
    this.connected.set(up ? 1 : 0);
  }

  observeLatencyMs(op: LatencyOp, ms: number): void {
    this.latencyByOp[op].observe(ms);
  }

  observeRiskSample(sample: RiskSample): void {
    this.riskRatio.observe(sample.ratio);
    this.riskSamples.labels(sample.kind).inc();
    if (sample.breach) this.riskBreaches.labels(sample.kind).inc();
  }

  countLossHalt(): void {
    this.lossHalts.inc();
  }

  countOrder(event: OrderEventKind): void {
    this.orderChildren.get(event)!.inc();
  }

  countReject(reason: RejectReason): void {
    this.rejects.labels(reason).inc();
  }

  countCancelReject(reason: CancelRejectReason): void {
    this.cancelRejects.labels(reason).inc();
  }

  countFill(liquidity: 'maker' | 'taker'): void {
    this.fills.labels(liquidity).inc();
  }

  setPositionNotional(symbol: string, usd: number): void {
    // Called on every book update: keep the labelled child instead of hashing the labels each time.
    let child = this.positionChildren.get(symbol);
    if (!child) {
      child = this.positionNotional.labels(symbol);
      this.positionChildren.set(symbol, child);
    }
    child.set(usd);
  }

  setFrozen(frozen: boolean): void {
    this.frozen.set(frozen ? 1 : 0);
  }
}
