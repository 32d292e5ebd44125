// The command-line contract (DESIGN.md, "Command line"), checked on the real CLI in child processes:
// exit 0 on success, 1 when the run finished but a check failed, 2 on bad input with one clear line on
// stderr that names the file and the line or field, never a stack trace and never a half-written output.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HELP_HINT } from '../support/cli-errors.ts';
import { listFiles } from '../support/files.ts';
import { mmsim } from '../support/cli.ts';
import type { CliRun } from '../support/cli.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CALM = join(ROOT, 'scenarios/calm.yaml');


/** Runs a command once, however many tests look at its result. */
function once(args: () => readonly string[]): () => Promise<CliRun> {
  let result: Promise<CliRun> | undefined;
  return () => (result ??= mmsim(args()));
}

let tmp = '';
/** A fresh directory inside this file's temporary folder. */
function freshDir(name: string): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}


/** The lines of stderr that carry the message (an optional usage hint is allowed beside it). */
function messageLines(stderr: string): string[] {
  return stderr
    .replace(/\n$/, '')
    .split('\n')
    .filter((l) => !HELP_HINT.test(l));
}

/** Exit 2, `maxLines` message lines or fewer (one unless the schema found several problems), no stack trace. */
function expectBadInput(run: CliRun, mentions: ReadonlyArray<string | RegExp>, maxLines = 1): void {
  expect(run.code, `exit code; stderr was:\n${run.stderr}`).toBe(2);
  const lines = messageLines(run.stderr);
  expect(lines.length, run.stderr).toBeGreaterThanOrEqual(1);
  expect(lines.length, run.stderr).toBeLessThanOrEqual(maxLines);
  expect(lines[0]).toMatch(/^mmsim: \S/);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stderr).not.toMatch(/internal error|\b[A-Z]\w*Error\b:/);
  for (const m of mentions) {
    if (typeof m === 'string') expect(run.stderr).toContain(m);
    else expect(run.stderr).toMatch(m);
  }
}

const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The 1-based line of the first line of `text` that matches `pattern`. */
function lineOf(text: string, pattern: RegExp): number {
  const index = text.split('\n').findIndex((l) => pattern.test(l));
  if (index < 0) throw new Error(`no line matches ${pattern}`);
  return index + 1;
}

/** calm.yaml with one line replaced; fails loudly if the line is not there any more. */
function calmWith(pattern: RegExp, replacement: string): string {
  const text = readFileSync(CALM, 'utf8');
  if (!pattern.test(text)) throw new Error(`scenarios/calm.yaml has no line matching ${pattern}: update this test`);
  return text.replace(pattern, replacement);
}

function writeScenario(name: string, text: string): string {
  const file = join(freshDir('inputs'), name);
  writeFileSync(file, text);
  return file;
}

