// Hostile input through the real binary (child processes): one case or more per class of issue 16.
// Each asserts the exit code, one `mmsim:` line naming the file, field or flag, no stack trace, no file
// anywhere outside the output folder (every case runs in a sandbox of its own, two levels deep so that a
// `../../x` would still land inside it), no half-written output, and a time bound.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFilesInto } from '../../src/sim/run/atomic-write.ts';
import { mmsim } from '../support/cli.ts';
import type { CliRun } from '../support/cli.ts';
import { esc, expectOneError } from '../support/cli-errors.ts';
import { repoRoot } from '../support/run.ts';

const CALM = readFileSync(join(repoRoot, 'scenarios', 'calm.yaml'), 'utf8');
const REPLAY = readFileSync(join(repoRoot, 'scenarios', 'replay-binance-btcusdt.yaml'), 'utf8');
/** Every run ends well within this on a loaded machine (a hang, or the 136 s read of a gzip bomb, would not). */
const BOUND_MS = 30_000;

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mmsim-hostile-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

interface Sandbox {
  /** The case's own folder: nothing may appear in it but the inputs and the output folder. */
  readonly root: string;
  /** The working directory of the run (root/a/b). */
  readonly cwd: string;
  /** The output folder given with --out. */
  readonly out: string;
  /** Writes an input file into cwd; returns its path. */
  input(name: string, content: string | Buffer): string;
}

let n = 0;
function sandbox(): Sandbox {
  const root = join(tmp, `case-${++n}`);
  const cwd = join(root, 'a', 'b');
  mkdirSync(cwd, { recursive: true });
  const inputs = new Set<string>();
  return {
    root,
    cwd,
    out: join(cwd, 'o'),
    input(name, content) {
      const file = join(cwd, name);
      writeFileSync(file, content);
      inputs.add(file);
      return file;
    },
  };
}

/** Files (and links, FIFOs...) under dir, recursively. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

/** Nothing was written in the sandbox outside the output folder (inputs excepted), and no temp file anywhere. */
function expectNothingOutside(s: Sandbox, inputs: readonly string[]): void {
  const stray = listFiles(s.root).filter((f) => !inputs.includes(f) && !f.startsWith(`${s.out}/`));
  expect(stray.map((f) => relative(s.root, f))).toEqual([]);
  expect(listFiles(s.root).filter((f) => /\.tmp$/.test(f))).toEqual([]);
}

async function timed(args: readonly string[], s: Sandbox, env?: NodeJS.ProcessEnv): Promise<CliRun> {
  const start = performance.now();
  const run = await mmsim(args, { cwd: s.cwd, timeoutMs: 60_000, ...(env ? { env } : {}) });
  expect(performance.now() - start, `mmsim ${args.join(' ')} took too long`).toBeLessThan(BOUND_MS);
  return run;
}

/** Bad input: exit 2 and one line, nothing written (not even the output folder), within the bound. */
async function expectRefused(s: Sandbox, args: readonly string[], line: RegExp, inputs: readonly string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const run = await timed(args, s, env);
  const shown = expectOneError(run, line);
  expectNothingOutside(s, inputs);
  expect(listFiles(s.root).some((f) => f.startsWith(`${s.out}/`)), 'output written for bad input').toBe(false);
  return shown;
}

/** calm.yaml with a pattern replaced (fails loudly when calm.yaml no longer has it). */
function calmWith(pattern: RegExp, replacement: string, base = CALM): string {
  if (!pattern.test(base)) throw new Error(`scenarios/calm.yaml has no match for ${pattern}: update this test`);
  return base.replace(pattern, replacement);
}

