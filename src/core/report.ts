import type { OrderStats } from './order-stats.ts';
import type { PercentileCollector } from './percentiles.ts';
import type { PnlSummary } from './pnl-tracker.ts';
import type { RiskMonitor } from './risk-monitor.ts';
import type { Instrument } from './types.ts';

/** Facts about the run that only the driver (simulator or live runner) knows. No wall-clock facts. */
export interface ExecutionInfo {
  readonly scenario: string;
  readonly seed: number;
  readonly networkEnabled: boolean;
  readonly startUs: number;
  readonly endUs: number;
  readonly events: number;
  readonly digest: string;
}

export interface LatencyStats {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly invalid: number;
}

const ms = (us: number): number => us / 1000;

export function latencyStats(c: PercentileCollector): LatencyStats {
  const [p50, p95, p99] = c.quantiles([5000, 9500, 9900]) as [number, number, number];
  return { count: c.count, p50: ms(p50), p95: ms(p95), p99: ms(p99), max: ms(c.max()), invalid: c.invalidCount };
}

const sortedRecord = <K extends string>(m: ReadonlyMap<K, number>): Record<string, number> =>
  Object.fromEntries([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

export interface ReportInput {
  readonly execution: ExecutionInfo;
  readonly stats: OrderStats;
  readonly risk: RiskMonitor;
  readonly pnl: PnlSummary;
  readonly instruments: readonly Instrument[];
  readonly openOrders: number;
  /** Extra sections (e.g. the simulator's market statistics), placed after the contract's keys. */
  readonly extra?: Record<string, unknown>;
}

/**
 * Assembles `report.json`: snake_case, keys in a fixed order, no wall-clock facts, so that the same
 * scenario and seed give the same bytes. Warnings are filled in by the validator afterwards.
 */
export function buildReport(input: ReportInput): Report {
  const { stats, risk, pnl, execution } = input;
  const all = latencyStats(stats.latency.all);
  const [riskP95] = risk.ratios.quantiles([9500]) as [number];
  return {
    scenario: execution.scenario,
    summary: {
      orders_sent: stats.sent,
      orders_placed: stats.placed,
      orders_filled: stats.filled,
      orders_canceled: stats.canceled,
      orders_rejected: stats.rejected,
      rejects_by_reason: sortedRecord(stats.rejectsByReason),
      cancels_sent: stats.cancelsSent,
      cancel_rejects_by_reason: sortedRecord(stats.cancelRejectsByReason),
      unexpected_events: stats.unexpectedEvents,
      fills: stats.fills,
      filled_lots: stats.filledLots,
      maker_fill_rate: stats.makerFillRate(),
      latency_p50_ms: all.p50,
      latency_p95_ms: all.p95,
      latency_p99_ms: all.p99,
      latency_ms: {
        place: latencyStats(stats.latency.place),
        cancel: latencyStats(stats.latency.cancel),
        fill: latencyStats(stats.latency.fill),
      },
      invalid_latency_samples: all.invalid,
      risk_ratio_p95: riskP95,
      risk_ratio_max: risk.maxRiskRatio,
      risk_samples: risk.ratios.count,
      risk_breaches: risk.breaches,
      risk_freezes: risk.freezes,
    },
    execution: {
      seed: execution.seed,
      network_enabled: execution.networkEnabled,
      start_us: execution.startUs,
      end_us: execution.endUs,
      duration_s: (execution.endUs - execution.startUs) / 1e6,
      events: execution.events,
      digest: execution.digest,
    },
    positions: {
      total_notional_usd: risk.totalNotionalUsd(),
      open_orders: input.openOrders,
      by_symbol: Object.fromEntries(
        input.instruments.map((inst) => [
          inst.symbol,
          {
            position_lots: risk.positionLots(inst.symbol),
            position_qty: risk.positionLots(inst.symbol) * inst.lotSize,
            mark_price: risk.markTicks(inst.symbol) * inst.tickSize,
            notional_usd: risk.positionNotionalUsd(inst.symbol),
          },
        ]),
      ),
    },
    pnl,
    ...(input.extra ?? {}),
    warnings: [],
  };
}

export interface Report {
  scenario: string;
  summary: {
    orders_sent: number;
    orders_placed: number;
    orders_filled: number;
    orders_canceled: number;
    orders_rejected: number;
    rejects_by_reason: Record<string, number>;
    cancels_sent: number;
    cancel_rejects_by_reason: Record<string, number>;
    unexpected_events: number;
    fills: number;
    filled_lots: number;
    maker_fill_rate: number;
    latency_p50_ms: number;
    latency_p95_ms: number;
    latency_p99_ms: number;
    latency_ms: Record<'place' | 'cancel' | 'fill', LatencyStats>;
    invalid_latency_samples: number;
    risk_ratio_p95: number;
    risk_ratio_max: number;
    risk_samples: number;
    risk_breaches: number;
    risk_freezes: number;
  };
  execution: {
    seed: number;
    network_enabled: boolean;
    start_us: number;
    end_us: number;
    duration_s: number;
    events: number;
    digest: string;
  };
  positions: {
    total_notional_usd: number;
    open_orders: number;
    by_symbol: Record<string, { position_lots: number; position_qty: number; mark_price: number; notional_usd: number }>;
  };
  pnl: PnlSummary;
  warnings: string[];
  [extra: string]: unknown;
}
