/**
 * The format of bench/results/whole-run.json (bench/whole-run.ts writes it; bench:compare and the
 * BENCHMARKS.md generator read it).
 */
import type { machineInfo } from './machine.ts';

/** One scenario file, run `runs` times, each in a fresh process. Times in ms, medians over the runs. */
export interface ScenarioRuns {
  readonly kind: 'synthetic' | 'replay';
  /** Runs of the file (its `variants:`, or 1): events and times cover all of them, as `mmsim sim` runs them. */
  readonly variants: number;
  readonly runs: number;
  readonly events: number;
  readonly virtual_s: number;
  readonly same_digest_every_run: boolean;
  /** The whole process: Node and tsx start-up, load, run, report, exit. */
  readonly wall_ms_median: number;
  readonly wall_ms_min: number;
  readonly wall_ms_max: number;
  /** In the process: scenario file read to report built (no start-up). */
  readonly run_ms_median: number;
  readonly run_ms_min: number;
  readonly run_ms_max: number;
  readonly load_ms_median: number;
  /** runScenario alone: simulate and build the report. */
  readonly sim_ms_median: number;
  /** events / run_ms_median; min and max from the slowest and the fastest run. */
  readonly events_per_s: number;
  readonly events_per_s_min: number;
  readonly events_per_s_max: number;
  /** events / sim_ms_median. */
  readonly events_per_s_sim: number;
  /** events / wall_ms_median: what a user waiting for the process sees. */
  readonly events_per_s_process: number;
  /**
   * Steady state: the same simulation repeated in one process after a first, cold run, until the median of
   * the last 5 repeats moves by less than 2% (run-once.ts --steady); times are the last 5's.
   */
  readonly steady?: {
    readonly repeats: number;
    readonly converged: boolean;
    readonly sim_ms_median: number;
    readonly sim_ms_min: number;
    readonly events_per_s: number;
  };
  readonly max_rss_mb_median: number;
}

/** A longer run of a synthetic scenario (every phase scaled), cold in a fresh process: events/s past JIT warm-up. */
export interface LongRun {
  readonly scenario: string;
  readonly scale: number;
  readonly runs: number;
  readonly events: number;
  readonly virtual_s: number;
  readonly run_ms_median: number;
  readonly wall_ms_median: number;
  /** events / run_ms_median (cold, in-process). */
  readonly events_per_s: number;
  /** events / wall_ms_median. */
  readonly events_per_s_process: number;
}

/** A replay as a user runs it against the floor of reading its recording (bench/replay-floor.ts). Medians, ms. */
export interface ReplayFloor {
  readonly scenario: string;
  readonly runs: number;
  /** gunzip + split + JSON.parse of every line, in-process. */
  readonly floor_work_ms_median: number;
  /** The same as a whole process (Node's start-up + the work). */
  readonly floor_wall_ms_median: number;
  /** `node bin/mmsim.js sim <scenario> --quiet` as a whole process (start-up, run, every output file). */
  readonly bin_wall_ms_median: number;
  readonly bin_wall_ms_min: number;
  readonly bin_wall_ms_max: number;
}

export interface LengthPoint {
  readonly length: string;
  readonly virtual_s: number;
  readonly events: number;
  /** Samples the run keeps by design: latency samples + risk samples + fills. */
  readonly samples: number;
  readonly latency_samples: number;
  readonly risk_samples: number;
  readonly fills: number;
  /** Largest heap still in use after a full GC between slices of the run (median over the runs). */
  readonly peak_live_heap_mb: number;
  readonly max_rss_mb: number;
}

export interface MemoryByLength {
  readonly how: string;
  readonly runs_per_length: number;
  readonly points: readonly LengthPoint[];
  /** From the shortest to the longest run. */
  readonly growth: {
    readonly from: string;
    readonly to: string;
    readonly length_ratio: number;
    readonly events_ratio: number;
    readonly peak_live_heap_ratio: number;
    readonly peak_live_heap_mb: number;
    readonly bytes_per_extra_event: number | null;
    readonly bytes_per_extra_sample: number | null;
  };
}

export interface WholeRunResult {
  readonly machine: ReturnType<typeof machineInfo>;
  readonly runs_per_case: number;
  /** How the steady state is found (run-once.ts --steady), or 0 when it was not measured. */
  readonly steady_state?: string | 0;
  /** Older files: how many in-process repeats "warm" took (replaced by steady_state). */
  readonly in_process_repeats?: number;
  readonly harness_s: number;
  readonly scenarios: Readonly<Record<string, ScenarioRuns>>;
  /** By "<file> x<scale>": the events/s scenario run 16 times as long (bench/whole-run.ts). */
  readonly long_runs?: Readonly<Record<string, LongRun>>;
  readonly replay_floor?: ReplayFloor;
  readonly memory_by_length: Readonly<Record<string, MemoryByLength>>;
}
