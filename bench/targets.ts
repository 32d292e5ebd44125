/**
 * The performance targets of issue 7 (docs: /work/shared/DESIGN.md "Performance"), checked against the
 * measured results by bench/report.ts for BENCHMARKS.md. Everything that names a suite, a case or a note
 * is in WHERE below: when a suite renames a case, adjust it there. The hand-written "why" of a missed
 * target goes in bench/notes.md under the target's id as a heading (`## exact-p95-p99`).
 */
import type { CaseResult, SuiteResult } from './support/suite.ts';
import type { WholeRunResult } from './support/whole-run-format.ts';

/** Where each measurement is found in bench/results. A case is "<group>: <contender>"; patterns match the group or contender. */
export const WHERE = {
  percentiles: {
    suite: 'percentiles',
    /** Recording 1e6 samples through record() and the first exact p95+p99 query over them, timed together. */
    exactQuery: { group: /^p95\+p99 @1e6$/, contender: /^collector$/ },
    /** The first query alone after recording 1e6 samples through record() (ms): what a report pays. */
    firstQueryMs: ['first_query.at_1e6.median_ms'],
    /** Recording: ns per sample from the case's units. */
    record: { group: /^record\b/, contender: /^collector$/ },
    /** The rivals the collector must beat at recording, by label. */
    recordRivals: [
      { label: 'hdr-histogram-js (JS or WebAssembly, the faster)', group: /^record\b/, contender: /^hdr-histogram-js\b/i },
      { label: 'DDSketch', group: /^record\b/, contender: /^DDSketch\b/i },
    ],
    /** Notes (dotted paths in the suite's `notes`, first found wins). */
    bytesPerSample: ['memory.bytes_per_sample_after_record', 'bytes_per_sample'],
    recordAllocPerSample: ['memory.pre_grown_record_1e6.bytes_allocated_per_sample'],
    recordGcs: ['memory.pre_grown_record_1e6.gcs_during_recording'],
  },
  eventQueue: {
    suite: 'event-queue',
    popPush: { group: /^pop\+push @1e3$/, contender: /^typed heap$/ },
  },
  wholeRun: {
    /** The scenario the events/s target is checked on (and run 16x longer), the replay checked against its floor. */
    eventsScenario: 'burst.yaml',
    replayScenario: 'replay-binance-btcusdt.yaml',
    /** Memory against length is checked on each, by target id. */
    memoryScenarios: [
      { id: 'memory-flat', scenario: 'burst.yaml' },
      { id: 'memory-flat-replay', scenario: 'replay-binance-btcusdt.yaml' },
    ],
  },
  startup: {
    suite: 'startup',
    /** The main job as a whole process, the compiled bin. */
    mainJob: { group: /^sim burst\.yaml$/, contender: /^compiled bin\b/ },
  },
  testSuite: {
    suite: 'test-suite',
    /** `npm test` as a whole: lint + vitest run. */
    whole: { group: /^npm test$/, contender: /^lint \+ vitest run$/ },
  },
  sweep: {
    suite: 'sweep',
    speedup: ['speedup_2_workers'],
    queueOverheadMs: ['queue_overhead_ms_per_run'],
  },
} as const;

/**
 * Memory is "flat in run length apart from the samples" when the peak live heap grows by at most this
 * many bytes per extra sample the run keeps (latency + risk samples + fills, from the shortest to the
 * longest run). A latency sample is 8 bytes in the overall collector and 8 in its operation's, up to
 * twice that with a growable buffer's spare capacity; a fill keeps a record of its own; 64 leaves room
 * for those and nothing that grows with the events themselves.
 */
export const FLAT_MAX_BYTES_PER_SAMPLE = 64;
/** "No allocation per sample": recording 1e6 samples into a pre-grown collector allocates less than this per sample, and runs no GC. */
export const NO_ALLOC_MAX_BYTES_PER_SAMPLE = 0.5;
/** DESIGN "Performance": a replay as a whole process within this many times the floor of reading its recording. */
export const REPLAY_MAX_FLOOR_RATIO = 1.15;
/** Issue 18: a sweep on 2 workers at least this many times as fast as on 1 (2 cores). */
export const SWEEP_MIN_SPEEDUP = 1.8;

export type Status = 'met' | 'missed' | 'not measured yet';

