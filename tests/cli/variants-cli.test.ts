// `variants:` through the real CLI: one report per variant, a variants.csv comparing them, `--variant`
// to run one, and bad variants rejected as bad input (exit 2) with the variant, the field and the line.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { mmsim } from '../support/cli.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const QM = join(ROOT, 'scenarios/queue-models.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'mmsim-variants-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));


describe('mmsim sim with variants', () => {
  it('writes one report per variant and a variants.csv whose rows are those reports', async () => {
    const out = join(tmp, 'all');
    const r = await mmsim(['sim', QM, '--out', out, '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const names = ['risk_averse', 'power1', 'power2', 'power3', 'log'];
    expect(readdirSync(out).sort()).toEqual([...names, 'variants.csv'].sort());
    const rows = parse(readFileSync(join(out, 'variants.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row.variant)).toEqual(names);
    for (const row of rows) {
      const report = JSON.parse(readFileSync(join(out, row.variant!, 'report.json'), 'utf8'));
      expect(Number(row.maker_fill_rate)).toBe(report.summary.maker_fill_rate);
      expect(Number(row.fills_queue)).toBe(report.exchange.fills_queue);
      expect(row.digest).toBe(report.execution.digest);
    }
    // Every variant's folder has its own page beside its report.
    for (const v of names) expect(readdirSync(join(out, v)).sort()).toEqual(['fills.csv', 'metrics.prom', 'orders.csv', 'report.html', 'report.json']);
    // Each variant really ran its own queue model.
    const model = (v: string) => JSON.parse(readFileSync(join(out, v, 'report.json'), 'utf8')).exchange.queue_model;
    expect(names.map(model)).toEqual(['risk_averse', 'power(1)', 'power(2)', 'power(3)', 'log']);
  }, 60_000);

  it('--variant runs just that one, byte for byte the same report', async () => {
    const out = join(tmp, 'one');
    const r = await mmsim(['sim', QM, '--out', out, '--variant', 'log', '--quiet']);
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toEqual(['log']);
    const all = readFileSync(join(tmp, 'all', 'log', 'report.json'), 'utf8');
    expect(readFileSync(join(out, 'log', 'report.json'), 'utf8')).toBe(all);
  }, 60_000);

  it('an unknown --variant is bad input naming the ones there are', async () => {
    const r = await mmsim(['sim', QM, '--variant', 'fifo', '--out', join(tmp, 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`mmsim: --variant fifo: ${QM} has variants risk_averse, power1, power2, power3, log`);
    expect(existsSync(join(tmp, 'x'))).toBe(false);
  });

  it('a bad override is reported with the variant, the field and the line of the override', async () => {
    const text = readFileSync(QM, 'utf8').replace('{name: power3, set: {exchange.queue_model: {model: power, n: 3}}}', '{name: power3, set: {exchange.queue_model: fifo}}');
    const file = join(tmp, 'bad-variant.yaml');
    writeFileSync(file, text);
    const line = text.split('\n').findIndex((l) => l.includes('queue_model: fifo')) + 1;
    const r = await mmsim(['sim', file, '--out', join(tmp, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file} (variant power3):${line}:`);
    expect(r.stderr).toContain('exchange.queue_model');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(tmp, 'bad'))).toBe(false);
  });

  it('a duplicate variant name is rejected at its line', async () => {
    const text = readFileSync(QM, 'utf8').replace('{name: log,', '{name: power1,');
    const file = join(tmp, 'dup.yaml');
    writeFileSync(file, text);
    const r = await mmsim(['sim', file, '--out', join(tmp, 'dup')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/dup\.yaml:\d+:\d+: variants\[4\]\.name: duplicate variant name "power1"/);
  });
});
