/**
 * Percentile hot paths, side by side with the alternatives, all on the same seeded lognormal latencies
 * (median 40 ms, sigma 0.5, float64 ms; seedrandom alea via src/sim/clock/rng.ts, seed "mmsim/bench/percentiles").
 *
 *   node --expose-gc --import tsx bench/suites/percentiles.bench.ts
 *
 * Groups:
 *   "p95+p99 @1e3|1e5|1e6": one exact nearest-rank p95+p99 query over n recorded samples (ms per op).
 *     - collector: PercentileCollector as a run and its report use it: every call records a fresh window of
 *       n samples through record() (reset() keeps the grown buffer) and makes the first query,
 *       quantiles([9500, 9900]), which folds the sum/min/max of the new samples and selects in place. The
 *       call's time is recording + first query (the contenders below copy the window instead); the query
 *       alone, timed apart from the recording, is the note `first_query` (what the exact-p95-p99 target reads).
 *     - seed sort: plain number[] copied and sorted with a comparator per query, index ceil(q*n)-1.
 *     - Float64Array sort: copy + typed (comparator-free) sort per query.
 *     - quickselect: the npm package on a number[] copy per query: p95 first, then p99 in the part above it.
 *       These three copy a window of n samples that slides by n over the 1e6 samples on every call: on
 *       the same 1e3 values every time, the CPU's branch predictors learn the whole partition and
 *       quickselect looks ~3x cheaper than on data it has not seen (measured: 4.6 us against 13 us).
 *     - hdr-histogram-js: getValueAtPercentile(95|99) on a filled histogram of integer microseconds
 *       (Int32 buckets, 3 significant digits, 1 us .. 60 s, autoResize): APPROXIMATE. The pure-JS build
 *       everywhere, and its WebAssembly build at 1e6 and for recording ("hdr-histogram-js wasm").
 *     - DDSketch: getValueAtQuantile on a filled sketch, relative accuracy 1%: APPROXIMATE.
 *   prom-client: Histogram.observe on a child resolved once (as BotMetrics does), buckets LATENCY_BUCKETS_MS,
 *     in a Registry of its own (never the global one); recording only (it has no exact quantiles).
 *   "record 1e4": recording 10,000 samples per op, reported as ns per sample. The window slides over the
 *     1e6 samples so branch predictors see fresh values. The collector and the array are reset per op
 *     (reset() keeps the collector's buffer; `length = 0` lets V8 regrow the array); the histograms and
 *     the sketch are reused as they are (their memory does not grow with the sample count). hdr records
 *     integer microseconds converted beforehand (the bot's own latencies are integer microseconds).
 * Notes (outside benny): the collector's bytes per sample, allocation while recording into a pre-grown
 * collector, agreement of the exact contenders and the relative error of the approximate ones at 1e6.
 */
import * as v8 from 'node:v8';
import { DDSketch } from '@datadog/sketches-js';
import * as hdr from 'hdr-histogram-js';
import { Histogram, Registry } from 'prom-client';
import quickselect from 'quickselect';
import { LATENCY_BUCKETS_MS } from '../../src/core/bot-metrics.ts';
import { nearestRankIndex, PercentileCollector } from '../../src/core/percentiles.ts';
import { RandomStream } from '../../src/sim/clock/rng.ts';
import { runSuite } from '../support/suite.ts';
import type { BenchCase } from '../support/suite.ts';

const POOL = 1_000_000;
const MEDIAN_MS = 40;
const SIGMA = 0.5;
const QBPS = [9500, 9900] as const;
const RECORD_BATCH = 10_000;

/** The samples every contender sees, in ms, and the same as integer microseconds for hdr-histogram-js. */
const samplesMs = new Float64Array(POOL);
{
  const rng = new RandomStream('bench', 'percentiles');
  for (let i = 0; i < POOL; i++) samplesMs[i] = rng.lognormal(MEDIAN_MS, SIGMA);
}
const samplesUs = samplesMs.map((v) => Math.round(v * 1000));

