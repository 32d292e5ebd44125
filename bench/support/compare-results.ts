/**
 * Comparing benchmark results, before and after a change: the logic behind `npm run bench:compare`
 * (bench/compare.ts), kept free of I/O apart from reading the inputs so that it can be unit-tested.
 *
 * Suite results (bench/results/<suite>.json, see suite.ts): per case, the mean time per op before and
 * after, their ratio (new / old: above 1 is slower) and the two relative margins of error. A case is
 * slower *beyond the noise* when its slowdown, in percent, exceeds the two margins added; it *regressed*
 * (and the command fails) when it is beyond the noise and also slower than the threshold (default 10%).
 *
 * Whole-run results (bench/results/whole-run.json): per scenario, events per second and the in-process
 * run time (medians of fresh-process runs). There is no margin of error; the noise of each side is half
 * the spread of its runs (max - min) relative to its median, when the file has min and max; otherwise
 * it is unknown, taken as 0 and the table says so.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { CaseResult, SuiteResult } from './suite.ts';
import type { ScenarioRuns, WholeRunResult } from './whole-run-format.ts';

/** A missing, unreadable or malformed input: one line naming the file, exit code 2. */
export class BadInputError extends Error {
  readonly code = 'BAD_INPUT';
  constructor(
    readonly file: string,
    what: string,
  ) {
    super(`${file}: ${what}`);
    this.name = 'BadInputError';
  }
}

export type ResultFile =
  | { readonly kind: 'suite'; readonly file: string; readonly key: string; readonly suite: SuiteResult }
  | { readonly kind: 'whole-run'; readonly file: string; readonly key: string; readonly wholeRun: WholeRunResult };

export const WHOLE_RUN_KEY = 'whole-run';

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function requireNumber(file: string, obj: Record<string, unknown>, key: string, path: string, positive = false): number {
  const v = obj[key];
  if (!isNumber(v) || (positive ? v <= 0 : v < 0)) {
    throw new BadInputError(file, `${path}.${key}: expected a ${positive ? 'positive' : 'non-negative'} number, was ${JSON.stringify(v) ?? 'missing'}`);
  }
  return v;
}

/** Parses and checks one result file's text: a suite result or a whole-run result. */
export function parseResultFile(file: string, text: string): ResultFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new BadInputError(file, `not JSON (${(e as Error).message})`);
  }
  if (!isObject(data)) throw new BadInputError(file, 'expected a JSON object (a suite result or whole-run.json)');
  if (typeof data.suite === 'string' || Array.isArray(data.results)) {
    const suite = checkSuite(file, data);
    return { kind: 'suite', file, key: suite.suite, suite };
  }
  if (isObject(data.scenarios)) return { kind: 'whole-run', file, key: WHOLE_RUN_KEY, wholeRun: checkWholeRun(file, data) };
  throw new BadInputError(file, 'not a benchmark result: expected "suite" and "results" (a suite result) or "scenarios" (whole-run.json)');
}

function checkSuite(file: string, data: Record<string, unknown>): SuiteResult {
  if (typeof data.suite !== 'string' || data.suite === '') throw new BadInputError(file, 'suite: expected the suite name (a string)');
  if (!Array.isArray(data.results)) throw new BadInputError(file, 'results: expected an array of cases');
  const results = data.results.map((r: unknown, i): CaseResult => {
    const path = `results[${i}]`;
    if (!isObject(r) || typeof r.name !== 'string' || r.name === '') throw new BadInputError(file, `${path}.name: expected the case name (a string)`);
    const ops = requireNumber(file, r, 'ops', path, true);
    const margin = requireNumber(file, r, 'margin', path);
    const colon = r.name.indexOf(':');
    return {
      ...(r as unknown as CaseResult),
      group: typeof r.group === 'string' ? r.group : colon < 0 ? r.name : r.name.slice(0, colon).trim(),
      contender: typeof r.contender === 'string' ? r.contender : colon < 0 ? r.name : r.name.slice(colon + 1).trim(),
      ops,
      margin,
      ns_per_op: isNumber(r.ns_per_op) ? r.ns_per_op : 1e9 / ops,
      median_ns_per_op: isNumber(r.median_ns_per_op) ? r.median_ns_per_op : 1e9 / ops,
    };
  });
  return { ...(data as unknown as SuiteResult), results };
}

