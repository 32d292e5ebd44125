// A real Prometheus (Debian's `prometheus` package; .ci/run installs it) scrapes `mmsim sim --metrics-port
// --hold`, and its histogram_quantile estimate must agree with the report's exact nearest-rank percentile:
// both lie in the same latency bucket. The test starts its own prometheus binary (own port, own temporary
// storage and config), never talks to a system service, and kills both processes whatever happens.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS_MS } from '../../src/core/bot-metrics.ts';
import { freePort, onPath, sleep, startGroup } from '../support/processes.ts';
import type { Proc } from '../support/processes.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Everything (starting Prometheus, scraping, querying) must be done within this. */
const DEADLINE_MS = 45_000;

const started: Proc[] = [];

const start = (name: string, file: string, args: readonly string[]): Proc => startGroup(name, file, args, ROOT, started, 20_000);

/** Whether any process of the group `pgid` still exists. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the whole group, SIGKILL after 5 s if anything in it is still there. */
async function killGroup(p: Proc): Promise<void> {
  const pgid = p.proc.pid;
  if (pgid === undefined) return;
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pgid, s);
    } catch {
      // the group is gone
    }
  };
  signal('SIGTERM');
  for (let waited = 0; waited < 5000 && (groupAlive(pgid) || !p.exited); waited += 50) await sleep(50);
  if (groupAlive(pgid) || !p.exited) {
    signal('SIGKILL');
    await p.exit;
  }
}

/** Waits for `pattern` in a process's output; fails if the process exits first or the deadline passes. */
async function outputMatch(p: Proc, pattern: RegExp, deadline: number): Promise<RegExpExecArray> {
  for (;;) {
    const m = pattern.exec(p.output);
    if (m) return m;
    if (p.exited || Date.now() > deadline) throw new Error(`${p.name}: no ${pattern} in its output (exited: ${p.exited}):\n${p.output}`);
    await sleep(50);
  }
}

/** GET a Prometheus API path; undefined while the server does not answer yet. */
async function api(base: string, path: string): Promise<{ status: string; data: unknown } | undefined> {
  try {
    const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5000) });
    return (await res.json()) as { status: string; data: unknown };
  } catch {
    return undefined;
  }
}

/** The value of an instant query that returns one sample; undefined when it returns none (yet). */
async function queryOne(base: string, promql: string): Promise<number | undefined> {
  const r = await api(base, `/api/v1/query?query=${encodeURIComponent(promql)}`);
  if (!r || r.status !== 'success') return undefined;
  const result = (r.data as { result: Array<{ value: [number, string] }> }).result;
  if (result.length !== 1) return undefined;
  return Number(result[0]!.value[1]);
}

/** The latency bucket (lower, upper] holding `ms`; lower is 0 for the first bucket, upper +Inf past the last. */
function bucketOf(ms: number): { lower: number; upper: number } {
  let lower = 0;
  for (const upper of LATENCY_BUCKETS_MS) {
    if (ms <= upper) return { lower, upper };
    lower = upper;
  }
  return { lower, upper: Infinity };
}

let tmp = '';