/** Results flow here so that no timed computation is dead code. */
let sink = 0;

const hasGc = typeof (globalThis as { gc?: unknown }).gc === 'function';
const gc = (): void => (globalThis as unknown as { gc: () => void }).gc();

function filledCollector(n: number): PercentileCollector {
  const c = new PercentileCollector();
  for (let i = 0; i < n; i++) c.record(samplesMs[i]!);
  return c;
}

await hdr.initWebAssembly();

function buildHdr(useWebAssembly = false): hdr.Histogram {
  return hdr.build({ bitBucketSize: 32, lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, autoResize: true, useWebAssembly });
}

function filledHdr(n: number, useWebAssembly = false): hdr.Histogram {
  const h = buildHdr(useWebAssembly);
  for (let i = 0; i < n; i++) h.recordValue(samplesUs[i]!);
  return h;
}

function filledSketch(n: number): DDSketch {
  const s = new DDSketch({ relativeAccuracy: 0.01 });
  for (let i = 0; i < n; i++) s.accept(samplesMs[i]!);
  return s;
}

/** The seed's way: sort a copy of arr[from, from+n) with a comparator, index ceil(q*n)-1 in floating point. */
function seedSortQuery(arr: readonly number[], from: number, n: number): [number, number] {
  const s = arr.slice(from, from + n).sort((a, b) => a - b);
  return [s[Math.ceil(0.95 * n) - 1]!, s[Math.ceil(0.99 * n) - 1]!];
}

function quickselectQuery(arr: readonly number[], from: number, n: number, k95: number, k99: number): [number, number] {
  const a = arr.slice(from, from + n);
  quickselect(a, k95);
  if (k99 > k95) quickselect(a, k99, k95 + 1, n - 1);
  return [a[k95]!, a[k99]!];
}

/** Start of the next window of `size` samples, sliding by `size` over the pool (POOL is a multiple of it). */
function windows(size: number): () => number {
  let start = 0;
  return () => {
    const s = start;
    start = start + size >= POOL ? 0 : start + size;
    return s;
  };
}

/** All samples as a plain array, for the contenders that work on number[]. */
const poolArray = Array.from(samplesMs);

function queryCases(n: number, label: string, slow: boolean): BenchCase[] {
  const group = `p95+p99 @${label}`;
  const k95 = nearestRankIndex(n, 9500);
  const k99 = nearestRankIndex(n, 9900);
  const slowOptions = slow ? { options: { minSamples: 5, maxTime: 1 } } : { options: { maxTime: 1.5 } };
  const fastOptions = { options: { maxTime: 1 } };
  return [
    {
      name: `${group}: collector`,
      ...(slow ? { options: { minSamples: 10, maxTime: 2 } } : { options: { maxTime: 1.5 } }),
      setup: () => {
        const c = new PercentileCollector();
        fill(c, n); // grown once: recording never allocates in the timed calls
        const next = windows(n);
        return () => {
          // As a run and its report do: every sample through record(), then the first query (its sum/min/max
          // pass and the selection) on samples no earlier query has partitioned.
          const from = next();
          c.reset();
          for (let i = from, end = from + n; i < end; i++) c.record(samplesMs[i]!);
          const q = c.quantiles(QBPS);
          sink += q[0]! + q[1]!;
        };
      },
    },
    {
      name: `${group}: seed sort`,
      ...slowOptions,
      setup: () => {
        const next = windows(n);
        return () => {
          const [a, b] = seedSortQuery(poolArray, next(), n);
          sink += a + b;
        };
      },
    },
    {
      name: `${group}: Float64Array sort`,
      ...slowOptions,
      setup: () => {
        const next = windows(n);
        return () => {
          const from = next();
          const s = samplesMs.slice(from, from + n).sort();
          sink += s[k95]! + s[k99]!;
        };
      },
    },
    {
      name: `${group}: quickselect`,
      ...slowOptions,
      setup: () => {
        const next = windows(n);
        return () => {
          const [a, b] = quickselectQuery(poolArray, next(), n, k95, k99);
          sink += a + b;
        };
      },
    },
    {
      name: `${group}: hdr-histogram-js (approx)`,
      ...fastOptions,
      setup: () => {
        const h = filledHdr(n);
        return () => {
          sink += h.getValueAtPercentile(95) / 1000 + h.getValueAtPercentile(99) / 1000;
        };
      },
    },
    ...(slow
      ? [
          {
            name: `${group}: hdr-histogram-js wasm (approx)`,
            ...fastOptions,
            setup: () => {
              const h = filledHdr(n, true);
              return () => {
                sink += h.getValueAtPercentile(95) / 1000 + h.getValueAtPercentile(99) / 1000;
              };
            },
          },
        ]
      : []),
    {
      name: `${group}: DDSketch (approx)`,
      ...fastOptions,
      setup: () => {
        const s = filledSketch(n);
        return () => {
          sink += s.getValueAtQuantile(0.95) + s.getValueAtQuantile(0.99);
        };
      },
    },
  ];
}

