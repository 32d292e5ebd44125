/**
 * One benny suite per hot component. A case's function does its setup and returns the timed function
 * (benny's convention), so setup never counts. Results go to bench/results/<suite>.json, written
 * atomically, in one format that `npm run bench:compare` and the BENCHMARKS.md generator read.
 *
 * Two things to know when writing a suite: benny calls `setup` several times per case (keep it cheap
 * and repeatable, memoise expensive inputs), and V8 shares type feedback between closures made from
 * one function literal, so give each contender its own timed-loop literal or the later case pays for
 * the earlier one's types.
 */
import { join } from 'node:path';
import b from 'benny';
import { writeFilesAtomically } from '../../src/sim/run/atomic-write.ts';
import { machineInfo } from './machine.ts';

export interface BenchCase {
  /** "<group>: <contender>", e.g. "p95+p99 @1e6: collector"; compare and the report group by the part before the colon. */
  readonly name: string;
  /** Setup; returns the function benny times. */
  readonly setup: () => () => unknown;
  /** How many units (samples, events, orders) one call of the timed function handles, to report ns per unit. */
  readonly unitsPerOp?: number;
  readonly unit?: string;
  /** Benny options for this case (e.g. fewer samples for a slow one). */
  readonly options?: { minSamples?: number; maxTime?: number; minTime?: number };
}

export interface CaseResult {
  readonly name: string;
  readonly group: string;
  readonly contender: string;
  readonly ops: number;
  /** Relative margin of error of `ops`, percent (benny/benchmark.js, 95% confidence). */
  readonly margin: number;
  readonly samples: number;
  readonly ns_per_op: number;
  readonly median_ns_per_op: number;
  readonly unit?: string;
  readonly units_per_op?: number;
  readonly ns_per_unit?: number;
  /**
   * CPU time (user + system) per unit, median of 5 runs of >= 100 ms each, measured after benny. On a
   * shared machine it moves far less than wall time, since time the process is not scheduled is not counted.
   */
  readonly cpu_ns_per_unit?: number;
}

export interface SuiteResult {
  readonly suite: string;
  readonly machine: ReturnType<typeof machineInfo>;
  readonly results: readonly CaseResult[];
  readonly notes?: Record<string, unknown>;
}

export const RESULTS_DIR = join(import.meta.dirname, '..', 'results');

/** `npm run bench -- --quick` (BENCH_QUICK=1): a smoke run, a few samples per case; not for comparisons. */
const QUICK = process.env.BENCH_QUICK === '1' ? { minSamples: 2, maxTime: 0.2 } : undefined;

/** CPU ns per unit of a case: the median of `reps` runs, each calling the timed function for at least `minUs` of CPU. */
export function cpuNsPerUnit(c: BenchCase, reps = QUICK ? 1 : 5, minUs = QUICK ? 20_000 : 100_000): number {
  const fn = c.setup();
  const runs: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    let calls = 0;
    let used = 0;
    const t0 = process.cpuUsage();
    while (used < minUs || calls === 0) {
      fn();
      calls++;
      const u = process.cpuUsage(t0);
      used = u.user + u.system;
    }
    runs.push((used * 1000) / (calls * (c.unitsPerOp ?? 1)));
  }
  runs.sort((x, y) => x - y);
  return runs[Math.floor(runs.length / 2)]!;
}

/** Runs the cases (benny prints progress) and saves bench/results/<suite>.json; `notes` adds measurements made outside benny. */
export async function runSuite(suite: string, cases: readonly BenchCase[], notes?: () => Record<string, unknown>): Promise<SuiteResult> {
  const byName = new Map(cases.map((c) => [c.name, c]));
  const summary = await b.suite(suite, ...cases.map((c) => b.add(c.name, c.setup, QUICK ?? c.options)), b.cycle());
  const results = summary.results.map((r): CaseResult => {
    const c = byName.get(r.name)!;
    const colon = r.name.indexOf(':');
    const ns = 1e9 / r.ops;
    return {
      name: r.name,
      group: colon < 0 ? r.name : r.name.slice(0, colon).trim(),
      contender: colon < 0 ? r.name : r.name.slice(colon + 1).trim(),
      ops: r.ops,
      margin: r.margin,
      samples: r.samples,
      ns_per_op: ns,
      median_ns_per_op: r.details.median * 1e9,
      ...(c.unitsPerOp ? { unit: c.unit ?? 'unit', units_per_op: c.unitsPerOp, ns_per_unit: ns / c.unitsPerOp } : {}),
      cpu_ns_per_unit: cpuNsPerUnit(c),
    };
  });
  printTable(results);
  const result: SuiteResult = { suite, machine: machineInfo(), results, ...(notes ? { notes: notes() } : {}) };
  await writeFilesAtomically([[join(RESULTS_DIR, `${suite}.json`), `${JSON.stringify(result, null, 2)}\n`]]);
  return result;
}

/** Per group: each contender's median wall and CPU ns per unit, and its CPU time against the group's fastest. */
function printTable(results: readonly CaseResult[]): void {
  const groups = [...new Set(results.map((r) => r.group))];
  for (const g of groups) {
    const rows = results.filter((r) => r.group === g);
    const best = Math.min(...rows.map((r) => r.cpu_ns_per_unit ?? Infinity));
    console.log(`\n${g} (ns per ${rows[0]!.unit ?? 'op'}: median wall / CPU)`);
    for (const r of rows) {
      const wall = r.median_ns_per_op / (r.units_per_op ?? 1);
      const cpu = r.cpu_ns_per_unit ?? NaN;
      console.log(`  ${r.contender.padEnd(34)} ${fmt(wall).padStart(12)} ${fmt(cpu).padStart(12)}   x${(cpu / best).toFixed(2)}`);
    }
  }
}

const fmt = (ns: number): string => (ns >= 100 ? ns.toFixed(0) : ns.toPrecision(3));
