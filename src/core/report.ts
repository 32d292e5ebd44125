import type { OrderStats } from './order-stats.ts';
import type { PercentileCollector } from './percentiles.ts';
import type { PnlSummary } from './pnl-tracker.ts';
import type { RiskMonitor } from './risk-monitor.ts';
import type { Instrument } from './types.ts';

/** Facts about the run that only the driver (simulator or live runner) knows. No wall-clock facts. */
export interface ExecutionInfo {
  readonly scenario: string;
  /** `shadow`: a session on the wall clock and a live feed (not byte-reproducible); absent for a simulation. */
  readonly mode?: 'shadow';
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
  // Both sample kinds together: a fill sample per fill, an interval sample per sample_interval.
  const [riskP95] = risk.ratios.quantiles([9500]) as [number];
  const [fillP95] = risk.fillSamples.ratios.quantiles([9500]) as [number];
  const [intervalP95] = risk.intervalSamples.ratios.quantiles([9500]) as [number];
  const limits = risk.limits;
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
      ...(execution.mode ? { mode: execution.mode } : {}),
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
    risk: {
      max_position_usd: limits.maxPositionUsd,
      max_total_notional_usd: limits.maxTotalNotionalUsd,
      sample_interval_us: limits.sampleIntervalUs ?? 0,
      samples_fill: risk.fillSamples.ratios.count,
      samples_interval: risk.intervalSamples.ratios.count,
      breaches_fill: risk.fillSamples.breaches,
      breaches_interval: risk.intervalSamples.breaches,
      ratio_p95_fill: fillP95,
      ratio_p95_interval: intervalP95,
      ratio_max_fill: risk.fillSamples.max,
      ratio_max_interval: risk.intervalSamples.max,
      worst_case_ratio_max: risk.maxAllowedWorstCaseRatio,
      max_loss_usd: limits.maxLossUsd ?? null,
      loss_halted: risk.lossHalted,
      loss_halted_at_us: risk.lossHaltedAtUs,
      pnl_usd: risk.pnlUsd(),
      pnl_min_usd: risk.minPnlUsd,
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
    mode?: 'shadow';
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
  risk: RiskReport;
  pnl: PnlSummary;
  warnings: string[];
  [extra: string]: unknown;
}

/**
 * The risk monitor's section. `summary.risk_ratio_p95`, `risk_ratio_max`, `risk_samples` and
 * `risk_breaches` are over both sample kinds; here they are split by kind.
 */
export interface RiskReport {
  max_position_usd: number;
  max_total_notional_usd: number;
  /** 0: no interval samples. */
  sample_interval_us: number;
  samples_fill: number;
  samples_interval: number;
  breaches_fill: number;
  breaches_interval: number;
  ratio_p95_fill: number;
  ratio_p95_interval: number;
  ratio_max_fill: number;
  ratio_max_interval: number;
  /** The largest pre-trade worst case / max_total_notional_usd of an order let through that grew it: <= 1. */
  worst_case_ratio_max: number;
  max_loss_usd: number | null;
  loss_halted: boolean;
  loss_halted_at_us: number | null;
  /** The bot's own P&L (cash from fills and fees, positions at its marks) at the end, and its lowest. */
  pnl_usd: number;
  pnl_min_usd: number;
}