const perSample = { unitsPerOp: RECORD_BATCH, unit: 'sample', options: { maxTime: 1.5 } } as const;
const recordGroup = 'record 1e4';

const recordCases: BenchCase[] = [
  {
    name: `${recordGroup}: collector`,
    ...perSample,
    setup: () => {
      const c = filledCollector(RECORD_BATCH); // pre-grown: reset() keeps the buffer
      const next = windows(RECORD_BATCH);
      return () => {
        c.reset();
        const s = next();
        for (let i = s, end = s + RECORD_BATCH; i < end; i++) c.record(samplesMs[i]!);
        sink += c.count;
      };
    },
  },
  {
    name: `${recordGroup}: JS array push`,
    ...perSample,
    setup: () => {
      const arr: number[] = [];
      const next = windows(RECORD_BATCH);
      return () => {
        arr.length = 0;
        const s = next();
        for (let i = s, end = s + RECORD_BATCH; i < end; i++) arr.push(samplesMs[i]!);
        sink += arr.length;
      };
    },
  },
  {
    name: `${recordGroup}: hdr-histogram-js (us ints)`,
    ...perSample,
    setup: () => {
      const h = filledHdr(RECORD_BATCH);
      const next = windows(RECORD_BATCH);
      return () => {
        const s = next();
        for (let i = s, end = s + RECORD_BATCH; i < end; i++) h.recordValue(samplesUs[i]!);
        sink += h.totalCount;
      };
    },
  },
  {
    name: `${recordGroup}: hdr-histogram-js wasm (us ints)`,
    ...perSample,
    setup: () => {
      const h = filledHdr(RECORD_BATCH, true);
      const next = windows(RECORD_BATCH);
      return () => {
        const s = next();
        for (let i = s, end = s + RECORD_BATCH; i < end; i++) h.recordValue(samplesUs[i]!);
        sink += h.totalCount;
      };
    },
  },
  {
    name: `${recordGroup}: DDSketch`,
    ...perSample,
    setup: () => {
      const sk = filledSketch(RECORD_BATCH);
      const next = windows(RECORD_BATCH);
      return () => {
        const s = next();
        for (let i = s, end = s + RECORD_BATCH; i < end; i++) sk.accept(samplesMs[i]!);
        sink += sk.count;
      };
    },
  },
  {
    name: `${recordGroup}: prom-client Histogram`,
    ...perSample,
    setup: () => {
      const registry = new Registry();
      const h = new Histogram({ name: 'bench_latency_ms', help: 'bench', labelNames: ['op'], buckets: [...LATENCY_BUCKETS_MS], registers: [registry] });
      const child = h.labels('place'); // as BotMetrics does: one child per op, resolved once
      const next = windows(RECORD_BATCH);
      return () => {
        const s = next();
        for (let i = s, end = s + RECORD_BATCH; i < end; i++) child.observe(samplesMs[i]!);
        sink += s;
      };
    },
  },
];

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;
const relErr = (approx: number, exact: number): number => round((approx - exact) / exact, 5);

