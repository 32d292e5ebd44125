// `mmsim audit <DIR>` on folders of ITER_SUMMARY_<N>.json as they turn up in the field: many summaries
// written out of order, older summaries without gross/fees, a hand-edited one that breaks the P&L
// identity, and every kind of unusable input (which must never touch an earlier audit's output).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { esc, expectOneError } from '../support/cli-errors.ts';
import { mmsim } from '../support/cli.ts';
import { listFiles } from '../support/files.ts';
import { fieldsFor, oldFormat, summaryText, writeSummaries } from '../support/soak-files.ts';

const tmp = mkdtempSync(join(tmpdir(), 'mmsim-audit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => {
  const d = join(tmp, `soak${++dirs}`);
  mkdirSync(d);
  return d;
};
const analysis = (dir: string) => join(dir, 'reports', 'analysis');
const readCsv = (dir: string): Record<string, string>[] =>
  parse(readFileSync(join(analysis(dir), 'POST_SOAK_ITER_TABLE.csv'), 'utf8'), { columns: true, record_delimiter: '\r\n' });
const readJson = (dir: string, name: string) => JSON.parse(readFileSync(join(analysis(dir), name), 'utf8'));
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);

describe.concurrent('mmsim audit: the table', () => {
  it('reads 23 summaries written out of order in numeric order, never lexicographic', async () => {
    const dir = freshDir();
    // Written in an order that is neither numeric nor lexicographic.
    writeSummaries(dir, [20, 3, 11, 1, 23, 10, 2, 17, 9, 22, 4, 15, 8, 21, 5, 14, 7, 19, 6, 13, 12, 18, 16]);
    const r = await mmsim(['audit', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const rows = readCsv(dir);
    expect(rows.map((row) => Number(row.iter))).toEqual(range(1, 23));
    // Each row carries its own file's numbers.
    for (const row of rows) expect(Number(row.net_bps)).toBe(fieldsFor(Number(row.iter)).net_bps);
    const csv = readFileSync(join(analysis(dir), 'POST_SOAK_ITER_TABLE.csv'), 'utf8');
    expect(csv.split('\r\n')[0]).toBe(
      'iter,net_bps,adverse_p95,slippage_p95,maker_fill_rate,latency_p95_ms,risk_ratio_p95,rejects,gross_bps,fees_bps,gross_imputed',
    );
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replace(/\r\n/g, '')).not.toContain('\n'); // RFC 4180: CRLF only

    const twin = readJson(dir, 'POST_SOAK_ITER_TABLE.json');
    expect(twin.columns).toEqual(Object.keys(rows[0]!));
    expect(twin.rows.map((row: { iter: number }) => row.iter)).toEqual(range(1, 23));
    expect(twin.rows[9]).toMatchObject({ iter: 10, net_bps: fieldsFor(10).net_bps, gross_imputed: false, fees_bps: -0.25 });

    const summary = readJson(dir, 'POST_SOAK_SUMMARY.json');
    expect(summary.verdict).toBe('consistent');
    expect(summary.iterations).toMatchObject({ count: 23, first: 1, last: 23, missing: [], gross_imputed: [] });
    expect(summary.last_8.iterations).toEqual(range(16, 23));
    const nets = range(16, 23).map((i) => fieldsFor(i).net_bps);
    expect(summary.last_8.net_bps.mean).toBeCloseTo(nets.reduce((a, b) => a + b, 0) / 8, 12);
    expect(summary.last_8.net_bps.min).toBe(Math.min(...nets));
    expect(summary.last_8.latency_p95_ms).toMatchObject({ min: 76, max: 83, mean: 79.5 });
    expect(r.stdout).toMatch(/^audited 23 iteration summaries of .* \(iterations 1-23\)$/m);
    expect(r.stdout).toMatch(/^last 8 \(iterations 16-23\): net /m);
    expect(r.stdout).toMatch(/^verdict: consistent/m);
  });

  it('imputes gross_bps for old summaries without gross/fees, flags it, and prints fees as 0.0', async () => {
    const dir = freshDir();
    writeSummaries(dir, range(1, 10), (i) => oldFormat(fieldsFor(i)));
    const r = await mmsim(['audit', dir]);
    expect(r.code, r.stderr).toBe(0);
    const rows = readCsv(dir);
    for (const row of rows) {
      const f = fieldsFor(Number(row.iter));
      expect(row.gross_imputed).toBe('true');
      expect(row.fees_bps).toBe('0.0');
      expect(Number(row.gross_bps)).toBe(f.net_bps + f.adverse_bps_p95 + f.slippage_bps_p95 + 0);
    }
    expect(readJson(dir, 'POST_SOAK_SUMMARY.json').iterations).toMatchObject({ gross_imputed: range(1, 10), fees_defaulted: range(1, 10) });
    expect(r.stdout).toMatch(/^gross_bps imputed as net \+ adverse_p95 \+ slippage_p95 \+ fees .*: iterations 1-10 \(ITER_SUMMARY_1\.json, ITER_SUMMARY_2\.json, ITER_SUMMARY_3\.json, ITER_SUMMARY_4\.json, ITER_SUMMARY_5\.json and 5 more\)$/m);
    expect(r.stdout).toMatch(/^fees_bps taken as 0\.0 \(absent\): iterations 1-10 \(ITER_SUMMARY_1\.json, .* and 5 more\)$/m);
  });

  it("reproduces the original audit's example rows (iterations 17-20 of its report)", async () => {
    const dir = freshDir();
    const seedRows = [
      [17, 4.4],
      [18, 4.5],
      [19, 4.6],
      [20, 4.7],
    ] as const;
    writeSummaries(dir, range(1, 16));
    for (const [i, net] of seedRows) {
      const f = { net_bps: net, adverse_bps_p95: 1.5, slippage_bps_p95: 1.0, maker_fill_rate: 0.1, latency_p95_ms: 50, risk_ratio_p95: 0.2, rejects: 0 };
      writeFileSync(join(dir, `ITER_SUMMARY_${i}.json`), summaryText(i, f));
    }
    expect((await mmsim(['audit', dir])).code).toBe(0);
    const csv = readFileSync(join(analysis(dir), 'POST_SOAK_ITER_TABLE.csv'), 'utf8').split('\r\n');
    // The report's rows: iter,net_bps,gross_bps,fees_bps,adverse_p95,slippage_p95,gross_imputed
    const expected = ['17,4.4,6.9,0.0,1.5,1.0,true', '18,4.5,7.0,0.0,1.5,1.0,true', '19,4.6,7.1,0.0,1.5,1.0,true', '20,4.7,7.2,0.0,1.5,1.0,true'];
    const ours = csv.slice(17, 21).map((line) => {
      const c = line.split(',');
      return [c[0], c[1], c[8], c[9], c[2], c[3], c[10]].join(',');
    });
    expect(ours).toEqual(expected);
  });

  it('finds a hand-corrupted summary: exit 1, the iteration and the size of its gap', async () => {
    const dir = freshDir();
    writeSummaries(dir, range(1, 12), (i) => {
      const f = fieldsFor(i);
      if (i === 4) return { ...f, net_bps: f.net_bps + 0.3 };
      if (i === 11) return { ...f, gross_bps: f.gross_bps! + 1 };
      if (i === 7) return { ...f, net_bps: f.net_bps + 0.04 }; // inside the tolerance
      return f;
    });
    const r = await mmsim(['audit', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^verdict: INCONSISTENT/m);
    expect(r.stdout).toMatch(/^ {2}iteration 4: gap \+0\.3000 bps$/m);
    expect(r.stdout).toMatch(/^ {2}iteration 11: gap -1\.0000 bps$/m);
    expect(r.stdout).not.toMatch(/iteration 7: gap/);
    expect(r.stdout).toMatch(/^ {2}last 8 together: gap -0\.1200 bps$/m);
    const summary = readJson(dir, 'POST_SOAK_SUMMARY.json');
    expect(summary.verdict).toBe('inconsistent');
    expect(summary.per_iteration.failures.map((f: { iter: number }) => f.iter)).toEqual([4, 11]);
    expect(summary.per_iteration.failures[0].gap_bps).toBeCloseTo(0.3, 12);
    expect(summary.per_iteration).toMatchObject({ ok: false, max_abs_gap_iter: 11 });
    expect(summary.last_8).toMatchObject({ ok: false, iterations: range(5, 12) });
    // The table is still written: it is what one reads to find the cause.
    expect(readCsv(dir)).toHaveLength(12);
  });

  it('ignores unrelated files and folders, naming the ones that look like misnamed summaries', async () => {
    const dir = freshDir();
    writeSummaries(dir, range(1, 3));
    for (const name of ['notes.txt', 'iter_summary_2.json', 'ITER_SUMMARY_3.json.bak', 'ITER_SUMMARY_x.json', 'report.json']) {
      writeFileSync(join(dir, name), 'not a summary');
    }
    mkdirSync(join(dir, 'logs'));
    const r = await mmsim(['audit', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ignored, not named ITER_SUMMARY_<N>\.json: ITER_SUMMARY_3\.json\.bak, ITER_SUMMARY_x\.json, iter_summary_2\.json$/m);
    expect(r.stdout).toMatch(/^ignored 3 other entries: logs, notes\.txt, report\.json$/m);
    expect(readCsv(dir).map((row) => row.iter)).toEqual(['1', '2', '3']);
    expect(readJson(dir, 'POST_SOAK_SUMMARY.json').ignored_files).toEqual([
      'ITER_SUMMARY_3.json.bak',
      'ITER_SUMMARY_x.json',
      'iter_summary_2.json',
      'logs',
      'notes.txt',
      'report.json',
    ]);
  });

  it('audits the summaries there are with --allow-gaps, listing the missing ones', async () => {
    const dir = freshDir();
    writeSummaries(dir, [1, 2, 5, 6, 10]);
    const r = await mmsim(['audit', dir, '--allow-gaps']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^missing \(--allow-gaps\): iterations 3-4, 7-9$/m);
    expect(readJson(dir, 'POST_SOAK_SUMMARY.json').iterations.missing).toEqual([3, 4, 7, 8, 9]);
  });
});

describe.concurrent('mmsim audit: unusable input is exit 2, one message naming the file, and an earlier audit stays intact', () => {
  /** A good soak audited once; returns its folder and the bytes of that audit's files. */
  async function auditedSoak(): Promise<{ dir: string; before: Map<string, string> }> {
    const dir = freshDir();
    writeSummaries(dir, range(1, 10));
    expect((await mmsim(['audit', dir])).code).toBe(0);
    const before = new Map(readdirSync(analysis(dir)).map((f) => [f, readFileSync(join(analysis(dir), f), 'utf8')]));
    expect([...before.keys()].sort()).toEqual(['POST_SOAK_ITER_TABLE.csv', 'POST_SOAK_ITER_TABLE.json', 'POST_SOAK_REPORT.html', 'POST_SOAK_SUMMARY.json']);
    return { dir, before };
  }

  const cases: [string, (dir: string) => void, (dir: string) => RegExp][] = [
    [
      'a corrupt file',
      (d) => writeFileSync(join(d, 'ITER_SUMMARY_4.json'), summaryText(4, fieldsFor(4)).replace('"net_bps":', '"net_bps" ')),
      (d) => new RegExp(`${esc(join(d, 'ITER_SUMMARY_4.json'))}:4:16: not valid JSON \\(Expected ':' after property name`),
    ],
    [
      'a truncated file',
      (d) => writeFileSync(join(d, 'ITER_SUMMARY_6.json'), summaryText(6, fieldsFor(6)).slice(0, 120)),
      (d) => new RegExp(`${esc(join(d, 'ITER_SUMMARY_6.json'))}:\\d+:\\d+: not valid JSON \\(.*\\): the file ends early \\(truncated\\?\\)$`),
    ],
    ['an empty file', (d) => writeFileSync(join(d, 'ITER_SUMMARY_2.json'), ''), (d) => new RegExp(`${esc(join(d, 'ITER_SUMMARY_2.json'))}: not valid JSON .*: the file is empty$`)],
    [
      'a field of the wrong type',
      (d) => writeFileSync(join(d, 'ITER_SUMMARY_5.json'), summaryText(5, { ...fieldsFor(5), net_bps: '4.4' })),
      (d) => new RegExp(`${esc(join(d, 'ITER_SUMMARY_5.json'))}:4:16: summary\\.net_bps: expected number, was "4\\.4"$`),
    ],
    [
      'a missing field',
      (d) => {
        const { adverse_bps_p95: _a, ...rest } = fieldsFor(3);
        writeFileSync(join(d, 'ITER_SUMMARY_3.json'), summaryText(3, rest));
      },
      (d) => new RegExp(`${esc(join(d, 'ITER_SUMMARY_3.json'))}:3:3: summary\\.adverse_bps_p95: missing required field \\(expected number\\)$`),
    ],
    [
      'a summary that is not an object',
      (d) => writeFileSync(join(d, 'ITER_SUMMARY_8.json'), '[1, 2]\n'),
      (d) => new RegExp(`${esc(join(d, 'ITER_SUMMARY_8.json'))}:1:1: expected object, was \\[1,2\\]$`),
    ],
    ['a gap in the numbering', (d) => unlinkSync(join(d, 'ITER_SUMMARY_7.json')), (d) => new RegExp(`^mmsim: ${esc(d)}: no summary for iteration 7 of 1\\.\\.10 \\(ITER_SUMMARY_7\\.json missing\\): .*--resume.*--allow-gaps`)],
    [
      'two files for one iteration',
      (d) => writeFileSync(join(d, 'ITER_SUMMARY_07.json'), summaryText(7, fieldsFor(7))),
      (d) => new RegExp(`${esc(d)}: iteration 7 has 2 summaries: ITER_SUMMARY_07\\.json and ITER_SUMMARY_7\\.json; keep one$`),
    ],
    [
      'a summary of another iteration',
      (d) => writeFileSync(join(d, 'ITER_SUMMARY_9.json'), summaryText(2, fieldsFor(2))),
      (d) => new RegExp(`${esc(join(d, 'ITER_SUMMARY_9.json'))}: iteration: holds iteration 2 but is named for iteration 9$`),
    ],
    ['iteration 0', (d) => writeFileSync(join(d, 'ITER_SUMMARY_0.json'), summaryText(undefined, fieldsFor(1))), (d) => new RegExp(`${esc(join(d, 'ITER_SUMMARY_0.json'))}: iterations are numbered from 1$`)],
    ['a folder named like a summary', (d) => {
      unlinkSync(join(d, 'ITER_SUMMARY_10.json'));
      mkdirSync(join(d, 'ITER_SUMMARY_10.json'));
    }, (d) => new RegExp(`${esc(join(d, 'ITER_SUMMARY_10.json'))}: not a file$`)],
  ];

  for (const [what, spoil, message] of cases) {
    it(what, async () => {
      const { dir, before } = await auditedSoak();
      spoil(dir);
      expectOneError(await mmsim(['audit', dir]), message(dir));
      // The earlier audit's files are all there, byte for byte, and no temporary file was left.
      expect(readdirSync(analysis(dir)).sort()).toEqual([...before.keys()].sort());
      for (const [f, text] of before) expect(readFileSync(join(analysis(dir), f), 'utf8')).toBe(text);
    });
  }

  it('an empty folder, a missing folder and a file instead of a folder', async () => {
    const empty = freshDir();
    expectOneError(await mmsim(['audit', empty]), new RegExp(`${esc(empty)}: no ITER_SUMMARY_<N>\\.json files to audit \\(it is empty\\)$`));
    expect(listFiles(empty)).toEqual([]);
    const unrelated = freshDir();
    writeFileSync(join(unrelated, 'notes.txt'), 'x');
    expectOneError(await mmsim(['audit', unrelated]), /no ITER_SUMMARY_<N>\.json files to audit \(it holds notes\.txt\)$/);
    expectOneError(await mmsim(['audit', join(tmp, 'nowhere')]), new RegExp(`${esc(join(tmp, 'nowhere'))}: no such directory$`));
    const file = join(unrelated, 'notes.txt');
    expectOneError(await mmsim(['audit', file]), new RegExp(`${esc(file)}: not a directory`));
  });

  it('an output folder that cannot be made: exit 2 naming it', async () => {
    const dir = freshDir();
    writeSummaries(dir, range(1, 3));
    writeFileSync(join(dir, 'reports'), 'a file where the audit wants its folder');
    expectOneError(await mmsim(['audit', dir]), new RegExp(`${esc(analysis(dir))}: cannot write the audit there \\(`));
  });

  it('several bad files at once: one line each', async () => {
    const { dir } = await auditedSoak();
    writeFileSync(join(dir, 'ITER_SUMMARY_2.json'), '{');
    writeFileSync(join(dir, 'ITER_SUMMARY_5.json'), summaryText(5, { ...fieldsFor(5), rejects: -1 }));
    const r = await mmsim(['audit', dir]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('ITER_SUMMARY_2.json:1:2: not valid JSON');
    expect(lines[1]).toMatch(/ITER_SUMMARY_5\.json:\d+:\d+: summary\.rejects: /);
  });
});
