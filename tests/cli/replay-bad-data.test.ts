// Bad replay data through the real CLI (child processes of bin/mmsim.js), on small hand-made recordings
// written to a temporary folder. The contract (DESIGN.md, "Command line"; docs/replay.md): a recording the
// replay cannot go on with is bad input, exit 2 with one line naming the file and the line (or the scenario
// field), never a stack trace, a hang or a half-written output; a bad line the replay survives is counted in
// report.json (market.files[i].anomalies.<kind> = {count, first_line}, market.crossed_books,
// market.out_of_order, market.time_clamped), never a crash or a silent skip.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esc, expectOneError } from '../support/cli-errors.ts';
import { listFiles } from '../support/files.ts';
import { mmsim } from '../support/cli.ts';
import type { CliRun } from '../support/cli.ts';



/** Runs a command once, however many tests look at its result. */
function once(run: () => Promise<CliRun>): () => Promise<CliRun> {
  let result: Promise<CliRun> | undefined;
  return () => (result ??= run());
}

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mmsim-replay-bad-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A fresh directory for one case: its scenario, its recording and its `out`. */
function caseDir(name: string): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

// ---------------------------------------------------------------------------------------------------------
// A Binance USD-M recording, as hftbacktest's collector writes it: `<local receive time, ns> <raw JSON>`.

/** Exchange time of the first message, ms since the epoch (2024-08-08 23:54:16 UTC). */
const E0 = 1_723_161_256_000;
/** The recorder receives everything this long after the exchange stamped it. */
const LAG_MS = 5;
/** Local receive time as 19 ns digits, `ms` after E0 on the exchange's clock (plus LAG_MS). */
const ns = (ms: number): string => ((BigInt(E0 + ms + LAG_MS) * 1_000_000n) + 123n).toString();

type Lv = [string, string][];

/** A recording being written: its lines, and the 1-based line number of each line worth naming. */
class Recording {
  readonly lines: string[] = [];
  private readonly marks = new Map<string, number>();

  /** Appends a line; returns its 1-based number, also kept under `mark`. */
  add(text: string, mark?: string): number {
    this.lines.push(text);
    const n = this.lines.length;
    if (mark !== undefined) {
      if (this.marks.has(mark)) throw new Error(`mark ${mark} used twice`);
      this.marks.set(mark, n);
    }
    return n;
  }

