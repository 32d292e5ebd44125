import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/run.ts';
import { mmsim } from '../support/cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'mmsim-validate-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));


const golden = readFileSync(join(repoRoot, 'tests', 'golden', 'burst.report.json'), 'utf8');
const write = (name: string, text: string): string => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

describe('mmsim validate', () => {
  it('says ok on a golden report, exit 0 even with --strict', async () => {
    const r = await mmsim(['validate', 'tests/golden/burst.report.json', '--strict']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok');
  });

  it('prints one warning per line; exit 0 without --strict and 1 with it', async () => {
    const report = JSON.parse(golden);
    report.summary.latency_p50_ms = 0;
    report.summary.latency_p95_ms = 0;
    report.pnl.net_bps += 1;
    const file = write('bad.json', JSON.stringify(report));
    const loose = await mmsim(['validate', file]);
    expect(loose.code).toBe(0);
    const lines = loose.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^warning: latency_p95_ms is zero while network_enabled=true/);
    expect(lines[1]).toMatch(/^warning: P&L identity broken/);
    expect((await mmsim(['validate', file, '--strict'])).code).toBe(1);
  });

  it('a truncated file, a wrong type and a missing file are bad input: exit 2, one message naming the file', async () => {
    const truncated = write('truncated.json', golden.slice(0, 200));
    const wrongType = write('wrong.json', golden.replace(/"orders_placed": \d+/, '"orders_placed": "many"'));
    for (const [file, pattern] of [
      [truncated, /truncated\.json:\d+:\d+: not valid JSON/],
      [wrongType, /wrong\.json:\d+:\d+: summary\.orders_placed: expected number, was "many"/],
      [join(tmp, 'none.json'), /none\.json: cannot read file \(ENOENT/],
    ] as const) {
      const r = await mmsim(['validate', file]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
  });
});

describe('mmsim sim with expectations', () => {
  it('a failed expectation prints what was expected and what was seen, writes the report, and exits 1', async () => {
    const text = readFileSync(join(repoRoot, 'scenarios', 'calm.yaml'), 'utf8').replace(/\nexpect:[\s\S]*$/, '\n');
    const scenario = write('exp.yaml', `${text}expect:\n  maker_fill_rate: {min: 0.9}\n  latency_p95_ms: {max: 1000}\n`);
    const out = join(tmp, 'exp-out');
    const r = await mmsim(['sim', scenario, '--out', out, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^expectation failed: maker_fill_rate = 0\.\d+, expected >= 0\.9$/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.expectations.map((e: { name: string; ok: boolean }) => [e.name, e.ok])).toEqual([
      ['maker_fill_rate', false],
      ['latency_p95_ms', true],
    ]);
  });
});
