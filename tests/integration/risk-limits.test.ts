// Proof that the risk monitor holds its limits on scenarios/risk-limit.yaml, recomputed outside the
// monitor. The bot's messages are watched from inside the bot: a spy on OrderManager's listener methods
// sees each event before the bot handles it (so before any order the handler sends), and the runner's
// observer sees each request as it is sent. From those alone the test tracks what the monitor must know:
// the mark (the mid of the bot's book), the position, and every order that may still fill.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OrderManager } from '../../src/core/order-manager.ts';
import type { Report } from '../../src/core/report.ts';
import type { ExecutionEvent, MarketEvent, Side } from '../../src/core/types.ts';
import { runScenario } from '../../src/sim/run/runner.ts';
import { loadScenario } from '../../src/sim/scenario/load-scenario.ts';
import { repoRoot } from '../support/run.ts';

interface Working {
  readonly side: Side;
  leaves: number;
}

interface FillCheck {
  readonly positionUsd: number;
  readonly ratio: number;
  /** The position at the mark of the last check that grew the worst case, over the limit. */
  readonly ratioAtValidatedMark: number;
  readonly markRose: boolean;
}

interface Trace {
  report: Report;
  maxOrderUsd: number;
  growingChecks: { worstUsd: number }[];
  fills: FillCheck[];
  placesAfterHalt: number;
}

const EPS = 1e-9;

async function traceRiskLimit(): Promise<Trace> {
  const scenario = await loadScenario(join(repoRoot, 'scenarios', 'risk-limit.yaml'));
  const lotSize = scenario.instrument.lot_size;
  const tick = scenario.instrument.tick_size;
  const limit = scenario.risk.max_total_notional_usd;
  const usd = (lots: number, mark: number) => Math.abs(lots) * lotSize * mark * tick;
  let mark = 0;
  let pos = 0;
  const working = new Map<string, Working>();
  // The worst case in lots, and the mark at which a check last let it grow (the bound W x mark <= limit).
  let validatedMark = 0;
  let maxOrderUsd = 0;
  const growingChecks: { worstUsd: number }[] = [];
  const fills: FillCheck[] = [];
  const placeTimes: number[] = [];
  const extremes = () => {
    let buy = 0;
    let sell = 0;
    for (const w of working.values()) {
      if (w.side === 'buy') buy += w.leaves;
      else sell += w.leaves;
    }
    return { long: pos + buy, short: pos - sell };
  };

  const realMarket = OrderManager.prototype.onMarketData;
  const realExecution = OrderManager.prototype.onExecution;
  try {
    vi.spyOn(OrderManager.prototype, 'onMarketData').mockImplementation(function (this: OrderManager, e: MarketEvent) {
      mark = (e.bidTicks + e.askTicks) / 2;
      realMarket.call(this, e);
    });
    vi.spyOn(OrderManager.prototype, 'onExecution').mockImplementation(function (this: OrderManager, e: ExecutionEvent) {
      const w = working.get(e.clientId);
      if (w !== undefined) {
        if (e.type === 'fill') {
          pos += (e.side === 'buy' ? 1 : -1) * e.qtyLots;
          w.leaves = e.leavesLots;
          if (e.leavesLots === 0) working.delete(e.clientId);
          const { long, short } = extremes();
          expect(Math.abs(pos)).toBeLessThanOrEqual(Math.max(Math.abs(long), Math.abs(short)));
          fills.push({
            positionUsd: usd(pos, mark),
            ratio: usd(pos, mark) / limit,
            ratioAtValidatedMark: usd(pos, validatedMark) / limit,
            markRose: mark > validatedMark,
          });
        } else if (e.type === 'rejected' || e.type === 'canceled') {
          working.delete(e.clientId);
        } else if (e.type === 'cancel_rejected' && (e.reason === 'unknown_order' || e.reason === 'too_late_to_cancel')) {
          working.delete(e.clientId);
        }
      }
      realExecution.call(this, e);
    });
    const result = await runScenario(scenario, {
      observer: {
        onRequest: (request, now) => {
          if (request.type !== 'place') return;
          placeTimes.push(now);
          const { long, short } = extremes();
          const before = Math.max(Math.abs(long), Math.abs(short));
          const q = request.qtyLots;
          const after = request.side === 'buy' ? Math.max(Math.abs(long + q), Math.abs(short)) : Math.max(Math.abs(long), Math.abs(short - q));
          maxOrderUsd = Math.max(maxOrderUsd, usd(q, mark));
          if (after > before) {
            growingChecks.push({ worstUsd: usd(after, mark) });
            validatedMark = mark;
          }
          working.set(request.clientId, { side: request.side, leaves: q });
        },
      },
    });
    const haltedAt = result.report.risk.loss_halted_at_us ?? Infinity;
    const placesAfterHalt = placeTimes.filter((t) => t >= haltedAt).length;
    return { report: result.report, maxOrderUsd, growingChecks, fills, placesAfterHalt };
  } finally {
    vi.restoreAllMocks();
  }
}

describe('risk-limit.yaml: the limits hold, breaches come only from price moves', () => {
  let trace: Trace;
  beforeAll(async () => {
    trace = await traceRiskLimit();
  }, 60_000);
  afterAll(() => vi.restoreAllMocks());

  it('ran the story it claims: blocks, a loss halt, breaches, and no recon divergence that the trace would miss', () => {
    const { report } = trace;
    expect(report.summary.rejects_by_reason.risk_notional_limit).toBeGreaterThan(100);
    expect(report.risk.loss_halted).toBe(true);
    expect(report.summary.risk_breaches).toBeGreaterThan(0);
    expect(Object.values((report.session as { divergences: Record<string, number> }).divergences).every((n) => n === 0)).toBe(true);
    expect(trace.fills.length).toBe(report.summary.fills);
    expect(trace.growingChecks.length).toBeGreaterThan(100);
  });

  it('sends no order after the loss limit halted the bot', () => {
    expect(trace.placesAfterHalt).toBe(0);
  });

  it('every order that grew the worst case of live orders kept it inside both limits at the mark of its check', () => {
    const { report } = trace;
    for (const c of trace.growingChecks) {
      expect(c.worstUsd).toBeLessThanOrEqual(report.risk.max_total_notional_usd + EPS);
      expect(c.worstUsd).toBeLessThanOrEqual(report.risk.max_position_usd + EPS);
    }
    expect(report.risk.worst_case_ratio_max).toBeLessThanOrEqual(1);
  });

  it('at every fill the position is within max_position_usd plus one order', () => {
    const bound = trace.report.risk.max_position_usd + trace.maxOrderUsd;
    expect(trace.maxOrderUsd).toBeGreaterThan(1000);
    for (const f of trace.fills) expect(f.positionUsd).toBeLessThanOrEqual(bound + EPS);
  });

  it('every fill breach is a price move: at the mark of the last check that grew the worst case it was inside the limit', () => {
    const breaches = trace.fills.filter((f) => f.ratio > 1);
    expect(breaches.length).toBe(trace.report.risk.breaches_fill);
    for (const f of trace.fills) expect(f.ratioAtValidatedMark).toBeLessThanOrEqual(1 + EPS);
    for (const f of breaches) expect(f.markRose).toBe(true);
    // The other breaches are interval samples: marks, not fills.
    expect(trace.report.risk.breaches_interval).toBe(trace.report.summary.risk_breaches - breaches.length);
    expect(trace.report.risk.breaches_interval).toBeGreaterThan(0);
  });
});
