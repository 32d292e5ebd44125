import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.ts';
import { VALIDATION_RULES, validateReport } from '../../src/core/report-validator.ts';
import { repoRoot, scenarioFiles } from '../support/run.ts';

type Mutable<T> = { -readonly [K in keyof T]: Mutable<T[K]> };
type MutableReport = Mutable<Report>;
const golden = (name: string): MutableReport =>
  JSON.parse(readFileSync(join(repoRoot, 'tests', 'golden', `${name}.report.json`), 'utf8')) as MutableReport;

// One hand corruption per rule; each must make exactly that rule fire.
const corruptions: Record<string, (r: MutableReport) => void> = {
  zero_latency_p95: (r) => {
    r.summary.latency_p50_ms = 0;
    r.summary.latency_p95_ms = 0;
  },
  zero_risk_ratio_p95: (r) => {
    r.summary.risk_ratio_p95 = 0;
  },
  invalid_latency_samples: (r) => {
    r.summary.invalid_latency_samples = 3;
  },
  unexpected_events: (r) => {
    r.summary.unexpected_events = 1;
  },
  rate_range: (r) => {
    r.summary.maker_fill_rate = 1.5;
  },
  fill_rate_definition: (r) => {
    r.summary.maker_fill_rate = r.summary.maker_fill_rate / 2;
  },
  latency_order: (r) => {
    r.summary.latency_ms.cancel.p99 = r.summary.latency_ms.cancel.p50 / 2;
  },
  latency_counts: (r) => {
    r.summary.latency_ms.fill.count += 1;
  },
  reject_counts: (r) => {
    r.summary.orders_rejected += 1;
  },
  order_counts: (r) => {
    r.summary.orders_canceled = r.summary.cancels_sent + 1;
  },
  risk_counts: (r) => {
    r.summary.risk_breaches = 2;
  },
  risk_limits: (r) => {
    r.risk.worst_case_ratio_max = 1.01;
  },
  pnl_identity: (r) => {
    r.pnl.net_bps += 0.06;
  },
  pnl_fills: (r) => {
    r.pnl.fills += 1;
  },
};

describe('report validator', () => {
  it('is silent on every golden report', () => {
    const files = readdirSync(join(repoRoot, 'tests', 'golden')).filter((f) => f.endsWith('.report.json'));
    expect(files.length).toBeGreaterThanOrEqual(scenarioFiles().length);
    for (const file of files) expect(validateReport(golden(file.replace('.report.json', ''))), file).toEqual([]);
  });

  for (const [rule, corrupt] of Object.entries(corruptions)) {
    it(`rule ${rule} fires on a hand-corrupted report`, () => {
      const r = golden('burst');
      corrupt(r);
      const fired = Object.entries(VALIDATION_RULES)
        .filter(([, check]) => {
          const w = check(r);
          return w !== null && (!Array.isArray(w) || w.length > 0);
        })
        .map(([name]) => name);
      expect(fired).toContain(rule);
      expect(validateReport(r).length).toBeGreaterThan(0);
    });
  }

  it('has a corruption test for every rule', () => {
    expect(Object.keys(corruptions).sort()).toEqual(Object.keys(VALIDATION_RULES).sort());
  });

  it('tolerates a P&L gap up to 0.05 bps, as the audit does', () => {
    const r = golden('burst');
    r.pnl.net_bps += 0.04;
    expect(validateReport(r)).toEqual([]);
  });

  it('checks the risk section: samples by kind add up, one interval sample per interval, the loss halt is consistent', () => {
    const fired = (r: MutableReport) => validateReport(r).filter((w) => w.includes('risk'));
    const base = golden('risk-limit');
    expect(fired(base)).toEqual([]);
    expect(base.risk.loss_halted).toBe(true);
    const cases: ((r: MutableReport) => void)[] = [
      (r) => (r.risk.samples_interval += 1),
      (r) => (r.risk.samples_fill += 1),
      (r) => (r.risk.breaches_interval += 1),
      (r) => (r.risk.sample_interval_us *= 2),
      (r) => (r.risk.ratio_max_interval = r.summary.risk_ratio_max + 1),
      (r) => (r.risk.loss_halted = false), // the loss fell past the limit: it must have halted
      (r) => (r.risk.max_loss_usd = null), // halted without a limit
      (r) => (r.risk.max_loss_usd = -r.risk.pnl_min_usd + 1), // halted though the loss stayed inside the limit
      (r) => (r.risk.loss_halted_at_us = null),
      (r) => (r.risk.pnl_min_usd = r.risk.pnl_usd + 1),
    ];
    for (const corrupt of cases) {
      const r = golden('risk-limit');
      corrupt(r);
      expect(fired(r).length, corrupt.toString()).toBeGreaterThan(0);
    }
  });

  it('reads a report written before the risk section by the fill-only rule', () => {
    const r = golden('burst') as Partial<MutableReport> & MutableReport;
    r.summary.risk_samples = r.risk.samples_fill;
    r.summary.risk_breaches = r.risk.breaches_fill;
    r.summary.risk_ratio_max = r.risk.ratio_max_fill;
    r.summary.risk_ratio_p95 = r.risk.ratio_p95_fill;
    delete (r as { risk?: unknown }).risk;
    expect(validateReport(r)).toEqual([]);
    r.summary.risk_samples += 1;
    expect(validateReport(r).some((w) => w.includes('risk_samples'))).toBe(true);
  });

  it('the seed check only applies with the network enabled', () => {
    const r = golden('burst');
    corruptions.zero_latency_p95!(r);
    r.execution.network_enabled = false;
    expect(VALIDATION_RULES.zero_latency_p95!(r)).toBeNull();
  });
});
