// Bad scenario input through the real CLI (`main`, as bin/mmsim.js calls it; one case also in a child
// process): exit code 2, one line on stderr that names the scenario file and the field path (or the CSV
// file and line), no stack trace, and no output directory written. Each case is calm.yaml with one
// thing broken.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { esc, expectOneError } from '../support/cli-errors.ts';
import { repoRoot } from '../support/run.ts';

const CALM = join(repoRoot, 'scenarios', 'calm.yaml');
const BAD_CELL_CSV = join(repoRoot, 'tests', 'fixtures', 'latency', 'bad-cell.csv');

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mmsim-bad-input-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `main(args)` in this process, with stdout and stderr captured. */
async function mmsim(args: readonly string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const capture = (append: (s: string) => void) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof process.stdout.write;
  vi.spyOn(process.stdout, 'write').mockImplementation(capture((s) => (stdout += s)));
  vi.spyOn(process.stderr, 'write').mockImplementation(capture((s) => (stderr += s)));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

/** `node bin/mmsim.js args` in a child process. */
function mmsimChild(args: readonly string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.MMSIM_DEBUG;
  return new Promise((done, fail) => {
    execFile(process.execPath, [join(repoRoot, 'bin', 'mmsim.js'), ...args], { cwd: tmp, env, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return fail(err);
      done({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
  });
}

/** calm.yaml with each pattern replaced and `append` added; fails loudly when calm.yaml no longer has a pattern. */
function calmWith(edits: readonly [RegExp, string][], append = ''): string {
  let text = readFileSync(CALM, 'utf8');
  for (const [pattern, replacement] of edits) {
    if (!pattern.test(text)) throw new Error(`scenarios/calm.yaml has no match for ${pattern}: update this test`);
    text = text.replace(pattern, replacement);
  }
  return text + append;
}

/** A five-minute calm.yaml (the fault cases place faults against its end). */
const FIVE_MINUTES: [RegExp, string] = [/\{name: calm, duration: 10m,/, '{name: calm, duration: 5m,'];

let n = 0;
/** Writes the scenario into a folder of its own; returns its path and an --out path beside it. */
function scenario(name: string, text: string): { file: string; out: string; dir: string } {
  const dir = join(tmp, `${++n}-${name}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return { file, out: join(dir, 'out'), dir };
}

/** Exit 2, one `mmsim: ` line matching `line`, no stack trace or internal error, nothing written to `out`. */
function expectRejected(run: Run, out: string, line: RegExp): void {
  expectOneError(run, line);
  expect(existsSync(out), `${out} was written`).toBe(false);
}

/** `file:LINE:COL: path: ` at the start of the message, the path given literally. */
const at = (file: string, path: string) => new RegExp(`^mmsim: ${esc(file)}:\\d+:\\d+: ${esc(path)}: `);

describe('mmsim sim rejects bad scenario input with exit 2 and one line naming the file and field', () => {
  it('a negative latency: exchange.latency.entry.median_ms: -5', async () => {
    const s = scenario('negative-latency', calmWith([[/^ {4}entry: .*$/m, '    entry: {dist: lognormal, median_ms: -5, sigma: 0.5}']]));
    const run = await mmsim(['sim', s.file, '--out', s.out]);
    expectRejected(run, s.out, at(s.file, 'exchange.latency.entry.median_ms'));
    expect(run.stderr).toContain('-5');
  });

  it('a probability above 1: faults[0].probability: 1.5', async () => {
    const s = scenario('probability', calmWith([], 'faults:\n  - {kind: reject_storm, at: 1m, duration: 10s, probability: 1.5}\n'));
    const run = await mmsim(['sim', s.file, '--out', s.out]);
    expectRejected(run, s.out, at(s.file, 'faults[0].probability'));
    expect(run.stderr).toContain('1.5');
  });

  it('a fault that starts after the run: at 10m in a 5 min run names faults[0].at', async () => {
    const s = scenario('fault-at', calmWith([FIVE_MINUTES], 'faults:\n  - {kind: disconnect, at: 10m, duration: 5s}\n'));
    const run = await mmsim(['sim', s.file, '--out', s.out]);
    expectRejected(run, s.out, at(s.file, 'faults[0].at'));
    expect(run.stderr).toMatch(/300 ?s/); // the run's end
  });

  it('a fault that runs past the end: 4m + 2m in a 5 min run names faults[0].duration', async () => {
    const s = scenario('fault-duration', calmWith([FIVE_MINUTES], 'faults:\n  - {kind: disconnect, at: 4m, duration: 2m}\n'));
    const run = await mmsim(['sim', s.file, '--out', s.out]);
    expectRejected(run, s.out, at(s.file, 'faults[0].duration'));
  });

  it('an unknown queue model: queue_model: fifo', async () => {
    const s = scenario('queue-model', calmWith([[/^( {2}fees: .*)$/m, '$1\n  queue_model: fifo']]));
    const run = await mmsim(['sim', s.file, '--out', s.out]);
    expectRejected(run, s.out, at(s.file, 'exchange.queue_model'));
    expect(run.stderr).toContain('"fifo"');
    expect(run.stderr).toContain('risk_averse');
  });

  it('an unknown fault kind: kind: meteor', async () => {
    const s = scenario('fault-kind', calmWith([], 'faults:\n  - {kind: meteor, at: 1m, duration: 10s}\n'));
    const run = await mmsim(['sim', s.file, '--out', s.out]);
    expectRejected(run, s.out, at(s.file, 'faults[0].kind'));
    expect(run.stderr).toContain('"meteor"');
    expect(run.stderr).toContain('disconnect');
  });

  it('an unknown latency distribution: dist: gamma', async () => {
    const s = scenario('latency-dist', calmWith([[/^ {4}entry: .*$/m, '    entry: {dist: gamma, ms: 5}']]));
    const run = await mmsim(['sim', s.file, '--out', s.out]);
    expectRejected(run, s.out, at(s.file, 'exchange.latency.entry.dist'));
    expect(run.stderr).toContain('"gamma"');
    expect(run.stderr).toContain('lognormal');
  });

  it('two faults of the same kind that overlap name the second one', async () => {
    const faults = 'faults:\n  - {kind: disconnect, at: 1m, duration: 30s}\n  - {kind: disconnect, at: 70s, duration: 30s}\n';
    const s = scenario('overlap', calmWith([], faults));
    const run = await mmsim(['sim', s.file, '--out', s.out]);
    expectRejected(run, s.out, at(s.file, 'faults[1].at'));
    expect(run.stderr).toMatch(/overlaps fault 0/);
  });

  it('an empirical latency CSV with a bad cell names the CSV file and line (also in a child process)', async () => {
    const s = scenario('csv', calmWith([[/^ {4}response: .*$/m, '    response: {dist: empirical, file: latency.csv}']]));
    const csv = join(s.dir, 'latency.csv');
    copyFileSync(BAD_CELL_CSV, csv);
    const badLine = readFileSync(csv, 'utf8').split('\n').indexOf('12ms') + 1;
    expect(badLine, 'the fixture has its bad cell "12ms" on a line of its own').toBeGreaterThan(0);
    const where = new RegExp(`^mmsim: ${esc(csv)}:${badLine}: .*"12ms"`);
    expectRejected(await mmsim(['sim', s.file, '--out', s.out]), s.out, where);
    // The real binary: the process itself exits 2.
    expectRejected(await mmsimChild(['sim', s.file, '--out', s.out]), s.out, where);
  });
});
