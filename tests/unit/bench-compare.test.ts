// bench:compare's logic (bench/support/compare-results.ts) and the BENCHMARKS.md generator on hand-made results:
// no benchmark runs, no timing.
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BadInputError,
  compareResults,
  compareSuites,
  compareWholeRuns,
  formatComparison,
  judge,
  parseResultFile,
  readResults,
} from '../../bench/support/compare-results.ts';
import type { ResultFile } from '../../bench/support/compare-results.ts';
import { parseNotes, renderBenchmarksMd } from '../../bench/support/benchmarks-md.ts';
import { checkTargets } from '../../bench/targets.ts';
import type { CaseResult, SuiteResult } from '../../bench/support/suite.ts';
import type { ScenarioRuns, WholeRunResult } from '../../bench/support/whole-run-format.ts';
import { repoRoot } from '../support/run.ts';

const machine = { cpu: 'Test CPU', cores: 2, memory_gb: 8, node: 'v20.19.0' };

/** A case measured at `ns` per op with a relative margin of error `margin` %. */
function kase(name: string, ns: number, margin: number): CaseResult {
  const colon = name.indexOf(':');
  return {
    name,
    group: name.slice(0, colon).trim(),
    contender: name.slice(colon + 1).trim(),
    ops: 1e9 / ns,
    margin,
    samples: 20,
    ns_per_op: ns,
    median_ns_per_op: ns,
  };
}

const suite = (name: string, cases: CaseResult[]): SuiteResult => ({ suite: name, machine, results: cases });

function scenario(runMs: number, spread?: [number, number], events = 50_000): ScenarioRuns {
  return {
    kind: 'synthetic',
    variants: 1,
    runs: 5,
    events,
    virtual_s: 300,
    same_digest_every_run: true,
    wall_ms_median: runMs + 400,
    wall_ms_min: runMs + 390,
    wall_ms_max: runMs + 410,
    run_ms_median: runMs,
    run_ms_min: spread ? spread[0] : runMs,
    run_ms_max: spread ? spread[1] : runMs,
    load_ms_median: 40,
    sim_ms_median: runMs - 40,
    events_per_s: Math.round(events / (runMs / 1000)),
    events_per_s_min: Math.round(events / ((spread ? spread[1] : runMs) / 1000)),
    events_per_s_max: Math.round(events / ((spread ? spread[0] : runMs) / 1000)),
    events_per_s_sim: Math.round(events / ((runMs - 40) / 1000)),
    events_per_s_process: Math.round(events / ((runMs + 400) / 1000)),
    max_rss_mb_median: 120,
  };
}

const wholeRun = (scenarios: Record<string, ScenarioRuns>): WholeRunResult => ({
  machine,
  runs_per_case: 5,
  in_process_repeats: 0,
  harness_s: 10,
  scenarios,
  memory_by_length: {},
});

const asSet = (...files: ResultFile[]): Map<string, ResultFile> => new Map(files.map((f) => [f.key, f]));
const suiteFile = (s: SuiteResult, file = `${s.suite}.json`): ResultFile => ({ kind: 'suite', file, key: s.suite, suite: s });

describe('judge', () => {
  it('is a regression only beyond both the noise and the threshold', () => {
    expect(judge(15, 4, 10)).toBe('regression');
    expect(judge(15, 20, 10)).toBe('within noise'); // slower, but not beyond the two margins
    expect(judge(8, 4, 10)).toBe('slower'); // beyond the noise, under the threshold
    expect(judge(-8, 4, 10)).toBe('faster');
    expect(judge(-3, 4, 10)).toBe('within noise');
    expect(judge(6, 4, 5)).toBe('regression');
  });
});

