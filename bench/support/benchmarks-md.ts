/**
 * BENCHMARKS.md from the results (bench/report.ts reads the files and writes it): how to run, the
 * machine, per suite the median per case and its ratio against each alternative in its group, the
 * whole-run tables, and the targets checked against the numbers. Nothing in it is typed by hand but the
 * "why" of a missed target, which comes from bench/notes.md.
 */
import type { CaseResult, SuiteResult } from './suite.ts';
import type { WholeRunResult } from './whole-run-format.ts';
import type { TargetCheck } from '../targets.ts';
import { checkTargets } from '../targets.ts';

export interface ReportInput {
  readonly suites: ReadonlyMap<string, SuiteResult>;
  readonly wholeRun?: WholeRunResult;
  /** Suites expected (bench/suites/*.bench.ts) even when they have no result yet. */
  readonly expectedSuites: readonly string[];
  /** bench/notes.md: the text under each `## <target id>` heading. */
  readonly why: ReadonlyMap<string, string>;
  /** Result files that could not be read, with the reason (shown, never hidden). */
  readonly unreadable: readonly string[];
}

/** The text under each "## id" heading of bench/notes.md, trimmed (HTML comments dropped). */
export function parseNotes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const clean = text.replace(/<!--[\s\S]*?-->/g, '');
  const parts = clean.split(/^## +/m).slice(1);
  for (const p of parts) {
    const nl = p.indexOf('\n');
    const id = (nl < 0 ? p : p.slice(0, nl)).trim();
    out.set(id, nl < 0 ? '' : p.slice(nl + 1).trim());
  }
  return out;
}

/** "1.23 ms", "45.6 ns", "3.21 us". */
export function formatNs(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(2)} s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(ns >= 1e8 ? 0 : ns >= 1e7 ? 1 : 2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(ns >= 1e5 ? 0 : ns >= 1e4 ? 1 : 2)} us`;
  return `${ns.toFixed(ns >= 100 ? 0 : ns >= 10 ? 1 : 2)} ns`;
}

const int = (x: number): string => Math.round(x).toLocaleString('en-US');
const esc = (s: string): string => s.replace(/\|/g, '\\|');
const ratio = (x: number): string => (x >= 10 ? `${x.toFixed(0)}x` : x >= 1 ? `${x.toFixed(2)}x` : `${x.toFixed(3)}x`);

function machineText(m: unknown): string {
  if (typeof m !== 'object' || m === null) return 'unknown';
  const x = m as Record<string, unknown>;
  return `${String(x.cpu)}, ${String(x.cores)} cores, ${String(x.memory_gb)} GB RAM, Node.js ${String(x.node)}`;
}

const STATUS: Record<TargetCheck['status'], string> = { met: '**met**', missed: '**MISSED**', 'not measured yet': 'not measured yet' };

function targetsSection(checks: readonly TargetCheck[], why: ReadonlyMap<string, string>): string[] {
  const out = ['## Targets', '', 'From issue 7 (and DESIGN.md "Performance"), checked against the numbers below by `bench/targets.ts`.', ''];
  out.push('| target | goal | measured | status |', '|---|---|---|---|');
  for (const c of checks) out.push(`| ${esc(c.title)} | ${esc(c.goal)} | ${esc(c.measured)} | ${STATUS[c.status]}${c.detail ? `: ${esc(c.detail)}` : ''} |`);
  // A target met while its stretch aim is not also gets its "why".
  const missed = checks.filter((c) => c.status === 'missed' || (c.status === 'met' && /^aim missed/.test(c.detail ?? '')));
  if (missed.length > 0) {
    out.push('', '### Why the missed targets and aims are missed', '', '_Hand-written in `bench/notes.md` (one heading per target id); the numbers above are not._');
    for (const c of missed) {
      const text = why.get(c.id);
      out.push('', `#### ${c.title} (\`${c.id}\`)`, '', `Measured: ${c.measured}; ${c.detail ?? 'missed'}.`, '');
      out.push(text ? text : `> **Why: not written yet.** Add it under \`## ${c.id}\` in \`bench/notes.md\`, then \`npm run bench:report\`.`);
    }
  }
  return out;
}

function flattenNotes(notes: Record<string, unknown>, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(notes)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) out.push(...flattenNotes(v as Record<string, unknown>, key));
    else out.push([key, typeof v === 'string' ? v : JSON.stringify(v)]);
  }
  return out;
}