/** A one-member zip archive (deflated) with any member name, built by hand. */
function zipOf(name: string, content: Buffer): Buffer {
  const data = deflateRawSync(content, { level: 1 });
  const nameBuf = Buffer.from(name);
  const crc = crc32(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(nameBuf.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(nameBuf.length, 28);
  const centralStart = local.length + nameBuf.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBuf.length, 12);
  end.writeUInt32LE(centralStart, 16);
  return Buffer.concat([local, nameBuf, data, central, nameBuf, end]);
}

/** The replay scenario reading `recording` instead of its own file. */
const replayOf = (recording: string): string => calmWith(/^ {2}path: .*$/m, `  path: ${JSON.stringify(recording)}`, REPLAY);

describe.concurrent('1. nothing is written outside the output folder', () => {
  it('a scenario name ../../x without --out is refused, naming the field; nothing lands two levels up', async () => {
    const s = sandbox();
    const file = s.input('s.yaml', calmWith(/^name: calm$/m, 'name: ../../x'));
    await expectRefused(s, ['sim', file], new RegExp(`^mmsim: ${esc(file)}:\\d+:\\d+: name: must be a plain name`), [file]);
    await expectRefused(s, ['soak', file, '--iterations', '1'], new RegExp(`${esc(file)}:\\d+:\\d+: name: `), [file]);
  });

  it('a variant named .. is refused, naming variants[0].name; --out "" is refused, naming --out', async () => {
    const s = sandbox();
    const file = s.input('s.yaml', `${CALM}\nvariants:\n  - {name: .., set: {seed: 3}}\n`);
    await expectRefused(s, ['sim', file, '--out', s.out], new RegExp(`${esc(file)}:\\d+:\\d+: variants\\[0\\]\\.name: must be a plain name`), [file]);
    const calm = s.input('calm.yaml', CALM);
    await expectRefused(s, ['sim', calm, '--out', ''], /^mmsim: --out: empty/, [file, calm]);
  });

  it('a link inside the output folder cannot lead a write out of it', async () => {
    const s = sandbox();
    const elsewhere = join(s.root, 'elsewhere');
    mkdirSync(elsewhere);
    mkdirSync(s.out);
    symlinkSync(elsewhere, join(s.out, 'v1'));
    await expect(writeFilesInto(s.out, [['v1/report.json', '{}']])).rejects.toThrow(/leads outside the output folder/);
    await expect(writeFilesInto(s.out, [['../report.json', '{}']])).rejects.toThrow(/is not a plain name/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});

describe.concurrent('2. counts are bounded before anything is allocated by them', () => {
  it('audit of ITER_SUMMARY_999999999999999.json is one line naming the file', async () => {
    const s = sandbox();
    const file = s.input('ITER_SUMMARY_999999999999999.json', '{}');
    await expectRefused(s, ['audit', s.cwd], new RegExp(`^mmsim: ${esc(file)}: a soak has at most 1000000 iterations$`), [file]);
  });

  it('--iterations 10000000000 and a manifest with "iterations": 1e15 are refused, naming the flag and the field', async () => {
    const s = sandbox();
    const file = s.input('s.yaml', CALM);
    await expectRefused(s, ['soak', file, '--iterations', '10000000000', '--out', s.out], /^mmsim: --iterations: at most 1000000, was 10000000000/, [file]);
    mkdirSync(s.out);
    const manifest = join(s.out, 'SOAK_MANIFEST.json');
    const text = `{\n  "schema": "mmsim/soak@1",\n  "scenario": "calm",\n  "scenario_sha256": "0",\n  "soak_seed": 7,\n  "iterations": 1e15,\n  "mmsim_version": "0.1.0"\n}\n`;
    writeFileSync(manifest, text);
    const run = await timed(['soak', file, '--resume', '--out', s.out], s);
    expectOneError(run, new RegExp(`^mmsim: ${esc(manifest)}:6:\\d+: iterations: must be at most 1000000`));
    expect(readFileSync(manifest, 'utf8')).toBe(text);
    expect(readdirSync(s.out)).toEqual(['SOAK_MANIFEST.json']);
  });
});

describe.concurrent('3. only regular files are read, and reading is capped', () => {
  it('a FIFO as scenario, report and recording; /dev/zero and /dev/urandom as recordings: refused at once', async () => {
    const s = sandbox();
    const fifo = join(s.cwd, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await expectRefused(s, ['sim', fifo, '--out', s.out], new RegExp(`^mmsim: ${esc(fifo)}: cannot read file \\(a FIFO`), [fifo]);
    await expectRefused(s, ['validate', fifo], new RegExp(`^mmsim: ${esc(fifo)}: cannot read file \\(a FIFO`), [fifo]);
    for (const recording of [fifo, '/dev/zero', '/dev/urandom']) {
      const file = s.input('r.yaml', replayOf(recording));
      const kind = recording === fifo ? 'a FIFO' : 'a device';
      await expectRefused(s, ['sim', file, '--out', s.out], new RegExp(`^mmsim: ${esc(recording)}: cannot read the recording \\(${kind}`), [fifo, file]);
    }
  });

  it('a gzip of 1 GiB of zeros stops at the line cap; with a larger line cap, at the unpacked-size cap', async () => {
    const s = sandbox();
    const member = gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 1 });
    const gz = s.input('zeros.gz', Buffer.concat(Array.from({ length: 64 }, () => member))); // 64 gzip members: 1 GiB unpacked
    const file = s.input('r.yaml', replayOf(gz));
    await expectRefused(s, ['sim', file, '--out', s.out], new RegExp(`^mmsim: ${esc(gz)}:1: the line is longer than 16 MiB \\(MMSIM_MAX_LINE_BYTES`), [gz, file]);
    const env = { MMSIM_MAX_LINE_BYTES: '2G', MMSIM_MAX_DECOMPRESSED_BYTES: '64M' };
    await expectRefused(s, ['sim', file, '--out', s.out], new RegExp(`^mmsim: ${esc(gz)}: the recording unpacks to more than 64 MiB`), [gz, file], env);
  });

  it('a 20 MB line inside a zip is read in linear time; a zip member named ../x is bad input naming the archive', async () => {
    const s = sandbox();
    const long = s.input('long.zip', zipOf('depth.txt', Buffer.from(`${'a'.repeat(20_000_000)}\n`)));
    const file = s.input('r.yaml', replayOf(long));
    // Raised cap: the whole line is joined and handed to the decoder, which then finds no depth data.
    const run = await timed(['sim', file, '--out', s.out], s, { MMSIM_MAX_LINE_BYTES: '64M' });
    expectOneError(run, new RegExp(`^mmsim: ${esc(long)}:`));
    const evil = s.input('evil.zip', zipOf('../x.txt', Buffer.from('{}\n')));
    const file2 = s.input('r2.yaml', replayOf(evil));
    await expectRefused(s, ['sim', file2, '--out', s.out], new RegExp(`^mmsim: ${esc(evil)}: not a readable zip archive \\(invalid relative path: \\.\\./x\\.txt\\)`), [long, file, evil, file2]);
  });
});

describe.concurrent('4. bad input is exit 2 and one line, never an internal error', () => {
  const cases: [string, RegExp, string, string][] = [
    ['a latency spike factor of 1e20', /^risk:/m, 'faults: [{kind: latency_spike, at: 1m, duration: 10s, factor: 1e20}]\nrisk:', 'faults[0].factor: must be at most 1000'],
    ['a market-order size sigma of 1e3', /sigma: 2\.2,/, 'sigma: 1e3,', 'market.market_orders.size_lots.sigma: must be at most 3'],
    ['a lognormal latency sigma of 1e3', /^ {4}entry: .*$/m, '    entry: {dist: lognormal, median_ms: 5, sigma: 1e3}', 'exchange.latency.entry.sigma: must be at most 3'],
    ['initial_mid: 1e-300', /initial_mid: 61800/, 'initial_mid: 1e-300', 'market.initial_mid: is 1.00e-299 ticks'], // 1e-300 USD in ticks of 0.1,
    ['a phase intensity of 1e6', /intensity: 0\.5\}/, 'intensity: 1e6}', 'market.phases[0].intensity: must be at most 1000'],
  ];
  for (const [what, pattern, replacement, message] of cases) {
    it(what, async () => {
      const s = sandbox();
      const file = s.input('s.yaml', calmWith(pattern, replacement));
      await expectRefused(s, ['sim', file, '--out', s.out], new RegExp(`^mmsim: ${esc(file)}:\\d+:\\d+: ${esc(message)}`), [file]);
    });
  }

  it('a repeated flag is one usage error naming it', async () => {
    const s = sandbox();
    const file = s.input('s.yaml', CALM);
    for (const flag of ['--seed', '--out', '--metrics-port']) {
      await expectRefused(s, ['sim', file, flag, '1', flag, '2'], new RegExp(`^mmsim: ${flag} given 2 times \\("1", "2"\\): give it once$`), [file]);
    }
    await expectRefused(s, ['soak', file, '--iterations', '2', '--iterations', '3', '--out', s.out], /^mmsim: --iterations given 2 times/, [file]);
  });

  it('a soak manifest that is a directory is bad input naming it', async () => {
    const s = sandbox();
    const file = s.input('s.yaml', CALM);
    mkdirSync(join(s.out, 'SOAK_MANIFEST.json'), { recursive: true });
    const run = await timed(['soak', file, '--resume', '--out', s.out], s);
    expectOneError(run, new RegExp(`^mmsim: ${esc(join(s.out, 'SOAK_MANIFEST.json'))}: cannot read file \\(EISDIR`));
    expect(statSync(join(s.out, 'SOAK_MANIFEST.json')).isDirectory()).toBe(true);
  });
});

describe.concurrent('5. errors come early and name the field', () => {
  it('heartbeat: 1us is refused before the run, naming exchange.heartbeat and run.max_events', async () => {
    const s = sandbox();
    const file = s.input('s.yaml', calmWith(/^ {2}fees: /m, '  heartbeat: 1us\n  fees: '));
    const line = await expectRefused(s, ['sim', file, '--out', s.out], new RegExp(`^mmsim: ${esc(file)}:\\d+:\\d+: exchange\\.heartbeat: the run needs at least`), [file]);
    expect(line).toContain('run.max_events');
  });

  it('a replay stopped by run.max_events names the scenario file and run.max_events', async () => {
    const s = sandbox();
    const recording = join(repoRoot, '..', 'shared', 'data', 'binance-usdm-btcusdt-20240808.gz');
    const file = s.input('r.yaml', `${replayOf(recording)}\nrun: {max_events: 1000}\n`);
    await expectRefused(s, ['sim', file, '--out', s.out], new RegExp(`^mmsim: ${esc(file)}: run\\.max_events: the run reached its limit of 1,000 events`), [file]);
  });

  it('1e309, .nan and .inf are "not a finite number"', async () => {
    const s = sandbox();
    for (const value of ['1e309', '.nan', '.inf']) {
      const file = s.input('s.yaml', calmWith(/rate_per_s: 15\.77/, `rate_per_s: ${value}`));
      await expectRefused(s, ['sim', file, '--out', s.out], new RegExp(`^mmsim: ${esc(file)}:\\d+:\\d+: market\\.market_orders\\.rate_per_s: not a finite number`), [file]);
    }
  });

  it('a bare NaN in a report and a BOM in a soak summary are one line with line and column', async () => {
    const s = sandbox();
    const report = s.input('report.json', '{\n  "summary": NaN\n}\n');
    await expectRefused(s, ['validate', report], new RegExp(`^mmsim: ${esc(report)}:2:14: not valid JSON \\(NaN is not a number in JSON`), [report]);
    const summary = s.input('ITER_SUMMARY_1.json', '\ufeff{"summary": {}}');
    await expectRefused(s, ['audit', s.cwd], new RegExp(`^mmsim: ${esc(summary)}:1:1: not valid JSON \\(a byte-order mark`), [report, summary]);
  });
});

describe.concurrent('6. no silent surprises', () => {
  it('size_usd below half a lot is refused; repeated markout_horizons are refused', async () => {
    const s = sandbox();
    const small = s.input('small.yaml', calmWith(/size_usd: 300/, 'size_usd: 5'));
    await expectRefused(s, ['sim', small, '--out', s.out], new RegExp(`^mmsim: ${esc(small)}:\\d+:\\d+: strategy\\.size_usd: 5 USD is less than half a lot`), [small]);
    const twice = s.input('twice.yaml', calmWith(/^risk:/m, 'pnl: {markout_horizons: [1s, 100ms, 1s]}\nrisk:'));
    await expectRefused(s, ['sim', twice, '--out', s.out], new RegExp(`^mmsim: ${esc(twice)}:\\d+:\\d+: pnl\\.markout_horizons\\[2\\]: repeats markout_horizons\\[0\\]`), [small, twice]);
  });
});