export interface TargetCheck {
  /** Heading of its "why" in bench/notes.md. */
  readonly id: string;
  readonly title: string;
  readonly goal: string;
  readonly measured: string;
  readonly status: Status;
  /** When missed: by how much; when met with a stretch aim: whether the aim is met too. */
  readonly detail?: string;
}

export interface Results {
  readonly suites: ReadonlyMap<string, SuiteResult>;
  readonly wholeRun?: WholeRunResult;
}

interface CasePattern {
  readonly group: RegExp;
  readonly contender: RegExp;
}

export function findCase(suite: SuiteResult | undefined, p: CasePattern): CaseResult | undefined {
  return suite?.results.find((r) => p.group.test(r.group) && p.contender.test(r.contender));
}

/** The case with the lowest median per unit among those matching `p`. */
export function fastestCase(suite: SuiteResult | undefined, p: CasePattern): CaseResult | undefined {
  const all = suite?.results.filter((r) => p.group.test(r.group) && p.contender.test(r.contender)) ?? [];
  return all.reduce<CaseResult | undefined>((best, c) => (best === undefined || medianPerUnit(c) < medianPerUnit(best) ? c : best), undefined);
}

export function note(suite: SuiteResult | undefined, paths: readonly string[]): number | undefined {
  for (const path of paths) {
    let v: unknown = suite?.notes;
    for (const k of path.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

/** Median ns per unit (per sample, per pop+push), or per op when the case has no units. */
export const medianPerUnit = (c: CaseResult): number => c.median_ns_per_op / (c.units_per_op ?? 1);

const fmt = (x: number, digits = 2): string =>
  Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(digits);
const over = (measured: number, limit: number, unit: string): string => `missed by ${fmt(measured - limit)} ${unit} (${fmt((measured / limit - 1) * 100, 1)}% over)`;
const under = (measured: number, floor: number, unit: string): string =>
  `missed by ${fmt(floor - measured, 0)} ${unit} (${fmt((1 - measured / floor) * 100, 1)}% short: ${fmt(floor / measured, 1)}x needed)`;

/** A "lower is better" target with an optional stretch aim. */
function atMost(id: string, title: string, measured: number | undefined, limit: number, aim: number | undefined, unit: string, what: string): TargetCheck {
  const goal = `<= ${limit} ${unit}${aim !== undefined ? ` (aim ${aim} ${unit})` : ''}`;
  if (measured === undefined) return { id, title, goal, measured: 'not measured yet', status: 'not measured yet' };
  const m = `${fmt(measured)} ${unit} ${what}`;
  // A time or a size below zero is a broken measurement, not a target met.
  if (!(measured >= 0)) return { id, title, goal, measured: `${m}: not a valid measurement`, status: 'not measured yet' };
  if (measured > limit) return { id, title, goal, measured: m, status: 'missed', detail: over(measured, limit, unit) };
  const aimText = aim === undefined ? undefined : measured <= aim ? 'aim met too' : `aim ${over(measured, aim, unit)}`;
  return { id, title, goal, measured: m, status: 'met', ...(aimText ? { detail: aimText } : {}) };
}

export function checkTargets(r: Results): TargetCheck[] {
  const P = WHERE.percentiles;
  const pct = r.suites.get(P.suite);
  const q = WHERE.eventQueue;
  const eq = r.suites.get(q.suite);
  const checks: TargetCheck[] = [];

  {
    // The first query after recording through record(), timed alone; with it, the recording + query case.
    const query = findCase(pct, P.exactQuery);
    const first = note(pct, P.firstQueryMs);
    const check = atMost('exact-p95-p99', 'Exact p95+p99 over 1e6 samples (first query after record())', first, 5, 2, 'ms', 'median, first query alone');
    checks.push(query && first !== undefined ? { ...check, measured: `${check.measured}; recording 1e6 samples + that query: ${fmt(query.median_ns_per_op / 1e6)} ms median` } : check);
  }

  const rec = findCase(pct, P.record);
  checks.push(atMost('record-ns', 'Recording a sample', rec && medianPerUnit(rec), 10, undefined, 'ns', 'median per sample'));

  const bytes = note(pct, P.bytesPerSample);
  checks.push(atMost('record-bytes', 'Memory per recorded sample', bytes, 8, undefined, 'bytes', 'per sample after recording 1e6'));

  {
    const id = 'record-no-alloc';
    const title = 'No allocation per recorded sample';
    const goal = `0 GCs and < ${NO_ALLOC_MAX_BYTES_PER_SAMPLE} bytes per sample allocated recording into a pre-grown collector`;
    const perSample = note(pct, P.recordAllocPerSample);
    const gcs = note(pct, P.recordGcs);
    if (perSample === undefined || gcs === undefined) checks.push({ id, title, goal, measured: 'not measured yet', status: 'not measured yet' });
    else {
      const measured = `${fmt(perSample, 3)} bytes per sample, ${gcs} GC(s)`;
      const ok = perSample < NO_ALLOC_MAX_BYTES_PER_SAMPLE && gcs === 0;
      checks.push({ id, title, goal, measured, status: ok ? 'met' : 'missed', ...(ok ? {} : { detail: `missed: ${measured}` }) });
    }
  }

  {
    const id = 'record-vs-rivals';
    const title = 'Recording faster than hdr-histogram-js and DDSketch';
    const goal = 'collector faster than each';
    // Of several builds of a rival (hdr-histogram-js in JS and in WebAssembly), the fastest is the one to beat.
    const rivals = P.recordRivals.map((x) => ({ label: x.label, c: fastestCase(pct, x) }));
    if (!rec || rivals.some((x) => !x.c)) {
      const missing = [...(rec ? [] : ['collector']), ...rivals.filter((x) => !x.c).map((x) => x.label)];
      checks.push({ id, title, goal, measured: `not measured yet (${missing.join(', ')})`, status: 'not measured yet' });
    } else {
      const mine = medianPerUnit(rec);
      const parts = rivals.map((x) => ({ label: x.label, ratio: medianPerUnit(x.c!) / mine }));
      const measured = parts.map((x) => (x.ratio >= 1 ? `${fmt(x.ratio)}x faster than ${x.label}` : `${fmt(1 / x.ratio)}x slower than ${x.label}`)).join(', ');
      const slower = parts.filter((x) => x.ratio <= 1);
      checks.push({
        id,
        title,
        goal,
        measured,
        status: slower.length === 0 ? 'met' : 'missed',
        ...(slower.length === 0 ? {} : { detail: `missed: ${slower.map((x) => `${fmt((1 / x.ratio - 1) * 100, 1)}% slower than ${x.label}`).join(', ')}` }),
      });
    }
  }

  const pop = findCase(eq, q.popPush);
  checks.push(atMost('event-queue', 'Event queue pop+push at 1,000 pending (typed heap)', pop && medianPerUnit(pop), 100, undefined, 'ns', 'median per pop+push'));

  {
    const id = 'events-per-s';
    const name = WHERE.wholeRun.eventsScenario;
    const s = r.wholeRun?.scenarios[name];
    const title = `Whole run: events per second on ${name}, steady state`;
    const goal = '>= 2,000,000 events/s (aim 5,000,000) in steady state (in-process, repeated until the median moves < 2%)';
    const st = s?.steady;
    if (!s || !st) checks.push({ id, title, goal, measured: 'not measured yet', status: 'not measured yet' });
    else {
      const eps = st.events_per_s;
      const long = Object.values(r.wholeRun?.long_runs ?? {}).find((l) => l.scenario === name);
      const also = [
        `cold run ${s.events_per_s.toLocaleString('en-US')}`,
        `whole process ${s.events_per_s_process.toLocaleString('en-US')}`,
        ...(long ? [`${long.scale}x longer run: cold ${long.events_per_s.toLocaleString('en-US')}, whole process ${long.events_per_s_process.toLocaleString('en-US')}`] : []),
      ];
      const measured = `${eps.toLocaleString('en-US')} events/s in steady state after ${st.repeats} repeats${st.converged ? '' : ' (not converged)'} (${also.join('; ')})`;
      checks.push({
        id,
        title,
        goal,
        measured,
        status: eps >= 2e6 ? 'met' : 'missed',
        detail: eps >= 2e6 ? (eps >= 5e6 ? 'aim met too' : `aim ${under(eps, 5e6, 'events/s')}`) : under(eps, 2e6, 'events/s'),
      });
    }
  }

  for (const { id, scenario: name } of WHERE.wholeRun.memoryScenarios) {
    const m = r.wholeRun?.memory_by_length?.[name];
    const title = `Whole run: memory flat in run length apart from the samples (${name})`;
    const goal = `peak live heap grows <= ${FLAT_MAX_BYTES_PER_SAMPLE} bytes per extra sample kept`;
    if (!m || m.growth.bytes_per_extra_sample === null) checks.push({ id, title, goal, measured: 'not measured yet', status: 'not measured yet' });
    else {
      const g = m.growth;
      const per = g.bytes_per_extra_sample!;
      const first = m.points[0]!;
      const last = m.points[m.points.length - 1]!;
      const measured = `${first.peak_live_heap_mb} MB at ${g.from} -> ${last.peak_live_heap_mb} MB at ${g.to} (${g.events_ratio}x the events): ${per} bytes per extra sample, ${g.bytes_per_extra_event} per extra event`;
      checks.push({
        id,
        title,
        goal,
        measured,
        status: per <= FLAT_MAX_BYTES_PER_SAMPLE ? 'met' : 'missed',
        ...(per <= FLAT_MAX_BYTES_PER_SAMPLE ? {} : { detail: over(per, FLAT_MAX_BYTES_PER_SAMPLE, 'bytes per sample') }),
      });
    }
  }

  {
    const S = WHERE.startup;
    const c = findCase(r.suites.get(S.suite), S.mainJob);
    checks.push(atMost('main-job', 'Main job (`mmsim sim scenarios/burst.yaml`) as a whole process', c && c.median_ns_per_op / 1e6, 350, undefined, 'ms', 'median, compiled bin'));
  }

  {
    const id = 'replay-vs-floor';
    const f = r.wholeRun?.replay_floor;
    const title = `Replay (${WHERE.wholeRun.replayScenario}) as a whole process against the floor of reading its recording`;
    const goal = `<= ${REPLAY_MAX_FLOOR_RATIO}x the floor (gunzip + split + JSON.parse of the same file, in-process)`;
    if (!f) checks.push({ id, title, goal, measured: 'not measured yet', status: 'not measured yet' });
    else {
      const ratio = f.bin_wall_ms_median / f.floor_work_ms_median;
      const s = r.wholeRun?.scenarios[WHERE.wholeRun.replayScenario];
      const also = [
        `the floor as a whole process ${fmt(f.floor_wall_ms_median)} ms (${fmt(f.bin_wall_ms_median / f.floor_wall_ms_median)}x)`,
        ...(s ? [`cold run in-process ${fmt(s.run_ms_median)} ms (${fmt(s.run_ms_median / f.floor_work_ms_median)}x)`] : []),
        ...(s?.steady ? [`steady state ${fmt(s.steady.sim_ms_median)} ms (${fmt(s.steady.sim_ms_median / f.floor_work_ms_median)}x)`] : []),
      ];
      const measured = `${fmt(f.bin_wall_ms_median)} ms whole process against a floor of ${fmt(f.floor_work_ms_median)} ms: ${fmt(ratio)}x (${also.join('; ')})`;
      const ok = ratio <= REPLAY_MAX_FLOOR_RATIO;
      checks.push({ id, title, goal, measured, status: ok ? 'met' : 'missed', ...(ok ? {} : { detail: over(ratio, REPLAY_MAX_FLOOR_RATIO, 'x') }) });
    }
  }

  {
    const T = WHERE.testSuite;
    const c = findCase(r.suites.get(T.suite), T.whole);
    checks.push(atMost('test-suite', '`npm test` (lint + vitest run) on 2 cores', c && c.median_ns_per_op / 1e9, 90, undefined, 's', 'wall time'));
  }

  {
    const id = 'sweep-speedup';
    const sw = r.suites.get(WHERE.sweep.suite);
    const speedup = note(sw, WHERE.sweep.speedup);
    const queue = note(sw, WHERE.sweep.queueOverheadMs);
    const title = 'Sweep throughput: 2 workers against 1 (issue 18)';
    const goal = `>= ${SWEEP_MIN_SPEEDUP}x on 2 cores`;
    if (speedup === undefined) checks.push({ id, title, goal, measured: 'not measured yet', status: 'not measured yet' });
    else {
      const measured = `${fmt(speedup)}x; queue overhead ${queue === undefined ? 'not measured (no redis-server)' : `${fmt(queue)} ms per run against the local 2-worker pool`}`;
      const ok = speedup >= SWEEP_MIN_SPEEDUP;
      checks.push({ id, title, goal, measured, status: ok ? 'met' : 'missed', ...(ok ? {} : { detail: `missed by ${fmt(SWEEP_MIN_SPEEDUP - speedup)}x (${fmt((1 - speedup / SWEEP_MIN_SPEEDUP) * 100, 1)}% short)` }) });
    }
  }
  return checks;
}
