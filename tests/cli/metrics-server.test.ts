// `mmsim sim --metrics-port P [--metrics-host H] [--hold]`: the run's own registry served over HTTP while the
// run goes on, and after it with --hold until SIGINT/SIGTERM. Child processes for the CLI contract (URL on
// stderr, exit codes, signals), in-process runs for "while the run goes on" (deterministic: no timing).
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsServer, yieldToEventLoop } from '../../src/cli/metrics-server.ts';
import type { MetricsServer } from '../../src/cli/metrics-server.ts';
import { runScenario } from '../../src/sim/run/runner.ts';
import { loadScenario } from '../../src/sim/scenario/load-scenario.ts';
import { startMmsim, stderrMatch } from '../support/cli.ts';
import type { CliChild } from '../support/cli.ts';
import { repoRoot as ROOT } from '../support/run.ts';

const URL_LINE = /^serving metrics at (http:\/\/127\.0\.0\.1:(\d+)\/metrics)$/m;
const HOLD_LINE = /^run finished; still serving metrics at /m;

const children: CliChild[] = [];

function mmsim(args: readonly string[]): CliChild {
  const child = startMmsim(args);
  children.push(child);
  return child;
}

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mmsim-metrics-'));
});
afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exit));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('mmsim sim --metrics-port 0 --hold', () => {
  const out = () => join(tmp, 'held');
  let child: CliChild;
  let url = '';

  beforeAll(async () => {
    child = mmsim(['sim', 'scenarios/burst.yaml', '--metrics-port', '0', '--hold', '--out', out()]);
    url = (await stderrMatch(child, URL_LINE))[1]!;
    await stderrMatch(child, HOLD_LINE);
  });

  it('prints the URL with the port it got, then holds after writing the report', () => {
    expect(Number(URL_LINE.exec(child.stderr)?.[2])).toBeGreaterThan(0);
    expect(child.stdout).toMatch(/^wrote .*report\.json, metrics\.prom, fills\.csv, orders\.csv and report\.html$/m);
    expect(child.proc.exitCode).toBeNull();
  });

  it('GET /metrics serves the run registry: the same bytes as metrics.prom, with the exposition content type', async () => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(new Registry().contentType);
    const body = await res.text();
    expect(body).toMatch(/^mm_latency_ms_bucket\{le="50",op="place"\} \d+$/m);
    expect(body).toBe(readFileSync(join(out(), 'metrics.prom'), 'utf8'));
    const report = JSON.parse(readFileSync(join(out(), 'report.json'), 'utf8'));
    expect(body).toContain(`mm_latency_ms_count{op="place"} ${report.summary.latency_ms.place.count}\n`);
    expect(body).toContain(`mm_orders_total{event="placed"} ${report.summary.orders_placed}\n`);
    // A query string is still /metrics (some scrapers add one).
    expect((await fetch(`${url}?format=text`)).status).toBe(200);
  });

  it('other paths are 404 and other methods on /metrics 405', async () => {
    for (const path of ['/', '/other', '/metrics/x', '/metricsx']) {
      const res = await fetch(new URL(path, url));
      expect(res.status, path).toBe(404);
      await res.text();
    }
    const post = await fetch(url, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    await post.text();
  });

  it('SIGINT (Ctrl-C) closes the server and exits 0', async () => {
    child.proc.kill('SIGINT');
    expect(await child.exit).toEqual({ code: 0, signal: null });
    expect(child.stderr).not.toMatch(/mmsim:|error/i);
    await expect(fetch(url)).rejects.toThrow();
  });
});

describe('mmsim sim --metrics-port without --hold, and SIGTERM', () => {
  it('without --hold: serves during the run, then closes and exits 0 with the usual outputs', async () => {
    const child = mmsim(['sim', 'scenarios/calm.yaml', '--metrics-port', '0', '--quiet', '--out', join(tmp, 'nohold')]);
    expect(await child.exit).toEqual({ code: 0, signal: null });
    expect(child.stderr).toMatch(URL_LINE);
    expect(child.stderr).not.toMatch(HOLD_LINE);
    expect(child.stdout).toBe('');
    expect(existsSync(join(tmp, 'nohold', 'metrics.prom'))).toBe(true);
  });

  it('SIGTERM ends a held run with exit 0 too', async () => {
    const child = mmsim(['sim', 'scenarios/calm.yaml', '--metrics-port', '0', '--hold', '--quiet', '--out', join(tmp, 'term')]);
    await stderrMatch(child, HOLD_LINE);
    child.proc.kill('SIGTERM');
    expect(await child.exit).toEqual({ code: 0, signal: null });
  });
});

