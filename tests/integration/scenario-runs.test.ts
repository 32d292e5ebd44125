import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, runText } from '../support/run.ts';
import { sharedRun as runFile } from '../support/shared-runs.ts';

describe('scenario runs', () => {
  it('burst.yaml has fills, cancels, non-zero latency on every op, and a clean report', async () => {
    const { report } = await runFile('burst.yaml');
    const s = report.summary;
    expect(s.orders_filled).toBeGreaterThan(0);
    expect(s.orders_canceled).toBeGreaterThan(0);
    for (const op of ['place', 'cancel', 'fill'] as const) expect(s.latency_ms[op].p95).toBeGreaterThan(0);
    expect(s.latency_p95_ms).toBeGreaterThan(0);
    expect(s.risk_ratio_p95).toBeGreaterThan(0);
    expect(s.maker_fill_rate).toBe(s.orders_filled / s.orders_placed);
    // Every order sent was answered (accepted or rejected by the exchange) unless still in flight at the end.
    const exchangeRejects = (s.rejects_by_reason.post_only_would_cross ?? 0) + (s.rejects_by_reason.min_size ?? 0);
    expect(s.orders_sent - s.orders_placed - exchangeRejects).toBeGreaterThanOrEqual(0);
    expect(s.orders_sent - s.orders_placed - exchangeRejects).toBeLessThanOrEqual(report.positions.open_orders);
    expect(s.unexpected_events).toBe(0);
    expect(report.warnings).toEqual([]);
    // The burst phase (1 min at 5x the calibrated intensity) trades far more per second than the calm
    // 2 min before it: at least half the intensity ratio, the rest being the Hawkes clustering's noise.
    const phases = (report.market as { by_phase: Record<string, { trades: number }> }).by_phase;
    expect(phases.burst!.trades / 60).toBeGreaterThan((5 / 2) * (phases.calm!.trades / 120));
  });

  it('a constant latency gives exactly that latency at every percentile', async () => {
    const text = readFileSync(join(repoRoot, 'scenarios', 'calm.yaml'), 'utf8')
      .replace('entry: {dist: constant, ms: 20}', 'entry: {dist: constant, ms: 12.5}')
      .replace('response: {dist: constant, ms: 10}', 'response: {dist: constant, ms: 3}');
    const { report } = await runText(text);
    const l = report.summary.latency_ms;
    for (const op of ['place', 'cancel'] as const) expect([l[op].p50, l[op].p95, l[op].p99]).toEqual([15.5, 15.5, 15.5]);
    expect([l.fill.p50, l.fill.p95, l.fill.p99]).toEqual([3, 3, 3]);
    expect(l.fill.count).toBeGreaterThan(0);
  });

  it('risk-limit.yaml runs into the limit: risk rejects, breaches above 1.0 kept, a loss halt', async () => {
    const { report } = await runFile('risk-limit.yaml');
    const s = report.summary;
    expect(s.rejects_by_reason.risk_notional_limit ?? 0).toBeGreaterThan(0);
    expect(s.risk_breaches).toBeGreaterThanOrEqual(1);
    expect(s.risk_ratio_max).toBeGreaterThan(1);
    // Breaches come from the mark (interval samples) after the loss limit halted the bot.
    expect(report.risk?.breaches_interval).toBeGreaterThanOrEqual(1);
    expect(report.risk?.loss_halted).toBe(true);
    // Rejects are never in the fill-rate denominator.
    expect(s.maker_fill_rate).toBe(s.orders_filled / s.orders_placed);
  });

  it('every report satisfies the P&L identity and its counts add up', async () => {
    for (const file of ['burst.yaml', 'calm.yaml', 'risk-limit.yaml']) {
      const { report } = await runFile(file);
      const p = report.pnl;
      expect(p.net_bps).toBe(p.gross_bps - p.adverse_bps - p.slippage_bps - p.fees_bps);
      const rejects = Object.values(report.summary.rejects_by_reason).reduce((a, b) => a + b, 0);
      expect(rejects).toBe(report.summary.orders_rejected);
      expect(report.summary.orders_filled).toBeLessThanOrEqual(report.summary.orders_placed);
    }
  });
});


describe('fills.csv', () => {
  it('has one row per fill whose notional-weighted sums give the report totals', async () => {
    const { report, fillsCsv } = await runFile('burst.yaml');
    const [header, ...rows] = fillsCsv.trimEnd().split('\n');
    const cols = header!.split(',');
    expect(cols).toEqual(expect.arrayContaining(['gross_bps', 'adverse_bps_1000ms', 'fees_bps', 'net_bps', 'truncated_horizons_ms']));
    expect(rows).toHaveLength(report.summary.fills);
    const get = (row: string[], name: string): number => Number(row[cols.indexOf(name)]);
    let notional = 0;
    let net = 0;
    let gross = 0;
    let truncated10s = 0;
    for (const line of rows) {
      const row = line.split(',');
      const n = get(row, 'notional_usd');
      notional += n;
      net += n * get(row, 'net_bps');
      gross += n * get(row, 'gross_bps');
      if (row[cols.indexOf('truncated_horizons_ms')]!.split(' ').includes('10000')) truncated10s++;
      // Per fill, the identity holds too.
      expect(get(row, 'net_bps')).toBeCloseTo(get(row, 'gross_bps') - get(row, 'adverse_bps_1000ms') - get(row, 'slippage_bps') - get(row, 'fees_bps'), 9);
    }
    expect(notional).toBeCloseTo(report.pnl.notional_usd, 6);
    expect(net / notional).toBeCloseTo(report.pnl.net_bps, 9);
    expect(gross / notional).toBeCloseTo(report.pnl.gross_bps, 9);
    expect(truncated10s).toBe(report.pnl.markouts[2]!.truncated);
  });
});