// The successful run of calm.yaml that several tests look at.
let calmOut = '';
let calm: CliRun;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'mmsim-cli-'));
  calmOut = join(tmp, 'calm-out');
  calm = await mmsim(['sim', 'scenarios/calm.yaml', '--out', calmOut]);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('mmsim sim: a successful run', () => {
  it('exits 0 and prints the summary', () => {
    expect(calm.code, calm.stderr).toBe(0);
    expect(calm.stderr).toBe('');
    for (const line of [/^orders\s+.*placed \d+/m, /maker fill rate \d/, /^latency\s+.*p95=/m, /^risk\s+ratio p95/m, /^pnl\s+net -?\d/m]) {
      expect(calm.stdout).toMatch(line);
    }
    expect(calm.stdout).toContain(join(calmOut, 'report.json'));
  });

  it('writes report.json with the contract keys, and nothing else is left in the folder', () => {
    expect(listFiles(calmOut)).toEqual(['fills.csv', 'metrics.prom', 'orders.csv', 'report.html', 'report.json']);
    const report = JSON.parse(readFileSync(join(calmOut, 'report.json'), 'utf8'));
    const s = report.summary;
    for (const key of ['orders_placed', 'orders_filled', 'orders_canceled', 'orders_rejected', 'maker_fill_rate', 'latency_p50_ms', 'latency_p95_ms', 'latency_p99_ms', 'risk_ratio_p95', 'risk_breaches']) {
      expect(typeof s[key], `summary.${key}`).toBe('number');
      expect(Number.isFinite(s[key]), `summary.${key}`).toBe(true);
    }
    expect(typeof s.rejects_by_reason).toBe('object');
    expect(s.rejects_by_reason).not.toBeNull();
    expect(report.execution).toMatchObject({ seed: expect.anything(), network_enabled: expect.any(Boolean), events: expect.any(Number), digest: expect.stringMatching(/^[0-9a-f]{16,}$/) });
    expect(report.execution.seed).toBe(7); // calm.yaml's own seed
    expect(report.execution.events).toBeGreaterThan(0);
    expect(typeof report.positions.total_notional_usd).toBe('number');
    for (const key of ['net_bps', 'gross_bps', 'adverse_bps', 'slippage_bps', 'fees_bps']) expect(typeof report.pnl[key], `pnl.${key}`).toBe('number');
    expect(Array.isArray(report.warnings)).toBe(true);
    // The definitions the numbers must satisfy.
    expect(s.orders_placed).toBeGreaterThan(0);
    expect(s.maker_fill_rate).toBeCloseTo(s.orders_filled / s.orders_placed, 12);
    const { net_bps, gross_bps, adverse_bps, slippage_bps, fees_bps } = report.pnl;
    expect(Math.abs(net_bps - (gross_bps - adverse_bps - slippage_bps - fees_bps))).toBeLessThanOrEqual(0.05);
    expect(calm.stdout).toContain(report.execution.digest);
  });

  it('writes orders.csv: its header, one row per order sent or refused by the risk check, virtual times only', () => {
    const [header, ...rows] = readFileSync(join(calmOut, 'orders.csv'), 'utf8').trimEnd().split('\n');
    expect(header).toBe(
      'order,symbol,side,price,qty,post_only,sent_us,arrival_us,outcome,reason,arrival_best_bid,arrival_best_ask,arrival_ahead_qty,first_fill_us,last_fill_us,fills,filled_qty,cancel_sent_us,done_us,done',
    );
    const report = JSON.parse(readFileSync(join(calmOut, 'report.json'), 'utf8'));
    // Orders the bot's risk check refused were never sent: they have a row, without an order id.
    const riskRejects = Object.entries(report.summary.rejects_by_reason as Record<string, number>)
      .filter(([k]) => k.startsWith('risk_'))
      .reduce((n, [, v]) => n + v, 0);
    const sent = rows.filter((r) => r.split(',')[0] !== '');
    expect(rows.length - sent.length).toBe(riskRejects);
    expect(rows.filter((r) => r.split(',')[0] === '').every((r) => r.split(',')[9]!.startsWith('risk_'))).toBe(true);
    expect(sent).toHaveLength(report.summary.orders_sent);
    expect(new Set(sent.map((r) => r.split(',')[0])).size).toBe(sent.length);
    // Orders with a fill, by the exchange's account: the bot's count when no message was lost.
    expect(rows.filter((r) => r.split(',')[15] !== '0')).toHaveLength(report.summary.orders_filled);
  });

  it('writes metrics.prom with the latency and risk-ratio histograms', () => {
    const prom = readFileSync(join(calmOut, 'metrics.prom'), 'utf8');
    for (const op of ['place', 'cancel', 'fill']) {
      const counts = [5, 10, 20, 50, 100, 150, 200, 250, 300, 400, 600, 1000, '+Inf'].map((le) => {
        const m = new RegExp(`^mm_latency_ms_bucket\\{le="${String(le).replace('+', '\\+')}",op="${op}"\\} (\\d+)$`, 'm').exec(prom);
        expect(m, `mm_latency_ms_bucket{le="${le}",op="${op}"}`).not.toBeNull();
        return Number(m?.[1]);
      });
      expect(counts, `cumulative buckets for ${op}`).toEqual([...counts].sort((a, b) => a - b));
    }
    for (const le of ['0.01', '0.05', '0.1', '0.2', '0.3', '0.4', '0.5', '0.7', '1', '+Inf']) {
      expect(prom).toContain(`mm_risk_ratio_bucket{le="${le}"} `);
    }
    expect(prom).toMatch(/^# TYPE mm_latency_ms histogram$/m);
    expect(prom).toMatch(/^# TYPE mm_risk_ratio histogram$/m);
    expect(prom).not.toMatch(/summary|quantile=/);
  });
});

describe('mmsim sim: determinism and defaults', () => {
  it('--seed 5 twice gives byte-identical outputs and --seed 6 a different digest', async () => {
    const [a, b, c] = [freshDir('seed5a'), freshDir('seed5b'), freshDir('seed6')];
    const runs = await Promise.all([
      mmsim(['sim', 'scenarios/calm.yaml', '--seed', '5', '--out', a]),
      mmsim(['sim', 'scenarios/calm.yaml', '--seed', '5', '--out', b]),
      mmsim(['sim', 'scenarios/calm.yaml', '--seed', '6', '--out', c]),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const reportA = readFileSync(join(a, 'report.json'), 'utf8');
    expect(readFileSync(join(b, 'report.json'), 'utf8')).toBe(reportA);
    expect(readFileSync(join(b, 'metrics.prom'), 'utf8')).toBe(readFileSync(join(a, 'metrics.prom'), 'utf8'));
    const five = JSON.parse(reportA).execution;
    const six = JSON.parse(readFileSync(join(c, 'report.json'), 'utf8')).execution;
    expect(five.seed).toBe(5);
    expect(six.seed).toBe(6);
    expect(six.digest).not.toBe(five.digest);
  });

  it('writes to out/<scenario name> under the working directory when --out is omitted, with the same bytes', async () => {
    const cwd = freshDir('elsewhere');
    const run = await mmsim(['sim', CALM], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(listFiles(cwd)).toEqual(['out/calm/fills.csv', 'out/calm/metrics.prom', 'out/calm/orders.csv', 'out/calm/report.html', 'out/calm/report.json']);
    expect(run.stdout).toContain(join('out', 'calm', 'report.json'));
    // Nothing about the working directory leaks into the report or the page.
    expect(readFileSync(join(cwd, 'out/calm/report.json'), 'utf8')).toBe(readFileSync(join(calmOut, 'report.json'), 'utf8'));
    expect(readFileSync(join(cwd, 'out/calm/report.html'), 'utf8')).toBe(readFileSync(join(calmOut, 'report.html'), 'utf8'));
  });
});

describe('mmsim sim: bad input exits 2 with one line naming the file and the field', () => {
  it('a scenario file that does not exist', async () => {
    const file = join(tmp, 'no-such-dir', 'missing.yaml');
    const out = join(tmp, 'out-missing');
    expectBadInput(await mmsim(['sim', file, '--out', out]), [file, /cannot read|no such file|not found/i]);
    expect(existsSync(out)).toBe(false);
  });

  it('a YAML syntax error, with file:line:col', async () => {
    // Over-indenting a key under a scalar is a syntax error at that key or the line before it.
    const text = calmWith(/^ {2}tick_size: 0\.1$/m, '     tick_size: 0.1');
    const bad = lineOf(text, /^ {5}tick_size/);
    const file = writeScenario('syntax.yaml', text);
    const out = join(tmp, 'out-syntax');
    const run = await mmsim(['sim', file, '--out', out]);
    expectBadInput(run, [file]);
    const where = new RegExp(`${esc(file)}:(\\d+):(\\d+): \\S`).exec(run.stderr);
    expect(where, run.stderr).not.toBeNull();
    expect(Number(where?.[1])).toBeGreaterThanOrEqual(bad - 1);
    expect(Number(where?.[1])).toBeLessThanOrEqual(bad);
    expect(existsSync(out)).toBe(false);
  });

  it('schema violations: an unknown field and a wrong type, each with its dotted path and line', async () => {
    let text = calmWith(/^ {2}spread_bps: 2$/m, '  spred_bps: 2');
    text = text.replace(/^ {4}entry: .*$/m, '    entry: {dist: lognormal, median_ms: "5ms", sigma: 0.5}');
    const file = writeScenario('schema.yaml', text);
    const out = join(tmp, 'out-schema');
    const run = await mmsim(['sim', file, '--out', out]);
    // Several problems: one line each (at most five and an "and N more" line).
    expectBadInput(run, [file], 6);
    const lines = messageLines(run.stderr);
    const typo = lineOf(text, /^ {2}spred_bps/);
    const entry = lineOf(text, /^ {4}entry: /);
    expect(lines.find((l) => l.includes('"spred_bps"')), run.stderr).toMatch(new RegExp(`${esc(file)}:${typo}:\\d+: strategy: unknown field "spred_bps"`));
    expect(lines.find((l) => l.includes('median_ms')), run.stderr).toMatch(
      new RegExp(`${esc(file)}:${entry}:\\d+: exchange\\.latency\\.entry\\.median_ms: expected number, was "5ms"`),
    );
    for (const line of lines) expect(line).toMatch(/^(mmsim: )?\S+:\d+:\d+: |^and \d+ more/);
    expect(existsSync(out)).toBe(false);
  });

  it('a negative latency', async () => {
    const text = calmWith(/^ {4}entry: .*$/m, '    entry: {dist: constant, ms: -20}');
    const file = writeScenario('negative.yaml', text);
    const out = join(tmp, 'out-negative');
    expectBadInput(await mmsim(['sim', file, '--out', out]), [`${file}:${lineOf(text, /^ {4}entry: /)}:`, 'exchange.latency.entry.ms', '-20']);
    expect(existsSync(out)).toBe(false);
  });

  const unknownFlagOut = () => join(tmp, 'out-unknown-flag');
  const unknownFlag = once(() => ['sim', 'scenarios/calm.yaml', '--sedd', '3', '--out', unknownFlagOut()]);
  it('an unknown flag (--sedd 3)', async () => {
    expectBadInput(await unknownFlag(), [/Unknown argument: sedd/]);
  });
  it('an unknown flag (--sedd 3) does not run the scenario or write --out', async () => {
    const run = await unknownFlag();
    expect(run.stdout).toBe('');
    expect(existsSync(unknownFlagOut())).toBe(false);
  });

  const seedAbc = once(() => ['sim', 'scenarios/calm.yaml', '--seed', 'abc', '--out', join(tmp, 'out-seed-abc')]);
  it('a seed that is not a number (--seed abc)', async () => {
    expectBadInput(await seedAbc(), ['--seed']);
    expect(existsSync(join(tmp, 'out-seed-abc'))).toBe(false);
  });
  it('a seed that is not a number is quoted back as typed', async () => {
    expect((await seedAbc()).stderr).toContain('abc');
  });

  it('no command at all', async () => {
    expectBadInput(await mmsim([]), [/command/i]);
  });

  const noScenario = once(() => ['sim']);
  it('sim without a scenario', async () => {
    expectBadInput(await noScenario(), []);
  });
  it('sim without a scenario says that the scenario is missing', async () => {
    const { stderr } = await noScenario();
    expect(stderr).toMatch(/scenario/i);
    expect(stderr).not.toContain('undefined');
  });
});

describe('mmsim: help and unwritable output', () => {
  it('--help and sim --help exit 0 and describe --seed and --out', async () => {
    const [top, sim] = await Promise.all([mmsim(['--help']), mmsim(['sim', '--help'])]);
    expect(top.code, top.stderr).toBe(0);
    expect(top.stdout).toMatch(/mmsim sim <scenario>/);
    expect(sim.code, sim.stderr).toBe(0);
    expect(sim.stdout).toMatch(/--seed\s+\S/);
    expect(sim.stdout).toMatch(/--out\s+\S/);
    expect(sim.stderr).toBe('');
  });

  it('--out naming an existing regular file fails with one line, no stack trace, and leaves the file alone', async () => {
    const dir = freshDir('out-is-file');
    const file = join(dir, 'taken');
    writeFileSync(file, 'keep me\n');
    const run = await mmsim(['sim', 'scenarios/calm.yaml', '--quiet', '--out', file]);
    // A place the report cannot be written to is bad input: exit 2, one line naming it.
    expect(run.code).toBe(2);
    expect(run.stderr).not.toContain('internal error');
    expect(messageLines(run.stderr)).toHaveLength(1);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stderr).toContain(file);
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
    expect(listFiles(dir)).toEqual(['taken']);
  });
});
