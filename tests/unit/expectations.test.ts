import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.ts';
import { checkExpectations, describeFailure } from '../../src/sim/scenario/expectations.ts';
import { parseScenario } from '../../src/sim/scenario/load-scenario.ts';
import { repoRoot } from '../support/run.ts';

const report = JSON.parse(readFileSync(join(repoRoot, 'tests', 'golden', 'burst.report.json'), 'utf8')) as Report;
const calm = readFileSync(join(repoRoot, 'scenarios', 'calm.yaml'), 'utf8').replace(/\nexpect:[\s\S]*$/, '\n');

describe('scenario expectations', () => {
  it('checks bounds on summary, pnl, per-op latency and reject reasons, in the order given', () => {
    const s = parseScenario(
      `${calm}expect:\n  maker_fill_rate: {min: 0.3}\n  latency_p95_ms: {max: 150}\n  net_bps: {min: -10, max: 10}\n  latency_ms: {fill: {p95: {max: 5}}}\n  rejects_by_reason: {risk_frozen: {max: 0}}\n`,
    );
    const results = checkExpectations(report, s.expect!);
    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ['maker_fill_rate', false],
      ['latency_p95_ms', true],
      ['net_bps', true],
      ['latency_ms.fill.p95', false],
      ['rejects_by_reason.risk_frozen', true],
    ]);
    expect(results[0]!.seen).toBe(report.summary.maker_fill_rate);
    expect(describeFailure(results[0]!)).toBe(`expectation failed: maker_fill_rate = ${report.summary.maker_fill_rate}, expected >= 0.3`);
    expect(describeFailure(results[3]!)).toBe(`expectation failed: latency_ms.fill.p95 = ${report.summary.latency_ms.fill.p95}, expected <= 5`);
  });

  it('bounds the risk section by kind', () => {
    const s = parseScenario(`${calm}expect:\n  risk: {samples_interval: {min: 300, max: 300}, breaches_fill: {min: 1}, worst_case_ratio_max: {max: 1}}\n`);
    expect(checkExpectations(report, s.expect!).map((r) => [r.name, r.seen, r.ok])).toEqual([
      ['risk.samples_interval', 300, true],
      ['risk.breaches_fill', 0, false],
      ['risk.worst_case_ratio_max', report.risk.worst_case_ratio_max, true],
    ]);
    expect(() => parseScenario(`${calm}expect:\n  risk: {samples: {min: 1}}\n`, 's.yaml')).toThrow(/unknown field "samples"/);
  });

  it('rejects unknown names, empty bounds and min above max when the scenario is loaded', () => {
    expect(() => parseScenario(`${calm}expect:\n  maker_fil_rate: {min: 0.2}\n`, 's.yaml')).toThrow(/s\.yaml:\d+:\d+: expect: unknown field "maker_fil_rate"/);
    expect(() => parseScenario(`${calm}expect:\n  fills: {}\n`, 's.yaml')).toThrow(/expect\.fills: give min, max or both/);
    expect(() => parseScenario(`${calm}expect:\n  fills: {min: 5, max: 1}\n`, 's.yaml')).toThrow(/min must not exceed max/);
    expect(() => parseScenario(`${calm}expect:\n  latency_ms: {send: {p95: {max: 1}}}\n`, 's.yaml')).toThrow(/unknown field "send"/);
  });
});
