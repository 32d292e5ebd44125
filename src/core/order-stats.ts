import type { LatencyOp } from './bot-metrics.ts';
import { PercentileCollector } from './percentiles.ts';
import type { CancelRejectReason, RejectReason } from './types.ts';

/**
 * The bot's own order accounting. `placed` counts orders the exchange accepted; an order with at
 * least one fill counts once in `filled`; rejects (the bot's risk blocks and the exchange's) are never
 * in the fill-rate denominator.
 */
export class OrderStats {
  sent = 0;
  placed = 0;
  filled = 0;
  canceled = 0;
  rejected = 0;
  cancelsSent = 0;
  fills = 0;
  filledLots = 0;
  /** Execution events for orders the bot does not know: must stay 0 unless acks can be lost. */
  unexpectedEvents = 0;
  readonly rejectsByReason = new Map<RejectReason, number>();
  readonly cancelRejectsByReason = new Map<CancelRejectReason, number>();
  /** Latency samples in integer microseconds, per operation and all together. */
  readonly latency: Record<LatencyOp | 'all', PercentileCollector> = {
    place: new PercentileCollector(),
    cancel: new PercentileCollector(),
    fill: new PercentileCollector(),
    all: new PercentileCollector(),
  };

  countSent(): void {
    this.sent++;
  }
  countPlaced(): void {
    this.placed++;
  }
  countFilled(): void {
    this.filled++;
  }
  countCanceled(): void {
    this.canceled++;
  }
  countCancelSent(): void {
    this.cancelsSent++;
  }
  countFill(lots: number): void {
    this.fills++;
    this.filledLots += lots;
  }
  countUnexpected(): void {
    this.unexpectedEvents++;
  }
  countReject(reason: RejectReason): void {
    this.rejected++;
    this.rejectsByReason.set(reason, (this.rejectsByReason.get(reason) ?? 0) + 1);
  }
  countCancelReject(reason: CancelRejectReason): void {
    this.cancelRejectsByReason.set(reason, (this.cancelRejectsByReason.get(reason) ?? 0) + 1);
  }
  recordLatency(op: LatencyOp, us: number): void {
    this.latency[op].record(us);
    this.latency.all.record(us);
  }

  /** filled / placed: 0 when nothing was placed. */
  makerFillRate(): number {
    return this.placed > 0 ? this.filled / this.placed : 0;
  }
}