afterAll(async () => {
  // Whatever happened: both process groups killed, nothing left running that was started here.
  await Promise.all(started.map(killGroup));
  const left = started.filter((p) => p.proc.pid !== undefined && groupAlive(p.proc.pid)).map((p) => p.name);
  let pgrep = '';
  if (tmp && onPath('pgrep')) {
    try {
      // Both command lines name the temporary folder; pgrep exits 1 when nothing matches.
      pgrep = execFileSync('pgrep', ['-a', '-f', tmp], { encoding: 'utf8' });
    } catch {
      pgrep = '';
    }
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  expect(left, 'process groups still alive').toEqual([]);
  expect(pgrep, 'processes still running with the test folder in their command line').toBe('');
});

// CI (.ci/run installs Debian's prometheus) must run this test: a missing binary there is a failure.
// On a developer's machine with only Node.js and npm, `npm test` stays green and says loudly what it skipped.
const mustRun = Boolean(process.env.CI);
const available = onPath('prometheus') !== undefined;
if (!available && !mustRun) {
  console.warn(
    "SKIPPED tests/integration/prometheus.test.ts: the prometheus binary is not on PATH. Install Debian's package " +
      '(sudo apt-get install -y prometheus) or run .ci/run to include the real-Prometheus scrape test.',
  );
}

describe.skipIf(!available && !mustRun)('Prometheus scraping mmsim sim --metrics-port --hold', () => {
  it('histogram_quantile(0.95) of mm_latency_ms{op="place"} lies in the bucket of the exact p95 of report.json', { timeout: 75_000 }, async () => {
    const prometheus = onPath('prometheus');
    if (!prometheus) {
      throw new Error(
        'the prometheus binary is not on PATH: run .ci/run (it installs it) or install Debian\'s package: ' +
          'sudo apt-get update && sudo apt-get install -y prometheus',
      );
    }
    const deadline = Date.now() + DEADLINE_MS;
    tmp = mkdtempSync(join(tmpdir(), 'mmsim-prometheus-'));
    const out = join(tmp, 'out');

    // The simulator, serving its registry on a free port, held after the run.
    const sim = start('mmsim', process.execPath, ['bin/mmsim.js', 'sim', 'scenarios/burst.yaml', '--metrics-port', '0', '--hold', '--out', out]);
    const metricsPort = Number((await outputMatch(sim, /^serving metrics at http:\/\/127\.0\.0\.1:(\d+)\/metrics$/m, deadline))[1]);
    await outputMatch(sim, /^run finished; still serving metrics at /m, deadline);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const place = report.summary.latency_ms.place as { count: number; p95: number; p99: number };
    expect(place.count).toBeGreaterThan(100);

    // Our own Prometheus: its own config, storage and port (retried if another process takes the port first).
    const config = join(tmp, 'prometheus.yml');
    writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: mmsim',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${metricsPort}']`,
        '',
      ].join('\n'),
    );
    let base = '';
    let storage = '';
    for (let attempt = 1; !base; attempt++) {
      const port = await freePort();
      storage = join(tmp, `tsdb-${attempt}`);
      mkdirSync(storage);
      const prom = start(`prometheus (attempt ${attempt})`, prometheus, [
        `--config.file=${config}`,
        `--storage.tsdb.path=${storage}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ]);
      for (;;) {
        const flags = await api(`http://127.0.0.1:${port}`, '/api/v1/status/flags');
        if (flags) {
          // Make sure it is the Prometheus started here, not another one on that port.
          expect((flags.data as Record<string, string>)['storage.tsdb.path']).toBe(storage);
          base = `http://127.0.0.1:${port}`;
          break;
        }
        if (prom.exited) {
          if (attempt < 3 && /address already in use/i.test(prom.output)) break;
          throw new Error(`prometheus exited before answering:\n${prom.output}`);
        }
        if (Date.now() > deadline) throw new Error(`prometheus did not answer on port ${port} within ${DEADLINE_MS} ms:\n${prom.output}`);
        await sleep(100);
      }
    }

    // Wait until a scrape of the finished run is in: the place count equals the report's.
    let count: number | undefined;
    while ((count = await queryOne(base, 'mm_latency_ms_count{op="place"}')) !== place.count) {
      if (Date.now() > deadline) {
        const targets = await api(base, '/api/v1/targets');
        throw new Error(`no scrape with ${place.count} place samples within ${DEADLINE_MS} ms (last count: ${count}); targets: ${JSON.stringify(targets?.data)}`);
      }
      await sleep(250);
    }

    for (const [q, exact] of [
      [0.95, place.p95],
      [0.99, place.p99],
    ] as const) {
      const estimate = await queryOne(base, `histogram_quantile(${q}, sum by (le) (mm_latency_ms_bucket{op="place"}))`);
      expect(estimate, `histogram_quantile(${q})`).toBeDefined();
      expect(Number.isFinite(estimate)).toBe(true);
      const { lower, upper } = bucketOf(estimate!);
      expect(exact, `exact p${q * 100} ${exact} ms vs Prometheus estimate ${estimate} ms in bucket (${lower}, ${upper}]`).toBeGreaterThan(lower);
      expect(exact).toBeLessThanOrEqual(upper);
    }

    // The held simulator stops on Ctrl-C with exit 0.
    sim.proc.kill('SIGINT');
    expect(await sim.exit).toEqual({ code: 0, signal: null });
  });
});