function checkWholeRun(file: string, data: Record<string, unknown>): WholeRunResult {
  const scenarios = data.scenarios as Record<string, unknown>;
  for (const [name, s] of Object.entries(scenarios)) {
    const path = `scenarios["${name}"]`;
    if (!isObject(s)) throw new BadInputError(file, `${path}: expected an object`);
    requireNumber(file, s, 'events', path);
    requireNumber(file, s, 'events_per_s', path);
    requireNumber(file, s, 'run_ms_median', path, true);
  }
  return data as unknown as WholeRunResult;
}

async function readResultFile(file: string): Promise<ResultFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BadInputError(file, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : `cannot read (${code ?? (e as Error).message})`);
  }
  return parseResultFile(file, text);
}

/** A file, or every *.json in a folder (not its sub-folders), keyed by suite name ("whole-run" for whole runs). */
export async function readResults(path: string): Promise<{ readonly folder: boolean; readonly results: ReadonlyMap<string, ResultFile> }> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new BadInputError(path, 'no such file or folder');
  }
  if (!isDir) {
    const r = await readResultFile(path);
    return { folder: false, results: new Map([[r.key, r]]) };
  }
  const files = (await readdir(path)).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw new BadInputError(path, 'no result files (*.json) in this folder');
  const results = new Map<string, ResultFile>();
  for (const f of files) {
    const r = await readResultFile(join(path, f));
    const dup = results.get(r.key);
    if (dup) throw new BadInputError(r.file, `holds the results of "${r.key}" as ${basename(dup.file)} does`);
    results.set(r.key, r);
  }
  return { folder: true, results };
}

/** How a case or metric moved. */
export type Verdict = 'regression' | 'slower' | 'within noise' | 'faster' | 'added' | 'removed';

export interface Row {
  /** Case (suites) or metric (whole runs). */
  readonly label: string;
  /** Time per op in ns (suites; lower is better) or the metric's value. */
  readonly old?: number;
  readonly new?: number;
  /** new / old. */
  readonly ratio?: number;
  /** How much worse, in percent (positive: slower), whatever the metric's direction. */
  readonly slowdown_pct?: number;
  /** Relative margins of error (or half-spreads) in percent; undefined when unknown. */
  readonly old_margin?: number;
  readonly new_margin?: number;
  readonly verdict: Verdict;
  readonly unit: 'ns' | 'ms' | 'events/s';
}

export interface Table {
  /** "<suite>: <group>", or "whole-run: <scenario>". */
  readonly title: string;
  readonly rows: readonly Row[];
  readonly note?: string;
}

export interface Comparison {
  readonly threshold_pct: number;
  readonly tables: readonly Table[];
  /** Suites found on one side only (folders). */
  readonly only_old: readonly string[];
  readonly only_new: readonly string[];
  readonly warnings: readonly string[];
  readonly regressions: number;
}

/**
 * The verdict on one measurement: `worse_pct` is how much worse the new one is (negative: better),
 * `noise_pct` the two margins added.
 */
export function judge(worsePct: number, noisePct: number, thresholdPct: number): Verdict {
  if (worsePct > noisePct) return worsePct > thresholdPct ? 'regression' : 'slower';
  if (-worsePct > noisePct) return 'faster';
  return 'within noise';
}

/** A time-like row (lower is better) from two values and their margins. */
function timeRow(label: string, unit: Row['unit'], oldV: number, newV: number, oldM: number | undefined, newM: number | undefined, threshold: number): Row {
  const ratio = newV / oldV;
  const slowdown = (ratio - 1) * 100;
  return { label, unit, old: oldV, new: newV, ratio, slowdown_pct: slowdown, old_margin: oldM, new_margin: newM, verdict: judge(slowdown, (oldM ?? 0) + (newM ?? 0), threshold) };
}

/** Per group, per case: mean ns per op old and new (benny's margin of error is the mean's). */
export function compareSuites(oldSuite: SuiteResult, newSuite: SuiteResult, thresholdPct: number): Table[] {
  const groups = new Map<string, Row[]>();
  const rowsOf = (g: string): Row[] => groups.get(g) ?? (groups.set(g, []).get(g) as Row[]);
  const oldByName = new Map(oldSuite.results.map((r) => [r.name, r]));
  const newByName = new Map(newSuite.results.map((r) => [r.name, r]));
  for (const n of newSuite.results) {
    const o = oldByName.get(n.name);
    rowsOf(n.group).push(
      o
        ? timeRow(n.contender, 'ns', o.ns_per_op, n.ns_per_op, o.margin, n.margin, thresholdPct)
        : { label: n.contender, unit: 'ns', new: n.ns_per_op, new_margin: n.margin, verdict: 'added' },
    );
  }
  for (const o of oldSuite.results) {
    if (!newByName.has(o.name)) rowsOf(o.group).push({ label: o.contender, unit: 'ns', old: o.ns_per_op, old_margin: o.margin, verdict: 'removed' });
  }
  const name = newSuite.suite === oldSuite.suite ? newSuite.suite : `${oldSuite.suite} -> ${newSuite.suite}`;
  return [...groups].map(([g, rows]) => ({ title: `${name}: ${g}`, rows }));
}