  line(mark: string): number {
    const n = this.marks.get(mark);
    if (n === undefined) throw new Error(`no line marked ${mark}`);
    return n;
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

interface DiffData {
  U: number;
  u: number;
  pu: number;
  b: Lv;
  a: Lv;
}

/** A diff of the `btcusdt@depth@0ms` stream in its combined-stream wrapper, stamped `ms` after E0. */
const diffLine = (ms: number, d: DiffData): string =>
  `${ns(ms)} ${JSON.stringify({
    stream: 'btcusdt@depth@0ms',
    data: { e: 'depthUpdate', E: E0 + ms, T: E0 + ms - 1, s: 'BTCUSDT', U: d.U, u: d.u, pu: d.pu, b: d.b, a: d.a },
  })}`;

/** The REST depth snapshot (`GET /fapi/v1/depth`), written by the recorder as a line of its own. */
const snapshotLine = (ms: number, lastUpdateId: number, bids: Lv, asks: Lv): string =>
  `${ns(ms)} ${JSON.stringify({ lastUpdateId, E: E0 + ms, T: E0 + ms - 1, bids, asks })}`;

/** A futures trade; `sell` aggressor means the buyer was the maker (m: true). `localMs` defaults to `ms`. */
const tradeLine = (ms: number, price: string, aggressor: 'buy' | 'sell', opts: { localMs?: number; symbol?: string; id?: number } = {}): string => {
  const symbol = opts.symbol ?? 'BTCUSDT';
  return `${ns(opts.localMs ?? ms)} ${JSON.stringify({
    stream: `${symbol.toLowerCase()}@trade`,
    data: { e: 'trade', E: E0 + ms, T: E0 + ms, s: symbol, t: opts.id ?? ms, p: price, q: '0.005', X: 'MARKET', m: aggressor === 'sell' },
  })}`;
};

const tickerLine = (ms: number, bid: string, bidQty: string, ask: string, askQty: string): string =>
  `${ns(ms)} ${JSON.stringify({
    stream: 'btcusdt@bookTicker',
    data: { e: 'bookTicker', u: 0, s: 'BTCUSDT', b: bid, B: bidQty, a: ask, A: askQty, T: E0 + ms, E: E0 + ms },
  })}`;

/** Steps of the clean recording, 200 ms apart: each one a diff, a trade and a bookTicker. */
const STEPS = 15;
const STEP_MS = 200;
/** The snapshot's lastUpdateId; the first diff (U 998, u 1001) bridges it. */
const SNAPSHOT_ID = 1000;

interface RecordingHooks {
  /** Changes diff `i` (levels, ids) before it is written; the next diff chains from its `u` as written. */
  diff?: (i: number, d: DiffData) => void;
  /** Writes extra lines after step `i`. */
  after?: (i: number, rec: Recording) => void;
}

/**
 * Three seconds of BTCUSDT: a snapshot (61800.0 / 61800.1, three levels a side), then STEPS steps of a diff
 * changing the size at the best bid and ask (pu chained), a trade at the touch and a bookTicker that agrees
 * with the rebuilt book. Exchange times never go backwards in file order.
 */
function binanceRecording(hooks: RecordingHooks = {}): Recording {
  const rec = new Recording();
  rec.add(
    snapshotLine(0, SNAPSHOT_ID, [['61800.0', '1.000'], ['61799.9', '2.000'], ['61799.8', '3.000']], [['61800.1', '1.000'], ['61800.2', '2.000'], ['61800.3', '3.000']]),
    'snapshot',
  );
  let prevU = 997;
  for (let i = 0; i < STEPS; i++) {
    const t = i * STEP_MS;
    const qty = (1 + i / 10).toFixed(3);
    const d: DiffData = { U: prevU + 1, u: prevU + 4, pu: prevU, b: [['61800.0', qty]], a: [['61800.1', qty]] };
    hooks.diff?.(i, d);
    rec.add(diffLine(t + 10, d), `diff${i}`);
    prevU = d.u;
    rec.add(i % 2 === 0 ? tradeLine(t + 30, '61800.0', 'sell') : tradeLine(t + 30, '61800.1', 'buy'), `trade${i}`);
    rec.add(tickerLine(t + 60, '61800.0', qty, '61800.1', qty), `ticker${i}`);
    hooks.after?.(i, rec);
  }
  return rec;
}

/** The exchange time (ms after E0) of the clean recording's last line, its last step's ticker. */
const LAST_MS = (STEPS - 1) * STEP_MS + 60;

// ---------------------------------------------------------------------------------------------------------
// Scenarios: the layout of scenarios/replay-binance-btcusdt.yaml with the market section given.

/** A replay scenario whose `market:` section has these lines (indented by two). */
function replayScenario(name: string, market: readonly string[]): string {
  return `# ${name}: written by tests/cli/replay-bad-data.test.ts
name: ${name}
seed: 7

instrument:
  symbol: BTCUSDT
  tick_size: 0.1
  lot_size: 0.001

market:
  source: replay
${market.map((l) => `  ${l}`).join('\n')}

exchange:
  latency:
    entry: {dist: lognormal, median_ms: 12, sigma: 0.5}
    response: {dist: lognormal, median_ms: 6, sigma: 0.4}
    feed: {dist: constant, ms: 0}
  fees: {maker_bps: -0.5, taker_bps: 4.5}
  min_size_lots: 1
  min_notional_usd: 100
  price_band_bps: 500
  queue_model: {model: power, n: 2}

strategy:
  levels: 2
  spread_bps: 2
  level_step_bps: 1
  size_usd: 400
  skew_bps: 2
  refresh: 1s
  requote_threshold_bps: 0.5

risk:
  max_position_usd: 4000
  max_total_notional_usd: 6000
  freeze_cooldown: 10s

pnl:
  markout_horizons: [100ms, 1s, 10s]
  adverse_horizon: 1s
`;
}

const binanceMarket = (path: string): string[] => [
  'format: binance_usdm',
  `path: ${path}   # relative to this file`,
  'symbol: BTCUSDT',
  'feed_latency: recorded',
  'recorded_base: 1ms',
];

interface Case {
  scenario: string;
  /** The recording's absolute path, as error messages name it. */
  data: string;
  out: string;
}

/** Writes `data` (a recording's bytes) as `file` and a Binance USD-M scenario reading it, in a folder of their own. */
function binanceCase(name: string, file: string, data: string | Buffer | undefined): Case {
  const dir = caseDir(name);
  if (data !== undefined) writeFileSync(join(dir, file), data);
  const scenario = join(dir, 'scenario.yaml');
  writeFileSync(scenario, replayScenario(name, binanceMarket(file)));
  return { scenario, data: join(dir, file), out: join(dir, 'out') };
}

const sim = (c: Case): Promise<CliRun> => mmsim(['sim', c.scenario, '--quiet', '--out', c.out]);

/** The part of report.json these tests read. */
interface MarketReport {
  market: Record<string, unknown> & { files: Array<Record<string, unknown>> };
}

function report(out: string): MarketReport {
  return JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as MarketReport;
}

/** `mmsim: <file>:<line>: ` at the start of the message. */
const atLine = (file: string, line: number) => new RegExp(`^mmsim: ${esc(file)}:${line}: \\S`);

// ---------------------------------------------------------------------------------------------------------

describe('a clean recording', () => {
  const rec = binanceRecording();
  let c: Case;
  const run = once(() => sim(c));
  beforeAll(() => {
    c = binanceCase('clean', 'btcusdt.txt', rec.text());
  });

  it('runs to the end: exit 0, nothing on stderr, report.json, metrics.prom, fills.csv, orders.csv and report.html written', async () => {
    const r = await run();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(listFiles(c.out)).toEqual(['fills.csv', 'metrics.prom', 'orders.csv', 'report.html', 'report.json']);
  });

  it("report.json's market section counts every line: nothing skipped, nothing out of order, the book as the tickers say", async () => {
    expect((await run()).code).toBe(0);
    const { market } = report(c.out);
    expect(market).toMatchObject({
      source: 'replay',
      format: 'binance_usdm',
      symbol: 'BTCUSDT',
      path: ['btcusdt.txt'],
      feed_latency: 'recorded',
      quantity_unit: 'base',
      recorded_base_ms: 1,
      start_unix_us: E0 * 1000,
      end_unix_us: (E0 + LAST_MS) * 1000,
      book_updates: STEPS + 1, // the snapshot and every diff
      snapshots: 1,
      trades: STEPS,
      traded_lots: STEPS * 5, // 0.005 BTC in 0.001 lots
      tickers: STEPS,
      // Every diff after the first ticker is checked against the latest ticker, and agrees with it.
      bbo_checks: STEPS - 1,
      bbo_matches: STEPS - 1,
      crossed_books: null,
      out_of_order: { book: 0, trade: 0, ticker: 0 },
      time_clamped: { count: 0, max_us: 0 },
      recorder_offset_us: LAG_MS * 1000,
    });
    expect(market.files).toEqual([
      { path: 'btcusdt.txt', lines: 1 + 3 * STEPS, messages: { snapshot: 1, depth: STEPS, trade: STEPS, bookTicker: STEPS }, anomalies: {} },
    ]);
    expect(market.final_mid).toBeCloseTo(61800.05, 6);
  });
});

describe('bad lines the replay survives are counted with their first line, and the run completes', () => {
  // One recording with each kind of bad line, each at a known line.
  const rec = binanceRecording({
    after: (i, r) => {
      if (i === 0) r.add(`${ns(100)} {"result":null,"id":1}`, 'control'); // a subscription ack
      if (i === 1) r.add(`${ns(300)} {"stream":"btcusdt@trade","data":{"e":"trade","E":${E0 + 300},"s":"BTCU`, 'malformed'); // cut short
      if (i === 2) r.add(`${ns(500)} ${JSON.stringify({ stream: 'btcusdt@markPrice', data: { e: 'somethingElse', E: E0 + 500, s: 'BTCUSDT' } })}`, 'unknown');
      if (i === 3) r.add(tradeLine(700, '3021.55', 'buy', { symbol: 'ETHUSDT' }), 'other');
      if (i === 4) r.add('', 'blank');
      // A trade stamped 50 ms before the trade just before it (received in order: local times go forward).
      if (i === 8) r.add(tradeLine(8 * STEP_MS + 30 - 50, '61800.0', 'sell', { localMs: 8 * STEP_MS + 40, id: 99_999 }), 'late');
    },
    // Diff 5 sets a bid above the best ask (61800.1); diff 6 removes it again.
    diff: (i, d) => {
      if (i === 5) d.b.push(['61800.3', '0.500']);
      if (i === 6) d.b.push(['61800.3', '0']);
    },
  });
  let c: Case;
  const run = once(() => sim(c));
  beforeAll(() => {
    c = binanceCase('survivable', 'btcusdt.txt', rec.text());
  });

  it('exits 0 with nothing on stderr', async () => {
    const r = await run();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('a malformed line, an unknown event type, another symbol, a control and a blank line: each counted once with its line', async () => {
    expect((await run()).code).toBe(0);
    const file = report(c.out).market.files[0]!;
    expect(file.lines).toBe(rec.lines.length);
    expect(file.anomalies).toEqual({
      control: { count: 1, first_line: rec.line('control') },
      malformed: { count: 1, first_line: rec.line('malformed') },
      unknown_message: { count: 1, first_line: rec.line('unknown') },
      other_symbol: { count: 1, first_line: rec.line('other') },
      blank: { count: 1, first_line: rec.line('blank') },
    });
    // The other symbol's trade and the bad lines are not messages of BTCUSDT.
    expect(file.messages).toEqual({ snapshot: 1, depth: STEPS, trade: STEPS + 1, bookTicker: STEPS });
  });

  it('a diff that crosses the book is counted in market.crossed_books with its line', async () => {
    expect((await run()).code).toBe(0);
    const { market } = report(c.out);
    expect(market.crossed_books).toEqual({ count: 1, first_line: rec.line('diff5') });
    expect(market.book_updates).toBe(STEPS + 1);
    // The crossed book disagrees with the ticker once; the diff that uncrosses it agrees again.
    expect(market.bbo_checks).toBe(STEPS - 1);
    expect(market.bbo_matches).toBe(STEPS - 2);
  });

  it('a trade stamped before the previous trade is counted in market.out_of_order and put back in place by the reorder window (not clamped)', async () => {
    expect((await run()).code).toBe(0);
    const { market } = report(c.out);
    expect(market.out_of_order).toEqual({ book: 0, trade: 1, ticker: 0 });
    // It is 80 ms behind the line before it (step 8's ticker), inside the default 250 ms window: it runs at its
    // own time, before step 8's diff (earlier, this line was run late at the ticker's time and counted clamped).
    expect(market.reorder_window_ms).toBe(250);
    expect(market.time_reordered).toBe(1);
    expect(market.time_clamped).toEqual({ count: 0, max_us: 0 });
    expect(market.trades).toBe(STEPS + 1); // the late trade still runs
  });
});

describe('a sequence gap with no later snapshot: exit 2 naming the file and the line, no report', () => {
  // Diff 7's pu is not diff 6's u: updates are missing, and nothing later resyncs the book.
  const rec = binanceRecording({
    diff: (i, d) => {
      if (i === 7) d.pu -= 2;
    },
  });
  let c: Case;
  const run = once(() => sim(c));
  beforeAll(() => {
    c = binanceCase('gap', 'btcusdt.txt', rec.text());
  });

  it('one line: <file>:<line of the gap>: sequence gap ... no later snapshot', async () => {
    const line = expectOneError(await run(), atLine(c.data, rec.line('diff7')));
    expect(line).toMatch(/sequence gap: pu \d+ != previous u \d+; the file has no later snapshot/);
  });

  it('writes nothing: no out folder, no report.json', async () => {
    expect((await run()).code).toBe(2);
    expect(existsSync(join(c.out, 'report.json'))).toBe(false);
    expect(existsSync(c.out)).toBe(false);
  });

  it("leaves an earlier run's outputs in the out folder as they were", async () => {
    // An earlier run of a clean recording into the folder, then the recording with the gap in its place.
    const earlier = binanceCase('gap-over-earlier-run', 'btcusdt.txt', binanceRecording().text());
    const first = await sim(earlier);
    expect(first.code, first.stderr).toBe(0);
    const files = ['fills.csv', 'metrics.prom', 'orders.csv', 'report.html', 'report.json'];
    expect(listFiles(earlier.out)).toEqual(files);
    const before = files.map((f) => readFileSync(join(earlier.out, f), 'utf8'));
    writeFileSync(earlier.data, rec.text());
    expectOneError(await sim(earlier), atLine(earlier.data, rec.line('diff7')));
    expect(listFiles(earlier.out), 'no file added, no temporary file left').toEqual(files);
    files.forEach((f, i) => expect(readFileSync(join(earlier.out, f), 'utf8'), f).toBe(before[i]));
  });
});

describe('a sequence gap followed by a later snapshot: the book resyncs and the run completes', () => {
  // Diff 7 breaks the pu chain; diffs 7 to 9 wait for a snapshot; the one after step 9 (lastUpdateId diff 9's
  // u, the book as it then is) drops diffs 7 and 8 as older than itself and is bridged by diff 9.
  let u9 = 0;
  const rec = binanceRecording({
    diff: (i, d) => {
      if (i === 7) d.pu -= 2;
      if (i === 9) u9 = d.u;
    },
    after: (i, r) => {
      if (i !== 9) return;
      const qty = (1 + i / 10).toFixed(3);
      r.add(snapshotLine(i * STEP_MS + 70, u9, [['61800.0', qty], ['61799.9', '2.000'], ['61799.8', '3.000']], [['61800.1', qty], ['61800.2', '2.000'], ['61800.3', '3.000']]), 'resnapshot');
    },
  });
  let c: Case;
  const run = once(() => sim(c));
  beforeAll(() => {
    c = binanceCase('gap-resync', 'btcusdt.txt', rec.text());
  });

  it('exits 0 with nothing on stderr', async () => {
    const r = await run();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('counts the gap, the diffs the new snapshot covers, and the resync, each with its line', async () => {
    expect((await run()).code).toBe(0);
    const { market } = report(c.out);
    expect(market.files[0]!.anomalies).toEqual({
      sequence_gap: { count: 1, first_line: rec.line('diff7') },
      stale_diff: { count: 2, first_line: rec.line('diff7') },
      resync: { count: 1, first_line: rec.line('resnapshot') },
    });
    expect(market.files[0]!.messages).toEqual({ snapshot: 2, depth: STEPS, trade: STEPS, bookTicker: STEPS });
    expect(market.snapshots).toBe(2);
    // Both snapshots, diffs 0-6, and diffs 9 to the end; diffs 7 and 8 are never applied.
    expect(market.book_updates).toBe(2 + 7 + (STEPS - 9));
    expect(market.trades).toBe(STEPS); // trades go on while the book is out of sync
    expect(market.crossed_books).toBeNull();
  });
});

describe('a price off the instrument tick grid: exit 2 naming the file and the line', () => {
  const rec = binanceRecording({
    diff: (i, d) => {
      if (i === 4) d.b.push(['61800.05', '0.200']);
    },
  });
  let c: Case;
  const run = once(() => sim(c));
  beforeAll(() => {
    c = binanceCase('off-tick', 'btcusdt.txt', rec.text());
  });

  it('one line: <file>:<line>: price 61800.05 is not a multiple of instrument.tick_size 0.1', async () => {
    const line = expectOneError(await run(), atLine(c.data, rec.line('diff4')));
    expect(line).toContain('61800.05');
    expect(line).toContain('tick_size 0.1');
  });

  it('writes nothing', async () => {
    expect((await run()).code).toBe(2);
    expect(existsSync(c.out)).toBe(false);
  });
});

describe('a recording that is not there, or holds nothing for the symbol: exit 2 with one clear line', () => {
  it('a missing file is named, with the path the scenario resolves to', async () => {
    const c = binanceCase('missing', 'no-such-recording.txt', undefined);
    const line = expectOneError(await sim(c), new RegExp(`^mmsim: ${esc(c.data)}: `));
    expect(line).toMatch(/no such file/);
    expect(existsSync(c.out)).toBe(false);
  });

  it('a path that is a folder is named, not an internal error', async () => {
    const c = binanceCase('folder', 'recordings', undefined);
    mkdirSync(c.data);
    const line = expectOneError(await sim(c), new RegExp(`^mmsim: ${esc(c.data)}: `));
    expect(line).toMatch(/cannot read the recording \(a directory/);
    expect(existsSync(c.out)).toBe(false);
  });

  it('a recording of ETHUSDT only, replayed for BTCUSDT, says there is nothing for BTCUSDT in that file', async () => {
    const eth = binanceRecording().text().replaceAll('BTCUSDT', 'ETHUSDT').replaceAll('btcusdt@', 'ethusdt@');
    const c = binanceCase('other-symbol-only', 'ethusdt.txt', eth);
    const line = expectOneError(await sim(c), new RegExp(`^mmsim: ${esc(c.data)}:\\d+: `));
    expect(line).toMatch(/no BTCUSDT depth diffs/);
    expect(existsSync(c.out)).toBe(false);
  });
});

describe('scenario errors in a replay market section: exit 2 naming the scenario field', () => {
  /** A scenario with these market lines; its out folder must stay unwritten. */
  async function rejected(name: string, market: string[], field: string): Promise<{ line: string; file: string; text: string }> {
    const dir = caseDir(name);
    const file = join(dir, 'scenario.yaml');
    const text = replayScenario(name, market);
    writeFileSync(file, text);
    const out = join(dir, 'out');
    const line = expectOneError(await mmsim(['sim', file, '--out', out]), new RegExp(`^mmsim: ${esc(file)}:\\d+:\\d+: ${esc(field)}: \\S`));
    expect(existsSync(out)).toBe(false);
    return { line, file, text };
  }
  /** The 1-based line of the scenario text that starts with `  <key>:` in the market section. */
  const keyLine = (text: string, key: string) => text.split('\n').findIndex((l) => l.startsWith(`  ${key}:`)) + 1;

  it('feed_latency: recorded with format bybit_ob500 (no receive times) names market.feed_latency, at its line', async () => {
    const { line, file, text } = await rejected(
      'ob500-recorded',
      ['format: bybit_ob500', 'path: xrpusdt.data.zip', 'symbol: XRPUSDT', 'feed_latency: recorded'],
      'market.feed_latency',
    );
    expect(line).toMatch(new RegExp(`^mmsim: ${esc(file)}:${keyLine(text, 'feed_latency')}:`));
    expect(line).toContain('bybit_ob500');
    expect(line).toMatch(/feed_latency: model/);
  });

  it('an unknown format names market.format and lists the formats', async () => {
    const { line } = await rejected('unknown-format', ['format: kraken_l3', 'path: x.txt', 'symbol: BTCUSDT'], 'market.format');
    expect(line).toContain('kraken_l3');
    for (const f of ['binance_usdm', 'binance_coinm', 'binance_spot', 'bybit_ob500', 'bybit_v2', 'tardis']) expect(line).toContain(f);
  });

  it('two paths with a non-tardis format names market.path', async () => {
    const { line, file, text } = await rejected('two-paths', ['format: binance_usdm', 'path: [a.txt, b.txt]', 'symbol: BTCUSDT'], 'market.path');
    expect(line).toMatch(new RegExp(`^mmsim: ${esc(file)}:${keyLine(text, 'path')}:`));
    expect(line).toContain('binance_usdm');
    expect(line).toContain('tardis');
  });
});

describe('a truncated gzip recording: exit 2 naming the file', () => {
  let c: Case;
  const run = once(() => sim(c));
  beforeAll(() => {
    const gz = gzipSync(binanceRecording().text());
    expect(gz.length).toBeGreaterThan(400);
    c = binanceCase('truncated-gzip', 'btcusdt.txt.gz', gz.subarray(0, gz.length - 100));
  });

  it('one line naming the file and how far it could be read, no stack trace, nothing written', async () => {
    const line = expectOneError(await run(), new RegExp(`^mmsim: ${esc(c.data)}: `));
    expect(line).toMatch(/cannot be read past line \d+ \(gzip: /);
    expect(existsSync(c.out)).toBe(false);
  });
});

describe('a Tardis replay of two files (incremental_book_L2 and trades)', () => {
  const BOOK_HEADER = 'exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount';
  const TRADES_HEADER = 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount';
  /** `exchange,symbol,timestamp,local_timestamp` for a row stamped `ms` after E0 (µs, received LAG_MS later). */
  const head = (ms: number) => `binance-futures,BTCUSDT,${(E0 + ms) * 1000},${(E0 + ms + LAG_MS) * 1000}`;
  const book = [
    BOOK_HEADER,
    `${head(0)},true,ask,61800.1,1.000`,
    `${head(0)},true,ask,61800.2,2.000`,
    `${head(0)},true,bid,61800.0,1.000`,
    `${head(0)},true,bid,61799.9,2.000`,
  ];
  const trades = [TRADES_HEADER];
  for (let i = 0; i < STEPS; i++) {
    const t = i * STEP_MS;
    const qty = (1 + i / 10).toFixed(3);
    // One message of two rows (they share local_timestamp).
    book.push(`${head(t + 10)},false,bid,61800.0,${qty}`, `${head(t + 10)},false,ask,61800.1,${qty}`);
    trades.push(i % 2 === 0 ? `${head(t + 30)},${5000 + i},sell,61800.0,0.005` : `${head(t + 30)},${5000 + i},buy,61800.1,0.005`);
  }
  let dir = '';
  let out = '';
  const run = once(() => mmsim(['sim', join(dir, 'scenario.yaml'), '--quiet', '--out', out]));
  beforeAll(() => {
    dir = caseDir('tardis');
    out = join(dir, 'out');
    writeFileSync(join(dir, 'book.csv'), `${book.join('\n')}\n`);
    writeFileSync(join(dir, 'trades.csv'), `${trades.join('\n')}\n`);
    const market = ['format: tardis', 'path: [book.csv, trades.csv]', 'symbol: BTCUSDT', 'feed_latency: recorded', 'recorded_base: 1ms'];
    writeFileSync(join(dir, 'scenario.yaml'), replayScenario('tardis', market));
  });

  it('exits 0 with nothing on stderr', async () => {
    const r = await run();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('report.json shows both files with their line counts, and the trades of the second', async () => {
    expect((await run()).code).toBe(0);
    const { market } = report(out);
    expect(market.path).toEqual(['book.csv', 'trades.csv']);
    expect(market.files).toEqual([
      { path: 'book.csv', lines: book.length, messages: { snapshot: 1, delta: STEPS }, anomalies: {} },
      { path: 'trades.csv', lines: trades.length, messages: { trade: STEPS }, anomalies: {} },
    ]);
    expect(market).toMatchObject({
      format: 'tardis',
      trades: STEPS,
      traded_lots: STEPS * 5,
      book_updates: STEPS + 1,
      snapshots: 1,
      crossed_books: null,
      out_of_order: { book: 0, trade: 0, ticker: 0 },
      time_clamped: { count: 0, max_us: 0 },
      start_unix_us: E0 * 1000,
      end_unix_us: (E0 + (STEPS - 1) * STEP_MS + 30) * 1000,
    });
    expect(market.final_mid).toBeCloseTo(61800.05, 6);
  });

  it('a price off the tick grid in one of the two files names that file and its own line', async () => {
    // Line 8 of book.csv (the third delta) at 61800.05; trades.csv has a line 8 too, so only the file tells them apart.
    const bad = caseDir('tardis-off-tick');
    const badBook = book.map((row, i) => (i === 7 ? row.replace(/,61800\.0,/, ',61800.05,') : row));
    expect(badBook[7]).toContain(',61800.05,');
    writeFileSync(join(bad, 'book.csv'), `${badBook.join('\n')}\n`);
    writeFileSync(join(bad, 'trades.csv'), `${trades.join('\n')}\n`);
    writeFileSync(join(bad, 'scenario.yaml'), replayScenario('tardis-off-tick', ['format: tardis', 'path: [book.csv, trades.csv]', 'symbol: BTCUSDT']));
    const r = await mmsim(['sim', join(bad, 'scenario.yaml'), '--quiet', '--out', join(bad, 'out')]);
    const line = expectOneError(r, atLine(join(bad, 'book.csv'), 8));
    expect(line).toContain('61800.05');
    expect(line).not.toContain('trades.csv');
    expect(existsSync(join(bad, 'out'))).toBe(false);
  });
});
