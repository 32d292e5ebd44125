// report.html of burst.yaml and of the Binance replay, opened in a real headless Chromium (Debian's
// `chromium` package; .ci/run installs it) driven by playwright-core: no console error, no request for
// anything but the file itself, every chart drawn (a canvas with pixels on it and data behind it), and a
// screenshot under out/ for a person to look at.
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/run.ts';
import { sharedRun as runFile } from '../support/shared-runs.ts';
import { readFileSync } from 'node:fs';
import { auditSoak, REPORT_HTML } from '../../src/sim/soak/audit.ts';
import { fieldsFor, writeSummaries } from '../support/soak-files.ts';
import { mmsim } from '../support/cli.ts';
import { CALM_GRID, writeSweepScenarios } from '../support/sweep-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// CI (.ci/run installs Debian's chromium) must run this test: a missing browser there is a failure.
// Without it, `npm test` stays green and says loudly what it skipped.
const mustRun = Boolean(process.env.CI);
const available = executable(CHROMIUM);
if (!available && !mustRun) {
  console.warn(
    `SKIPPED tests/integration/report-html.test.ts: ${CHROMIUM} is missing. Install Debian's package ` +
      '(sudo apt-get install -y chromium) or run .ci/run to include the headless-browser check of report.html.',
  );
}

let tmp: string | undefined;
const contexts: BrowserContext[] = [];
afterAll(async () => {
  for (const c of contexts) await c.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

interface ChartState {
  readonly id: string;
  readonly empty: boolean;
  readonly points: number;
  readonly inkPixels: number;
}

/** Runs in the page (a string: the test is not compiled against the DOM): each chart's canvas ink and data. */
const CHART_STATE = `[...document.querySelectorAll('figure.chart')].map((fig) => {
  const canvas = fig.querySelector('canvas');
  let ink = 0;
  if (canvas) {
    const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) ink++;
  }
  return { id: fig.id, empty: fig.classList.contains('empty'), points: Number(fig.getAttribute('data-points') || '0'), inkPixels: ink };
})`;

async function openReport(name: string, html: string): Promise<{ charts: ChartState[]; errors: string[]; foreign: string[] }> {
  if (!executable(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run .ci/run (it installs it) or sudo apt-get install -y chromium`);
  tmp ??= mkdtempSync(join(tmpdir(), 'mmsim-report-html-'));
  const file = join(tmp, `${name}.html`);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  // A fresh profile (--user-data-dir) per page: nothing cached or synced from an earlier run.
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmp, 'profile-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 900 },
    deviceScaleFactor: 1,
  });
  contexts.push(context);
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  const foreign: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  // Every request is routed: the file itself goes through, anything else is refused and recorded.
  await context.route('**/*', async (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    foreign.push(u);
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  const charts = await page.evaluate<ChartState[]>(CHART_STATE);
  mkdirSync(join(repoRoot, 'out'), { recursive: true });
  await page.screenshot({ path: join(repoRoot, 'out', `report-html-${name}.png`), fullPage: true });
  await context.close();
  return { charts, errors, foreign };
}

describe.skipIf(!available && !mustRun)('report.html in headless Chromium', () => {
  it('burst.yaml: every chart drawn, no console error, no network request', { timeout: 60_000 }, async () => {
    const { reportHtml } = await runFile('burst.yaml');
    const { charts, errors, foreign } = await openReport('burst', reportHtml);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    // Everything this run has: fills, latencies of all three ops, rejects, risk samples.
    const drawn = charts.filter((c) => !c.empty).map((c) => c.id);
    expect(drawn).toEqual(
      expect.arrayContaining(['price', 'position', 'pnl', 'markouts', 'latency-place', 'latency-cancel', 'latency-fill', 'queue', 'levels', 'risk', 'rejects']),
    );
    for (const c of charts.filter((x) => !x.empty)) {
      expect(c.points, `${c.id}: data points`).toBeGreaterThan(0);
      expect(c.inkPixels, `${c.id}: drawn pixels`).toBeGreaterThan(500);
    }
  });

  it('the Binance replay: every chart drawn, no console error, no network request', { timeout: 90_000 }, async () => {
    const { reportHtml } = await runFile('replay-binance-btcusdt.yaml');
    const { charts, errors, foreign } = await openReport('replay-binance-btcusdt', reportHtml);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    expect(charts.filter((c) => !c.empty).map((c) => c.id)).toEqual(expect.arrayContaining(['price', 'position', 'risk', 'latency-place']));
    for (const c of charts.filter((x) => !x.empty)) {
      expect(c.points, `${c.id}: data points`).toBeGreaterThan(0);
      expect(c.inkPixels, `${c.id}: drawn pixels`).toBeGreaterThan(500);
    }
  });

  it('POST_SOAK_REPORT.html of an audit with a failing iteration: every chart drawn, no console error, no network request', { timeout: 60_000 }, async () => {
    tmp ??= mkdtempSync(join(tmpdir(), 'mmsim-report-html-'));
    const dir = mkdtempSync(join(tmp, 'soak-'));
    // 40 iterations; the 17th's net is off its identity by 0.5 bps.
    writeSummaries(dir, Array.from({ length: 40 }, (_, i) => i + 1), (i) => (i === 17 ? { ...fieldsFor(i), net_bps: fieldsFor(i).net_bps + 0.5 } : fieldsFor(i)));
    await auditSoak(dir);
    const html = readFileSync(join(dir, 'reports', 'analysis', REPORT_HTML), 'utf8');
    const { charts, errors, foreign } = await openReport('post-soak', html);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    expect(charts.map((c) => c.id)).toEqual(['net', 'net-distribution', 'identity']);
    for (const c of charts) {
      expect(c.empty).toBe(false);
      expect(c.points, `${c.id}: data points`).toBeGreaterThan(0);
      expect(c.inkPixels, `${c.id}: drawn pixels`).toBeGreaterThan(500);
    }
    expect(html).toContain('inconsistent');
  });

  it('SWEEP_REPORT.html of a 2 × 2 sweep: no console error, no network request, one heatmap cell per point', { timeout: 120_000 }, async () => {
    tmp ??= mkdtempSync(join(tmpdir(), 'mmsim-report-html-'));
    const dir = mkdtempSync(join(tmp, 'sweep-'));
    const { calm } = writeSweepScenarios(dir);
    const r = await mmsim(['sweep', calm, ...CALM_GRID, '--workers', '2', '--quiet', '--out', join(dir, 'out')]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(join(dir, 'out', 'SWEEP_REPORT.html'), 'utf8');
    const { charts, errors, foreign } = await openReport('sweep', html);
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    expect(charts).toEqual([]);
    expect(html.match(/<td data-point="[1-4]"/g)).toHaveLength(4);
    expect(html).toContain('<h2>Ranking</h2>');
  });
});