function groupTable(cases: readonly CaseResult[]): string[] {
  const withUnits = cases.some((c) => c.units_per_op);
  const perUnit = (c: CaseResult): number => c.median_ns_per_op / (c.units_per_op ?? 1);
  const unit = cases.find((c) => c.unit)?.unit;
  const header = ['contender', 'median per op', ...(withUnits ? [`median per ${unit ?? 'unit'}`] : []), 'ops/s', '± margin', 'samples'];
  const others = cases.length > 1 ? cases.map((c) => `vs ${c.contender}`) : [];
  const out = [`| ${[...header, ...others].map(esc).join(' | ')} |`, `|${[...header, ...others].map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const c of cases) {
    const vs = cases.length > 1 ? cases.map((o) => (o === c ? '-' : ratio(perUnit(c) / perUnit(o)))) : [];
    out.push(
      `| ${[
        c.contender,
        formatNs(c.median_ns_per_op),
        ...(withUnits ? [c.units_per_op ? formatNs(perUnit(c)) : '-'] : []),
        int(c.ops),
        `${c.margin.toFixed(1)}%`,
        String(c.samples),
        ...vs,
      ]
        .map(esc)
        .join(' | ')} |`,
    );
  }
  return out;
}

function suiteSection(name: string, s: SuiteResult | undefined): string[] {
  const out = [`### ${name}`, ''];
  if (!s) return [...out, `Not measured yet: no \`bench/results/${name}.json\` (run \`npm run bench -- --only ${name}\`).`];
  out.push(`Machine: ${machineText(s.machine)}.`, '');
  const groups = new Map<string, CaseResult[]>();
  for (const r of s.results) (groups.get(r.group) ?? groups.set(r.group, []).get(r.group)!).push(r);
  for (const [g, cases] of groups) {
    out.push(`#### ${g}`, '', ...groupTable(cases), '');
  }
  if (s.notes && Object.keys(s.notes).length > 0) {
    out.push('Notes (measured by the suite outside benny):', '');
    for (const [k, v] of flattenNotes(s.notes)) out.push(`- \`${k}\`: ${v.length > 200 ? `${v.slice(0, 200)}...` : v}`);
    out.push('');
  }
  return out;
}

function wholeRunSection(w: WholeRunResult | undefined): string[] {
  const out = ['## Whole runs', ''];
  if (!w) return [...out, 'Not measured yet: no `bench/results/whole-run.json` (run `npm run bench:runs`).'];
  out.push(
    `Every scenario file in its own fresh process, ${w.runs_per_case} times (medians; min-max in brackets). Machine: ${machineText(w.machine)}.`,
    '*events* = `report.execution.events` (all variants of a file); *cold run* = in a fresh process, from reading the scenario to the',
    'report (no Node.js start-up); *steady state* = the same simulation repeated in one process after the cold run until the median',
    'of the last 5 repeats moves by less than 2% (their median; the repeats it took in brackets, * when 60 did not get there);',
    '*whole process* = the process as a user waits for it (Node.js start-up, module loading, run, report, exit).',
    '',
    '| scenario | kind | events | virtual s | cold run ms | events/s (cold run) | events/s (steady state) | whole process ms | events/s (whole process) | peak RSS MB | same digest |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const [name, s] of Object.entries(w.scenarios)) {
    const range = (med: number, min?: number, max?: number): string => `${med}${min !== undefined && max !== undefined ? ` [${min}-${max}]` : ''}`;
    out.push(
      `| ${[
        `${name}${s.variants > 1 ? ` (${s.variants} variants)` : ''}`,
        s.kind ?? '?',
        int(s.events),
        String(s.virtual_s),
        range(s.run_ms_median, s.run_ms_min, s.run_ms_max),
        int(s.events_per_s),
        s.steady ? `${int(s.steady.events_per_s)} (${s.steady.repeats}${s.steady.converged ? '' : '*'})` : '-',
        range(s.wall_ms_median, s.wall_ms_min, s.wall_ms_max),
        s.events_per_s_process !== undefined ? int(s.events_per_s_process) : '-',
        String(s.max_rss_mb_median),
        s.same_digest_every_run ? 'yes' : '**no**',
      ]
        .map(esc)
        .join(' | ')} |`,
    );
  }
  const long = Object.entries(w.long_runs ?? {});
  if (long.length > 0) {
    out.push(
      '',
      '### Longer runs',
      '',
      'A 0.3 s run mostly measures V8 compiling the hot code: the same scenario with every phase scaled, cold in fresh processes (medians).',
      '',
      '| run | runs | events | virtual s | cold run ms | events/s (cold run) | whole process ms | events/s (whole process) |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const [name, l] of long) {
      out.push(`| ${[name, String(l.runs), int(l.events), String(l.virtual_s), String(l.run_ms_median), int(l.events_per_s), String(l.wall_ms_median), int(l.events_per_s_process)].map(esc).join(' | ')} |`);
    }
  }
  const mem = Object.entries(w.memory_by_length ?? {});
  out.push('', '### Memory against the run\'s length', '');
  if (mem.length === 0) return [...out, 'Not measured yet (`npm run bench:runs` without `--no-memory`).'];
  out.push(
    'The same scenario made longer, each length in fresh processes with `--expose-gc`: the peak live heap is the largest heap',
    'still in use after a full GC between slices of the run. *samples* = what the run keeps by design (latency samples,',
    'risk samples, fills), which grows with the length.',
  );
  for (const [name, m] of mem) {
    const g = m.growth;
    out.push('', `#### ${name}: ${m.how}`, '', '| length | virtual s | events | samples | peak live heap MB | peak RSS MB |', '|---|---:|---:|---:|---:|---:|');
    for (const p of m.points) out.push(`| ${p.length} | ${p.virtual_s} | ${int(p.events)} | ${int(p.samples)} | ${p.peak_live_heap_mb} | ${p.max_rss_mb} |`);
    out.push(
      '',
      `From ${g.from} to ${g.to} (${g.events_ratio}x the events): the peak live heap grows ${g.peak_live_heap_mb} MB (x${g.peak_live_heap_ratio}), ` +
        `${g.bytes_per_extra_sample ?? '?'} bytes per extra sample kept, ${g.bytes_per_extra_event ?? '?'} bytes per extra event.`,
    );
  }
  return out;
}

export function renderBenchmarksMd(input: ReportInput): string {
  const checks = checkTargets({ suites: input.suites, ...(input.wholeRun ? { wholeRun: input.wholeRun } : {}) });
  const suiteNames = [...new Set([...input.expectedSuites, ...input.suites.keys()])].sort();
  const machines = new Set([...[...input.suites.values()].map((s) => machineText(s.machine)), ...(input.wholeRun ? [machineText(input.wholeRun.machine)] : [])]);
  const out = [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench:report` (bench/report.ts). Do not edit: rerun the benchmarks or edit bench/notes.md, then regenerate. -->',
    '> **Generated** by `npm run bench:report` from `bench/results/*.json` (and the hand-written "why" notes in `bench/notes.md`).',
    '> Never edit this file by hand: every number here comes from the result files.',
    '',
    '## How to run',
    '',
    '```sh',
    'npm run bench                           # every bench/suites/*.bench.ts in its own process, the whole runs, then this file',
    'npm run bench -- --only percentiles     # some suites only (also: whole-run); --skip NAME leaves some out',
    'npm run bench -- --quick                # fewer runs: a quick look, not numbers to keep',
    'npm run bench:runs                      # the whole-run harness alone (bench/results/whole-run.json)',
    'npm run bench:report                    # regenerate this file from bench/results',
    '```',
    '',
    'Before and after a change (same machine, as quiet as possible):',
    '',
    '```sh',
    'rm -rf tmp/bench-before && cp -r bench/results tmp/bench-before   # the numbers before',
    '# ... change the code ...',
    'npm run bench                                                      # the numbers after',
    'npm run bench:compare -- tmp/bench-before bench/results            # a table per suite group and scenario',
    '```',
    '',
    '`bench:compare` exits 1 when a case is slower by more than the threshold (10%, `--threshold 5`) and by more than its two',
    'margins of error added (for whole runs: half the spread of the runs on each side), 2 on a bad input.',
    '',
    '## Machine',
    '',
    ...(machines.size === 0 ? ['No results yet.'] : [...machines].map((m) => `- ${m}`)),
    ...(machines.size > 1 ? ['', '**The results come from different machines: they do not compare with each other.**'] : []),
    '',
    ...targetsSection(checks, input.why),
    '',
    '## Suites',
    '',
    'Per group, each contender\'s median time per op (and per unit where a call handles many), benny\'s ops/s and relative',
    'margin of error (95%), and the ratio of its median to each other contender\'s (time ratio: below 1 is faster).',
    '',
  ];
  for (const name of suiteNames) out.push(...suiteSection(name, input.suites.get(name)), '');
  out.push(...wholeRunSection(input.wholeRun));
  if (input.unreadable.length > 0) out.push('', '## Unreadable result files', '', ...input.unreadable.map((u) => `- ${u}`));
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