/** Half the spread of the runs relative to the median, in percent; undefined without min and max. */
function halfSpreadPct(median: number, min: number | undefined, max: number | undefined): number | undefined {
  if (!isNumber(min) || !isNumber(max) || !(median > 0)) return undefined;
  return ((max - min) / 2 / median) * 100;
}

/** Per scenario: events per second (higher is better) and run ms (lower is better). */
export function compareWholeRuns(oldRuns: WholeRunResult, newRuns: WholeRunResult, thresholdPct: number): Table[] {
  const tables: Table[] = [];
  const names = [...new Set([...Object.keys(newRuns.scenarios), ...Object.keys(oldRuns.scenarios)])];
  for (const name of names) {
    const o: Partial<ScenarioRuns> | undefined = oldRuns.scenarios[name];
    const n: Partial<ScenarioRuns> | undefined = newRuns.scenarios[name];
    const title = `whole-run: ${name}`;
    if (!o || !n) {
      const s = (o ?? n)!;
      tables.push({ title, rows: [{ label: 'events/s', unit: 'events/s', ...(o ? { old: s.events_per_s } : { new: s.events_per_s }), verdict: o ? 'removed' : 'added' }] });
      continue;
    }
    const oNoise = halfSpreadPct(o.run_ms_median!, o.run_ms_min, o.run_ms_max);
    const nNoise = halfSpreadPct(n.run_ms_median!, n.run_ms_min, n.run_ms_max);
    // events/s: worse when lower, so the "slowdown" is old/new - 1, the same as the time's when the events are the same.
    const eps = timeRow('events/s', 'events/s', o.events_per_s!, n.events_per_s!, oNoise, nNoise, thresholdPct);
    const epsWorse = (o.events_per_s! / n.events_per_s! - 1) * 100;
    const rows: Row[] = [
      { ...eps, slowdown_pct: epsWorse, verdict: judge(epsWorse, (oNoise ?? 0) + (nNoise ?? 0), thresholdPct) },
      timeRow('run ms', 'ms', o.run_ms_median!, n.run_ms_median!, oNoise, nNoise, thresholdPct),
    ];
    if (isNumber(o.wall_ms_median) && isNumber(n.wall_ms_median)) {
      const ow = halfSpreadPct(o.wall_ms_median, o.wall_ms_min, o.wall_ms_max);
      const nw = halfSpreadPct(n.wall_ms_median, n.wall_ms_min, n.wall_ms_max);
      rows.push(timeRow('process ms', 'ms', o.wall_ms_median, n.wall_ms_median, ow, nw, thresholdPct));
    }
    const notes: string[] = [];
    if (oNoise === undefined || nNoise === undefined) notes.push('no run_ms_min/max on one side: its noise is unknown (taken as 0), judged on the threshold alone');
    if (o.events !== n.events) notes.push(`the run itself changed: ${o.events} events before, ${n.events} after (compare events/s)`);
    tables.push({ title, rows, ...(notes.length > 0 ? { note: notes.join('; ') } : {}) });
  }
  return tables;
}

function machineLine(m: unknown): string | undefined {
  if (!isObject(m)) return undefined;
  return `${String(m.cpu)}, ${String(m.cores)} cores, ${String(m.memory_gb)} GB, Node ${String(m.node)}`;
}

