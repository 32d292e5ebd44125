import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../../src/sim/run/runner.ts';
import type { Report } from '../../src/core/report.ts';
import type { LoadedScenario } from '../../src/sim/scenario/load-scenario.ts';
import { loadScenario, loadScenarioRuns } from '../../src/sim/scenario/load-scenario.ts';
import { repoRoot } from './run.ts';

/**
 * One run of a scenario file shared by every test file that only reads its outputs (the golden reports,
 * scenario, report and order-log checks): vitest runs each test file in its own worker, so the first
 * one to ask runs the scenario and keeps the outputs on disk; the others read them. The key is
 * everything the run depends on: the loaded scenario itself (every field, its variant), the seed, the whole
 * of src/ and examples/, package-lock.json, the Node version, MMSIM_* variables, the size and time of any
 * recording it replays and a user strategy module's text; a change to any of them is a new run. Tests of determinism itself run the scenario for real.
 */
export interface SharedRun {
  readonly report: Report;
  readonly reportJson: string;
  readonly metricsText: string;
  readonly fillsCsv: string;
  readonly ordersCsv: string;
  readonly reportHtml: string;
}

const CACHE = join(tmpdir(), 'mmsim-test-runs');

let codeHash: string | undefined;
function codeVersion(): string {
  if (codeHash !== undefined) return codeHash;
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) h.update(`${p}\0`).update(readFileSync(p)).update('\0');
    }
  };
  walk(join(repoRoot, 'src'));
  walk(join(repoRoot, 'examples'));
  h.update(readFileSync(join(repoRoot, 'package-lock.json')));
  h.update(process.version);
  for (const [k, v] of Object.entries(process.env).sort(([a], [b]) => (a < b ? -1 : 1))) if (k.startsWith('MMSIM_')) h.update(`${k}=${v ?? ''}\0`);
  codeHash = h.digest('hex');
  return codeHash;
}

/** The scenario exactly as loaded (every field, empirical latencies read) is what runs: it is the key, not its file. */
function keyOf(scenario: LoadedScenario, seed: number | undefined): string {
  const h = createHash('sha256').update(codeVersion());
  h.update(JSON.stringify(scenario)).update(`\0${seed ?? ''}\0`);
  for (const p of scenario.replayPaths ?? []) {
    const s = statSync(p);
    h.update(`${p}\0${s.size}\0${s.mtimeMs}\0`);
  }
  if (scenario.strategyPath !== undefined) h.update(readFileSync(scenario.strategyPath));
  return h.digest('hex');
}

const memo = new Map<string, Promise<SharedRun>>();

/** Runs of older versions of the code are never read again: beyond KEEP files, the oldest go. */
const KEEP = 200;
function prune(): void {
  try {
    const files = readdirSync(CACHE)
      .filter((f) => f.endsWith('.json'))
      .map((f) => ({ f, t: statSync(join(CACHE, f)).mtimeMs }));
    if (files.length <= KEEP) return;
    files.sort((a, b) => a.t - b.t);
    for (const { f } of files.slice(0, files.length - KEEP)) rmSync(join(CACHE, f), { force: true });
  } catch {
    // Another worker pruning at the same time: nothing to do.
  }
}

async function shared(scenario: LoadedScenario, seed: number | undefined): Promise<SharedRun> {
  const key = keyOf(scenario, seed);
  const path = join(CACHE, `${key}.json`);
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = undefined;
  }
  if (text === undefined) {
    const r = await runScenario(scenario, seed === undefined ? {} : { seed });
    const kept = { reportJson: r.reportJson, metricsText: r.metricsText, fillsCsv: r.fillsCsv, ordersCsv: r.ordersCsv, reportHtml: r.reportHtml };
    text = JSON.stringify(kept);
    mkdirSync(CACHE, { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path); // atomic: a worker reading at the same time sees the whole file or none
    prune();
  }
  const kept = JSON.parse(text) as Omit<SharedRun, 'report'>;
  return { ...kept, report: JSON.parse(kept.reportJson) as Report };
}

/** Every run of scenarios/<file> (one per variant, in order, as `mmsim sim` runs them), shared (see above). */
export async function sharedRuns(file: string, seed?: number): Promise<{ variant: string | undefined; run: SharedRun }[]> {
  const runs = await loadScenarioRuns(join(repoRoot, 'scenarios', file));
  return Promise.all(runs.map(async (s) => ({ variant: s.variant, run: await memoised(s, seed) })));
}

/** What runFile(file, seed) gives (support/run.ts), shared (see above). */
export async function sharedRun(file: string, seed?: number): Promise<SharedRun> {
  return memoised(await loadScenario(join(repoRoot, 'scenarios', file)), seed);
}

function memoised(scenario: LoadedScenario, seed: number | undefined): Promise<SharedRun> {
  const k = keyOf(scenario, seed);
  let p = memo.get(k);
  if (!p) {
    p = shared(scenario, seed);
    memo.set(k, p);
  }
  return p;
}