describe('mmsim sim --metrics-port: bad input exits 2 with one line', () => {
  let busy: Server;
  let busyPort = 0;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    busyPort = (busy.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => busy.close(() => r())));

  const expectBadInput = async (args: readonly string[], mention: RegExp, out: string) => {
    const child = mmsim([...args, '--out', out]);
    const { code } = await child.exit;
    expect(code, child.stderr).toBe(2);
    const lines = child.stderr.trimEnd().split('\n').filter((l) => !/^Run "mmsim --help"/.test(l));
    expect(lines, child.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^mmsim: /);
    expect(lines[0]).toMatch(mention);
    expect(child.stderr).not.toMatch(/internal error|^\s+at /m);
    expect(existsSync(out)).toBe(false);
  };

  it('a port already in use', async () => {
    await expectBadInput(['sim', 'scenarios/calm.yaml', '--metrics-port', String(busyPort)], new RegExp(`${busyPort}.*already in use`), join(tmp, 'busy'));
  });

  it('a port that is not a port number, quoted back', async () => {
    await expectBadInput(['sim', 'scenarios/calm.yaml', '--metrics-port', '99999'], /--metrics-port.*"99999"/, join(tmp, 'p99999'));
    await expectBadInput(['sim', 'scenarios/calm.yaml', '--metrics-port', 'abc'], /--metrics-port.*"abc"/, join(tmp, 'pabc'));
  });

  it('--hold or --metrics-host without --metrics-port', async () => {
    await expectBadInput(['sim', 'scenarios/calm.yaml', '--hold'], /--hold needs --metrics-port/, join(tmp, 'hold'));
    await expectBadInput(['sim', 'scenarios/calm.yaml', '--metrics-host', '0.0.0.0'], /--metrics-host needs --metrics-port/, join(tmp, 'host'));
  });
});

describe('the server answers while the run goes on (in process)', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('a scrape awaited at a pause sees the run in progress; the last one the final metrics', async () => {
    const registry = new Registry();
    server = await startMetricsServer(registry, '127.0.0.1', 0);
    const url = server.url;
    const scraped: number[] = [];
    const result = await runScenario(await loadScenario(join(ROOT, 'scenarios/burst.yaml')), {
      registry,
      pace: async () => {
        const text = await (await fetch(url)).text();
        scraped.push(Number(/^mm_orders_total\{event="placed"\} (\d+)$/m.exec(text)?.[1]));
      },
    });
    expect(scraped.length).toBeGreaterThan(2);
    expect(scraped[0]).toBeGreaterThan(0);
    expect(scraped[scraped.length - 1]).toBeLessThan(result.report.summary.orders_placed);
    expect(await (await fetch(url)).text()).toBe(result.metricsText);
  });

  it("with the CLI's pace (yield to the event loop), a request made during the run is answered before it ends", async () => {
    const registry = new Registry();
    server = await startMetricsServer(registry, '127.0.0.1', 0);
    const url = server.url;
    let paces = 0;
    let answeredAt = -1;
    let body = '';
    await runScenario(await loadScenario(join(ROOT, 'scenarios/burst.yaml')), {
      registry,
      pace: async () => {
        paces++;
        if (paces === 1) {
          void fetch(url)
            .then((r) => r.text())
            .then((text) => {
              body = text;
              answeredAt = paces;
            });
        }
        await yieldToEventLoop();
      },
    });
    expect(answeredAt, `answered after pause ${answeredAt} of ${paces}`).toBeGreaterThan(0);
    expect(answeredAt).toBeLessThan(paces);
    expect(body).toContain('mm_latency_ms_bucket');
  });
});