/** Compares what two paths hold: suites matched by name, whole runs with whole runs. */
export function compareResults(oldSet: ReadonlyMap<string, ResultFile>, newSet: ReadonlyMap<string, ResultFile>, thresholdPct: number): Comparison {
  const tables: Table[] = [];
  const warnings: string[] = [];
  const pairs: [ResultFile, ResultFile][] = [];
  if (oldSet.size === 1 && newSet.size === 1) {
    // Two files: compare them even when the suite was renamed, but not a suite with a whole run.
    const o = [...oldSet.values()][0]!;
    const n = [...newSet.values()][0]!;
    if (o.kind !== n.kind) throw new BadInputError(n.file, `is a ${n.kind} result but ${o.file} is a ${o.kind} result: nothing to compare`);
    pairs.push([o, n]);
  } else {
    for (const [k, n] of newSet) {
      const o = oldSet.get(k);
      if (o) pairs.push([o, n]);
    }
  }
  const paired = new Set(pairs.flatMap(([o, n]) => [o.key, n.key]));
  for (const [o, n] of pairs) {
    const om = machineLine(o.kind === 'suite' ? o.suite.machine : o.wholeRun.machine);
    const nm = machineLine(n.kind === 'suite' ? n.suite.machine : n.wholeRun.machine);
    if (om && nm && om !== nm) warnings.push(`${n.key}: measured on different machines (${om} / ${nm}): the ratios mean little`);
    if (o.kind === 'suite' && n.kind === 'suite') tables.push(...compareSuites(o.suite, n.suite, thresholdPct));
    else if (o.kind === 'whole-run' && n.kind === 'whole-run') tables.push(...compareWholeRuns(o.wholeRun, n.wholeRun, thresholdPct));
  }
  const regressions = tables.reduce((t, tb) => t + tb.rows.filter((r) => r.verdict === 'regression').length, 0);
  return {
    threshold_pct: thresholdPct,
    tables,
    only_old: [...oldSet.keys()].filter((k) => !paired.has(k)),
    only_new: [...newSet.keys()].filter((k) => !paired.has(k)),
    warnings,
    regressions,
  };
}

/** "1.23 ms", "456 ns", "2,345,678 events/s". */
export function formatValue(v: number | undefined, unit: Row['unit']): string {
  if (v === undefined) return '-';
  if (unit === 'events/s') return Math.round(v).toLocaleString('en-US');
  const ns = unit === 'ms' ? v * 1e6 : v;
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(3)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(3)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(3)} us`;
  return `${ns.toFixed(ns >= 100 ? 1 : 2)} ns`;
}

const pct = (x: number | undefined): string => (x === undefined ? '?' : `${x.toFixed(1)}%`);

function verdictText(r: Row, threshold: number): string {
  const s = r.slowdown_pct;
  const noise = (r.old_margin ?? 0) + (r.new_margin ?? 0);
  switch (r.verdict) {
    case 'regression':
      return `REGRESSION: ${s!.toFixed(1)}% worse (> ${threshold}% threshold and > ${noise.toFixed(1)}% noise)`;
    case 'slower':
      return `slower: ${s!.toFixed(1)}% worse, beyond the ${noise.toFixed(1)}% noise but under the ${threshold}% threshold`;
    case 'faster':
      return `faster: ${(-s!).toFixed(1)}% better`;
    case 'within noise':
      return `within noise (${s! >= 0 ? '+' : ''}${s!.toFixed(1)}% vs ${noise.toFixed(1)}%)`;
    case 'added':
      return 'new case';
    case 'removed':
      return 'gone';
  }
}

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
}

/** The tables as text, one block per suite group or scenario, ending with a one-line verdict. */
export function formatComparison(c: Comparison): string {
  const out: string[] = [];
  for (const w of c.warnings) out.push(`warning: ${w}`);
  for (const t of c.tables) {
    const unit = t.rows[0]?.unit === 'ns' ? 'mean time per op' : 'median of runs';
    out.push('', `== ${t.title} (${unit}; ratio = new/old)`);
    const header = ['case', 'old', 'new', 'ratio', '±old', '±new', 'verdict'];
    const body = t.rows.map((r) => [
      r.label,
      formatValue(r.old, r.unit),
      formatValue(r.new, r.unit),
      r.ratio === undefined ? '-' : `${r.ratio.toFixed(3)}x`,
      r.old === undefined ? '-' : pct(r.old_margin),
      r.new === undefined ? '-' : pct(r.new_margin),
      verdictText(r, c.threshold_pct),
    ]);
    out.push(...pad([header, ...body]).map((l) => `  ${l}`));
    if (t.note) out.push(`  note: ${t.note}`);
  }
  if (c.only_old.length > 0) out.push('', `only in the old results (not compared): ${c.only_old.join(', ')}`);
  if (c.only_new.length > 0) out.push('', `only in the new results (not compared): ${c.only_new.join(', ')}`);
  out.push(
    '',
    c.tables.length === 0
      ? 'nothing to compare: no suite is in both'
      : c.regressions > 0
        ? `${c.regressions} regression(s) beyond the noise and the ${c.threshold_pct}% threshold`
        : `no regression beyond the noise and the ${c.threshold_pct}% threshold`,
  );
  return `${out.join('\n').replace(/^\n/, '')}\n`;
}