describe('compareSuites', () => {
  const before = suite('percentiles', [kase('p95+p99 @1e6: collector', 2_000_000, 2), kase('p95+p99 @1e6: seed sort', 1e9, 5), kase('record: collector', 10, 3)]);

  it('flags a case slower than its two margins and the threshold', () => {
    const after = suite('percentiles', [kase('p95+p99 @1e6: collector', 2_400_000, 2), kase('p95+p99 @1e6: seed sort', 1e9, 5), kase('record: collector', 10, 3)]);
    const tables = compareSuites(before, after, 10);
    expect(tables.map((t) => t.title)).toEqual(['percentiles: p95+p99 @1e6', 'percentiles: record']);
    const row = tables[0]!.rows.find((r) => r.label === 'collector')!;
    expect(row.ratio).toBeCloseTo(1.2, 10);
    expect(row.slowdown_pct).toBeCloseTo(20, 10);
    expect([row.old_margin, row.new_margin]).toEqual([2, 2]);
    expect(row.verdict).toBe('regression');
    expect(tables[0]!.rows.find((r) => r.label === 'seed sort')!.verdict).toBe('within noise');
  });

  it('does not flag a slowdown within the noise, even above the threshold', () => {
    const after = suite('percentiles', [kase('p95+p99 @1e6: collector', 2_300_000, 15), kase('p95+p99 @1e6: seed sort', 1e9, 5), kase('record: collector', 10, 3)]);
    expect(compareSuites(before, after, 10)[0]!.rows[0]!.verdict).toBe('within noise'); // +15% vs 2% + 15%
  });

  it('marks a slowdown beyond the noise but under the threshold, and a speed-up', () => {
    const after = suite('percentiles', [kase('p95+p99 @1e6: collector', 2_160_000, 1), kase('p95+p99 @1e6: seed sort', 5e8, 5), kase('record: collector', 10, 3)]);
    const rows = compareSuites(before, after, 10)[0]!.rows;
    expect(rows[0]!.verdict).toBe('slower'); // +8% vs 3%
    expect(rows[1]!.verdict).toBe('faster');
    expect(compareSuites(before, after, 5)[0]!.rows[0]!.verdict).toBe('regression');
  });

  it('lists added and removed cases without judging them', () => {
    const after = suite('percentiles', [kase('p95+p99 @1e6: collector', 2_000_000, 2), kase('p95+p99 @1e6: radix', 1_000_000, 2)]);
    const tables = compareSuites(before, after, 10);
    const verdicts = tables.flatMap((t) => t.rows.map((r) => `${t.title}/${r.label}=${r.verdict}`));
    expect(verdicts).toEqual([
      'percentiles: p95+p99 @1e6/collector=within noise',
      'percentiles: p95+p99 @1e6/radix=added',
      'percentiles: p95+p99 @1e6/seed sort=removed',
      'percentiles: record/collector=removed',
    ]);
  });
});

describe('compareWholeRuns', () => {
  it('uses half the spread of the runs as each side\'s noise', () => {
    const [t] = compareWholeRuns(wholeRun({ 'burst.yaml': scenario(100, [95, 105]) }), wholeRun({ 'burst.yaml': scenario(120, [114, 126]) }), 10);
    const eps = t!.rows.find((r) => r.label === 'events/s')!;
    const run = t!.rows.find((r) => r.label === 'run ms')!;
    expect(run.old_margin).toBeCloseTo(5, 10);
    expect(run.new_margin).toBeCloseTo(5, 10);
    expect(run.slowdown_pct).toBeCloseTo(20, 10);
    expect(run.verdict).toBe('regression');
    expect(eps.slowdown_pct).toBeCloseTo(20, 1); // fewer events/s is worse
    expect(eps.verdict).toBe('regression');
    expect(t!.note).toBeUndefined();
  });

  it('is within noise when the runs spread more than the change', () => {
    const [t] = compareWholeRuns(wholeRun({ 'burst.yaml': scenario(100, [80, 120]) }), wholeRun({ 'burst.yaml': scenario(112, [90, 134]) }), 10);
    expect(t!.rows.map((r) => `${r.label}=${r.verdict}`)).toEqual(['events/s=within noise', 'run ms=within noise', 'process ms=within noise']);
  });

  it('says when the noise is unknown (an older file without min and max) and when the events changed', () => {
    const { run_ms_min: _min, run_ms_max: _max, ...old } = scenario(100);
    const [t] = compareWholeRuns(wholeRun({ 'burst.yaml': old as ScenarioRuns }), wholeRun({ 'burst.yaml': scenario(105, [100, 110], 52_000) }), 10);
    expect(t!.rows[0]!.old_margin).toBeUndefined();
    expect(t!.note).toMatch(/noise is unknown/);
    expect(t!.note).toMatch(/50000 events before, 52000 after/);
  });

  it('lists scenarios on one side only', () => {
    const tables = compareWholeRuns(wholeRun({ 'a.yaml': scenario(100) }), wholeRun({ 'b.yaml': scenario(100) }), 10);
    expect(tables.map((t) => `${t.title}=${t.rows[0]!.verdict}`)).toEqual(['whole-run: b.yaml=added', 'whole-run: a.yaml=removed']);
  });
});

