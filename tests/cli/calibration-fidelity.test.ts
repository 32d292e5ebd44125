// Issue 14's fidelity targets, checked as a user would: `mmsim calibrate` fits the Binance recording,
// the fitted `market:` section (its phase stretched to an hour) goes into a scenario, and `mmsim tape
// --stats` prints the stylized facts of the generated hour and of the replayed recording, which must
// agree within the targets (docs/market-model.md, "Fidelity").
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mmsim } from '../support/cli.ts';
import { repoRoot, sharedData } from '../support/shared-data.ts';
import { scenarioAround as scenarioAroundFit } from '../support/fitted-scenario.ts';

const tmp = mkdtempSync(join(tmpdir(), 'mmsim-fidelity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `mmsim tape --stats` rows, "statistic   value", as numbers (a share in % as a fraction). */
function stats(stdout: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of stdout.split('\n')) {
    const m = /^(.*?)\s{2,}(-?[0-9.]+)(%?)$/.exec(line.trim());
    if (m) out[m[1]!] = Number(m[2]) / (m[3] ? 100 : 1);
  }
  return out;
}

const scenarioAround = (market: string) => scenarioAroundFit(market, { name: 'fitted-hour', seed: 2, instrument: '{symbol: BTCUSDT, tick_size: 0.1, lot_size: 0.001}' });

describe('calibrated from the Binance recording, a generated hour reproduces its facts', () => {
  it('dispersion within x2, sign acf lag 1 within 0.05, size p99/p50 within x2, one-tick share within 10 points, volatility within 25 %', async () => {
    const fit = await mmsim(['calibrate', sharedData('binance-usdm-btcusdt-20240808.gz'), '--format', 'binance_usdm', '--symbol', 'BTCUSDT']);
    expect(fit.code, fit.stderr).toBe(0);
    const market = fit.stdout.replace(/^ {4}- \{name: calibrated, duration: [^,]+,/m, '    - {name: calibrated, duration: 1h,');
    expect(market, 'the fitted section has its one phase').toMatch(/duration: 1h,/);
    const scenario = join(tmp, 'fitted-hour.yaml');
    writeFileSync(scenario, scenarioAround(market));
    const [gen, real] = await Promise.all([
      mmsim(['tape', scenario, '--out', join(tmp, 'gen'), '--stats', '--quiet']),
      mmsim(['tape', join(repoRoot, 'scenarios/replay-binance-btcusdt.yaml'), '--out', join(tmp, 'real'), '--stats', '--quiet']),
    ]);
    expect(gen.code, gen.stderr).toBe(0);
    expect(real.code, real.stderr).toBe(0);
    const g = stats(gen.stdout);
    const r = stats(real.stdout);
    const key = {
      dispersion: 'variance/mean of per-second counts',
      acf1: 'trade-sign autocorrelation lag 1',
      tail: 'order size p99/p50',
      oneTick: 'share of time at a one-tick spread',
      vol: 'mid volatility (bps per sqrt s)',
    };
    for (const k of Object.values(key)) {
      expect(g[k], `generated ${k}`).toBeGreaterThan(0);
      expect(r[k], `recording ${k}`).toBeGreaterThan(0);
    }
    expect(g['whole seconds']).toBe(3600);
    const withinFactor = (a: number, b: number, f: number) => Math.max(a / b, b / a) <= f;
    expect(withinFactor(g[key.dispersion]!, r[key.dispersion]!, 2), `dispersion ${g[key.dispersion]} vs ${r[key.dispersion]}`).toBe(true);
    expect(Math.abs(g[key.acf1]! - r[key.acf1]!), 'sign acf lag 1').toBeLessThanOrEqual(0.05);
    expect(withinFactor(g[key.tail]!, r[key.tail]!, 2), `size p99/p50 ${g[key.tail]} vs ${r[key.tail]}`).toBe(true);
    expect(Math.abs(g[key.oneTick]! - r[key.oneTick]!), 'one-tick spread share').toBeLessThanOrEqual(0.1);
    expect(Math.abs(g[key.vol]! / r[key.vol]! - 1), `volatility ${g[key.vol]} vs ${r[key.vol]}`).toBeLessThanOrEqual(0.25);
  }, 240_000);
});