function exactness(): Record<string, unknown> {
  const n = POOL;
  const k95 = nearestRankIndex(n, 9500);
  const k99 = nearestRankIndex(n, 9900);
  const sorted = samplesMs.slice().sort();
  const exact = { p95: sorted[k95]!, p99: sorted[k99]! };
  const [cp95, cp99] = filledCollector(n).quantiles(QBPS) as [number, number];
  const seed = seedSortQuery(poolArray, 0, n);
  const qs = quickselectQuery(poolArray, 0, n, k95, k99);
  const approx = (p95: number, p99: number) => ({
    ms: { p95, p99 },
    relative_error: { p95: relErr(p95, exact.p95), p99: relErr(p99, exact.p99) },
  });
  const h = filledHdr(n);
  const hw = filledHdr(n, true);
  const sk = filledSketch(n);
  return {
    n,
    exact_ms: exact,
    exact_contenders_agree: [cp95, seed[0], qs[0]].every((v) => v === exact.p95) && [cp99, seed[1], qs[1]].every((v) => v === exact.p99),
    hdr_histogram_js: approx(h.getValueAtPercentile(95) / 1000, h.getValueAtPercentile(99) / 1000),
    hdr_histogram_js_wasm: approx(hw.getValueAtPercentile(95) / 1000, hw.getValueAtPercentile(99) / 1000),
    ddsketch: approx(sk.getValueAtQuantile(0.95), sk.getValueAtQuantile(0.99)),
  };
}