describe('compareResults', () => {
  it('matches suites by name and counts the regressions', () => {
    const oldSet = asSet(suiteFile(suite('a', [kase('g: x', 100, 1)])), suiteFile(suite('b', [kase('g: y', 100, 1)])), suiteFile(suite('gone', [kase('g: z', 1, 1)])));
    const newSet = asSet(suiteFile(suite('a', [kase('g: x', 150, 1)])), suiteFile(suite('b', [kase('g: y', 101, 1)])), suiteFile(suite('new', [kase('g: z', 1, 1)])));
    const c = compareResults(oldSet, newSet, 10);
    expect(c.tables.map((t) => t.title)).toEqual(['a: g', 'b: g']);
    expect(c.regressions).toBe(1);
    expect(c.only_old).toEqual(['gone']);
    expect(c.only_new).toEqual(['new']);
    const text = formatComparison(c);
    expect(text).toMatch(/REGRESSION: 50\.0% worse/);
    expect(text).toMatch(/only in the old results \(not compared\): gone/);
    expect(text).toMatch(/1 regression\(s\) beyond the noise and the 10% threshold/);
  });

  it('warns when the results come from different machines', () => {
    const other = { ...suite('a', [kase('g: x', 100, 1)]), machine: { ...machine, cpu: 'Other CPU' } };
    const c = compareResults(asSet(suiteFile(suite('a', [kase('g: x', 100, 1)]))), asSet(suiteFile(other)), 10);
    expect(c.warnings[0]).toMatch(/different machines/);
  });

  it('refuses to compare a suite with a whole run', () => {
    const wr: ResultFile = { kind: 'whole-run', file: 'whole-run.json', key: 'whole-run', wholeRun: wholeRun({}) };
    expect(() => compareResults(asSet(suiteFile(suite('a', []))), asSet(wr), 10)).toThrow(BadInputError);
  });
});

describe('parseResultFile', () => {
  it('reads a suite result and a whole-run result', () => {
    const s = parseResultFile('s.json', JSON.stringify(suite('percentiles', [kase('g: x', 100, 1)])));
    expect(s.kind).toBe('suite');
    expect(s.key).toBe('percentiles');
    const w = parseResultFile('w.json', JSON.stringify(wholeRun({ 'burst.yaml': scenario(100) })));
    expect(w.kind).toBe('whole-run');
    expect(w.key).toBe('whole-run');
  });

  it('derives group and contender from the name when a file lacks them', () => {
    const r = parseResultFile('s.json', JSON.stringify({ suite: 's', results: [{ name: 'pop+push @1e3: typed heap', ops: 1000, margin: 1 }] }));
    expect(r.kind === 'suite' && r.suite.results[0]).toMatchObject({ group: 'pop+push @1e3', contender: 'typed heap', ns_per_op: 1e6 });
  });

  it.each([
    ['{ not json', /^bad\.json: not JSON/],
    ['[1, 2]', /^bad\.json: expected a JSON object/],
    ['{"hello": 1}', /^bad\.json: not a benchmark result/],
    ['{"suite": "s", "results": [{"name": "g: x", "ops": "fast", "margin": 1}]}', /^bad\.json: results\[0\]\.ops: expected a positive number, was "fast"/],
    ['{"suite": "s", "results": [{"ops": 1, "margin": 1}]}', /^bad\.json: results\[0\]\.name: expected the case name/],
    ['{"scenarios": {"burst.yaml": {"events": 1, "events_per_s": 1}}}', /^bad\.json: scenarios\["burst\.yaml"\]\.run_ms_median: expected a positive number, was missing/],
  ])('names the file and the field: %s', (text, message) => {
    expect(() => parseResultFile('bad.json', text)).toThrow(BadInputError);
    expect(() => parseResultFile('bad.json', text)).toThrow(message);
  });
});

describe('readResults and the bench:compare CLI', () => {
  let dir: string;
  const write = (name: string, data: unknown): Promise<void> => writeFile(join(dir, name), typeof data === 'string' ? data : JSON.stringify(data));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mmsim-bench-compare-'));
    await write('old.json', suite('percentiles', [kase('record: collector', 10, 2), kase('record: DDSketch', 40, 2)]));
    await write('noisy.json', suite('percentiles', [kase('record: collector', 10.5, 3), kase('record: DDSketch', 39, 3)]));
    await write('slow.json', suite('percentiles', [kase('record: collector', 13, 2), kase('record: DDSketch', 40, 2)]));
    await write('bad.json', '{"suite": "percentiles"');
    await mkdir(join(dir, 'before'));
    await mkdir(join(dir, 'after'));
    await writeFile(join(dir, 'before', 'percentiles.json'), JSON.stringify(suite('percentiles', [kase('record: collector', 10, 2)])));
    await writeFile(join(dir, 'after', 'percentiles.json'), JSON.stringify(suite('percentiles', [kase('record: collector', 10.1, 2)])));
    await writeFile(join(dir, 'before', 'whole-run.json'), JSON.stringify(wholeRun({ 'burst.yaml': scenario(100, [98, 102]) })));
    await writeFile(join(dir, 'after', 'whole-run.json'), JSON.stringify(wholeRun({ 'burst.yaml': scenario(101, [99, 103]) })));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a folder, keyed by suite', async () => {
    const r = await readResults(join(dir, 'before'));
    expect(r.folder).toBe(true);
    expect([...r.results.keys()].sort()).toEqual(['percentiles', 'whole-run']);
    await expect(readResults(join(dir, 'missing'))).rejects.toThrow(/missing: no such file or folder/);
  });

  function compareCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((done, fail) => {
      const env = { ...process.env };
      delete env.MMSIM_DEBUG;
      const paths = args.map((a) => (a.endsWith('.json') || a === 'before' || a === 'after' ? join(dir, a) : a));
      execFile(process.execPath, ['--import', 'tsx', 'bench/compare.ts', ...paths], { cwd: repoRoot, env, timeout: 60_000 }, (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return fail(err);
        done({ code: err ? Number(err.code) : 0, stdout, stderr });
      });
    });
  }

  it('exits 1 on a regression beyond the threshold and the noise', async () => {
    const r = await compareCli('old.json', 'slow.json');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/collector .*REGRESSION: 30\.0% worse/);
  });

  it('exits 0 within noise, and honours --threshold', async () => {
    // Separate processes reading the same files: side by side.
    const runs = await Promise.all([compareCli('old.json', 'noisy.json'), compareCli('before', 'after'), compareCli('old.json', 'slow.json', '--threshold', '50')]);
    for (const r of runs) expect(r.code, r.stdout).toBe(0);
  });

  it('exits 2 with one line naming a bad or missing file, no stack trace', async () => {
    const cases = [
      [['old.json', 'bad.json'], /^bench:compare: \S*bad\.json: not JSON/],
      [['nope.json', 'old.json'], /^bench:compare: \S*nope\.json: no such file or folder/],
      [['old.json', 'before'], /before: is a folder but \S*old\.json is a file/],
      [['old.json', 'slow.json', '--threshold', 'x'], /--threshold needs a percentage/],
    ] as const;
    const runs = await Promise.all(cases.map(([args]) => compareCli(...args)));
    for (const [i, [args, message]] of cases.entries()) {
      const r = runs[i]!;
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('BENCHMARKS.md and the targets', () => {
  it('says "not measured yet" for missing suites and cases, and never invents a number', () => {
    const md = renderBenchmarksMd({ suites: new Map(), expectedSuites: ['order-book'], why: new Map(), unreadable: [] });
    expect(md).toMatch(/^# Benchmarks/);
    expect(md).toMatch(/Never edit this file by hand/);
    expect(md).toMatch(/### order-book\n\nNot measured yet/);
    expect(md).toMatch(/Not measured yet: no `bench\/results\/whole-run.json`/);
    expect(checkTargets({ suites: new Map() }).map((c) => c.status)).toEqual(Array(13).fill('not measured yet'));
  });

  it('checks each target against the numbers and says by how much one is missed', () => {
    const pct = {
      ...suite('percentiles', [kase('p95+p99 @1e6: collector', 6_000_000, 2), { ...kase('record 1e4: collector', 120_000, 2), units_per_op: 10_000, unit: 'sample' }]),
      notes: { first_query: { at_1e6: { median_ms: 3 } } },
    };
    const eq = suite('event-queue', [{ ...kase('pop+push @1e3: typed heap', 150_000, 2), units_per_op: 1000, unit: 'pop+push' }]);
    const burst = { ...scenario(100, [95, 105], 50_000), steady: { repeats: 9, converged: true, sim_ms_median: 100, sim_ms_min: 98, events_per_s: 500_000 } };
    const replay = scenario(400, [390, 410], 170_000);
    const run = {
      ...wholeRun({ 'burst.yaml': burst, 'replay-binance-btcusdt.yaml': replay }),
      replay_floor: { scenario: 'replay-binance-btcusdt.yaml', runs: 5, floor_work_ms_median: 400, floor_wall_ms_median: 480, bin_wall_ms_median: 600, bin_wall_ms_min: 590, bin_wall_ms_max: 610 },
    };
    const sw = { ...suite('sweep', []), notes: { speedup_2_workers: 1.5, queue_overhead_ms_per_run: 12 } };
    const start = suite('startup', [kase('sim burst.yaml: compiled bin (dist)', 300_000_000, 2)]);
    const checks = checkTargets({ suites: new Map([['percentiles', pct], ['event-queue', eq], ['sweep', sw], ['startup', start]]), wholeRun: run });
    const byId = new Map(checks.map((c) => [c.id, c]));
    expect(byId.get('exact-p95-p99')).toMatchObject({ status: 'met', detail: 'aim missed by 1.00 ms (50.0% over)' });
    expect(byId.get('record-ns')).toMatchObject({ status: 'missed', detail: 'missed by 2.00 ns (20.0% over)' });
    expect(byId.get('event-queue')).toMatchObject({ status: 'missed', detail: 'missed by 50.0 ns (50.0% over)' });
    expect(byId.get('events-per-s')).toMatchObject({ status: 'missed', detail: 'missed by 1,500,000 events/s (75.0% short: 4.0x needed)' });
    expect(byId.get('exact-p95-p99')!.measured).toContain('recording 1e6 samples + that query: 6.00 ms');
    expect(byId.get('events-per-s')!.measured).toMatch(/^500,000 events\/s in steady state after 9 repeats \(cold run 500,000; whole process 100,000\)$/);
    expect(byId.get('record-vs-rivals')!.status).toBe('not measured yet');
    expect(byId.get('replay-vs-floor')).toMatchObject({ status: 'missed', detail: 'missed by 0.35 x (30.4% over)' });
    expect(byId.get('replay-vs-floor')!.measured).toMatch(/^600 ms whole process against a floor of 400 ms: 1\.50x/);
    expect(byId.get('sweep-speedup')).toMatchObject({ status: 'missed', detail: 'missed by 0.30x (16.7% short)' });
    expect(byId.get('sweep-speedup')!.measured).toContain('queue overhead 12.0 ms per run');
    expect(byId.get('main-job')).toMatchObject({ status: 'met' });
    expect(byId.get('memory-flat-replay')!.status).toBe('not measured yet');
  });

  it('copies the hand-written why of a missed target from bench/notes.md, or marks its place', () => {
    const notes = parseNotes('# Why\n<!-- how -->\n## record-ns\n\nBecause of X.\n\n## event-queue\n');
    expect([...notes]).toEqual([
      ['record-ns', 'Because of X.'],
      ['event-queue', ''],
    ]);
    const pct = suite('percentiles', [{ ...kase('record 1e4: collector', 120_000, 2), units_per_op: 10_000, unit: 'sample' }]);
    const eq = suite('event-queue', [{ ...kase('pop+push @1e3: typed heap', 150_000, 2), units_per_op: 1000, unit: 'pop+push' }]);
    const md = renderBenchmarksMd({ suites: new Map([['percentiles', pct], ['event-queue', eq]]), expectedSuites: [], why: notes, unreadable: [] });
    expect(md).toMatch(/#### Recording a sample \(`record-ns`\)\n\nMeasured: 12\.0 ns median per sample; missed by 2\.00 ns \(20\.0% over\)\.\n\nBecause of X\./);
    expect(md).toMatch(/Why: not written yet\.\*\* Add it under `## event-queue` in `bench\/notes\.md`/);
  });
});