/** Full GC, then let V8 finish freeing array buffers, then GC again. */
async function settle(): Promise<void> {
  gc();
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

function fill(c: PercentileCollector, count: number): void {
  for (let i = 0; i < count; i++) c.record(samplesMs[i]!);
}

/** Heap used before/after recording `count` samples into `c` (reset first), and the GCs in between. */
function recordingGrowth(c: PercentileCollector, count: number): { heap: number; buffers: number; gcs: number } {
  c.reset();
  const profiler = new v8.GCProfiler();
  const m0 = process.memoryUsage();
  profiler.start();
  fill(c, count);
  const gcs = profiler.stop()?.statistics.length ?? -1;
  const m1 = process.memoryUsage();
  return { heap: m1.heapUsed - m0.heapUsed, buffers: m1.arrayBuffers - m0.arrayBuffers, gcs };
}

/** Measured before benny runs, on a quiet heap; needs --expose-gc. */
async function memory(): Promise<Record<string, unknown>> {
  if (!hasGc) return { skipped: 'run node with --expose-gc for the memory notes' };
  const n = POOL;
  // Warm record() and fill() up: optimised code keeps the doubles unboxed, the interpreter would not.
  for (let r = 0; r < 5; r++) fill(new PercentileCollector(), n);

  await settle();
  const m0 = process.memoryUsage();
  const c = new PercentileCollector();
  fill(c, n);
  await settle();
  const m1 = process.memoryUsage();
  c.quantiles(QBPS);
  await settle();
  const m2 = process.memoryUsage();
  // A negative heap delta is the collector of something else, not memory the samples gave back: count 0.
  const perSample = (a: NodeJS.MemoryUsage, b: NodeJS.MemoryUsage): number => round((Math.max(0, b.heapUsed - a.heapUsed) + b.arrayBuffers - a.arrayBuffers) / n);

  // Recording into the now pre-grown collector. What a recording allocates per sample is the slope of
  // the heap growth between recording n/2 and n samples (medians of 5): V8's own fixed allocations
  // (compiled code, feedback, the probes) cancel out, which a single before/after does not.
  const growth = (count: number): { bytes: number; gcs: number } => {
    const runs = Array.from({ length: 5 }, () => recordingGrowth(c, count));
    const bytes = runs.map((r) => r.heap + r.buffers).sort((a, b) => a - b);
    return { bytes: bytes[2]!, gcs: runs.reduce((a, r) => a + r.gcs, 0) };
  };
  growth(n);
  await settle();
  const half = growth(n / 2);
  await settle();
  const full = growth(n);
  sink += c.count;
  return {
    samples: n,
    bytes_per_sample_after_record: perSample(m0, m1),
    bytes_per_sample_after_record_and_query: perSample(m0, m2),
    after_record: { array_buffer_bytes: m1.arrayBuffers - m0.arrayBuffers, heap_bytes: m1.heapUsed - m0.heapUsed },
    after_query: { array_buffer_bytes: m2.arrayBuffers - m0.arrayBuffers, heap_bytes: m2.heapUsed - m0.heapUsed },
    note:
      'a Float64Array of 8 bytes per sample whose capacity doubles from 1024: 1e6 samples sit in 2^20 slots (8.39 bytes/sample, up to 16 just after a doubling); ' +
      'queries select in place, so they add nothing. Heap deltas are within about +-100 kB of noise (a negative one counts as 0).',
    pre_grown_record_1e6: {
      method: 'heap + array buffer growth while recording n/2 and n samples into a pre-grown collector, median of 5 each; slope per sample',
      growth_median_bytes: { half: half.bytes, full: full.bytes },
      gcs_during_recording: half.gcs + full.gcs,
      bytes_allocated_per_sample: round(Math.max(0, full.bytes - half.bytes) / (n / 2), 4),
    },
  };
}

const memoryNotes = await memory();

/**
 * The first p95+p99 query after recording n samples through record(), timed alone (the recording is not):
 * the fold of sum/min/max over the new samples plus the selection, as report building pays it. Median of
 * `reps` rounds, each on a fresh window, after a few untimed rounds to let V8 compile the code.
 */
function firstQueryMs(n: number, reps: number): { n: number; rounds: number; median_ms: number; min_ms: number; max_ms: number } {
  const c = new PercentileCollector();
  const next = windows(n);
  const times: number[] = [];
  for (let r = -3; r < reps; r++) {
    const from = next();
    c.reset();
    for (let i = from, end = from + n; i < end; i++) c.record(samplesMs[i]!);
    const t = performance.now();
    const q = c.quantiles(QBPS);
    const ms = performance.now() - t;
    sink += q[0]! + q[1]!;
    if (r >= 0) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return { n, rounds: reps, median_ms: round(times[reps >> 1]!, 4), min_ms: round(times[0]!, 4), max_ms: round(times[reps - 1]!, 4) };
}
const firstQuery = { method: 'record n samples through record() (untimed), then time the first quantiles([9500, 9900]) alone; median of the rounds', at_1e6: firstQueryMs(POOL, process.env.BENCH_QUICK === '1' ? 5 : 31) };

const cases = [...queryCases(1_000, '1e3', false), ...queryCases(100_000, '1e5', false), ...queryCases(1_000_000, '1e6', true), ...recordCases];

/** Run the cheap cases for a moment first, so the first cases benny times do not pay for JIT warm-up alone. */
function warmUp(): void {
  for (const c of cases.filter((x) => x.name.includes('@1e3') || x.name.startsWith(recordGroup))) {
    const f = c.setup();
    const until = performance.now() + 150;
    while (performance.now() < until) f();
  }
}
warmUp();

await runSuite(
  'percentiles',
  cases,
  () => ({
    data: { distribution: 'lognormal', median_ms: MEDIAN_MS, sigma: SIGMA, pool: POOL, seed: 'mmsim/bench/percentiles (seedrandom alea)' },
    collector_query_protocol: 'every call: reset(), a fresh window of n samples through record(), then the first quantiles([9500, 9900]); all timed',
    first_query: firstQuery,
    memory: memoryNotes,
    exactness_at_1e6: exactness(),
    sink: Number.isFinite(sink),
  }),
);
