/**
 * Fits the order-flow generator to a recording, generates SECONDS of market from the fit and prints the
 * issue's fidelity targets, recording against generated:
 *
 *   npx tsx scripts/calibration-check.ts ../shared/data/binance-usdm-btcusdt-20240808.gz binance_usdm BTCUSDT [600] [seed]
 */
import { calibrate } from '../src/sim/market/calibration/calibrate.ts';
import { generatedFacts } from '../src/sim/market/calibration/generate.ts';
import { fittedConfig } from '../src/sim/market/calibration/market-yaml.ts';
import type { ReplayFormat } from '../src/sim/market/replay/replay-formats.ts';

const [path, format, symbol, seconds = '600', seed = '1'] = process.argv.slice(2);
if (path === undefined || format === undefined || symbol === undefined) {
  process.stderr.write('usage: calibration-check.ts <recording> <format> <symbol> [seconds] [seed]\n');
  process.exit(2);
}
const fit = await calibrate({ format: format as ReplayFormat, paths: [path], symbol });
const real = fit.facts;
const gen = generatedFacts(fittedConfig(fit, Number(seconds)), seed);
const ratio = (s: { p50: number; p99: number }) => s.p99 / Math.max(1, s.p50);
const rows: [string, number, number, string, boolean][] = [
  ['trade-count variance/mean, 1 s', real.dispersion[3]!, gen.dispersion[3]!, 'within x2', gen.dispersion[3]! / real.dispersion[3]! <= 2 && real.dispersion[3]! / gen.dispersion[3]! <= 2],
  ['sign autocorrelation, lag 1', real.signAcf.lag1, gen.signAcf.lag1, 'within 0.05', Math.abs(gen.signAcf.lag1 - real.signAcf.lag1) <= 0.05],
  ['size p99/p50', ratio(real.size), ratio(gen.size), 'within x2', ratio(gen.size) / ratio(real.size) <= 2 && ratio(real.size) / ratio(gen.size) <= 2],
  ['one-tick spread share, %', 100 * real.oneTickShare, 100 * gen.oneTickShare, 'within 10 points', Math.abs(gen.oneTickShare - real.oneTickShare) <= 0.1],
  ['mid volatility, bps/√s', real.volBpsPerSqrtS, gen.volBpsPerSqrtS, 'within 25 %', Math.abs(gen.volBpsPerSqrtS / real.volBpsPerSqrtS - 1) <= 0.25],
  ['touch depth p50, lots', real.touchDepthP50, gen.touchDepthP50, '(no target)', true],
  ['mean spread, ticks', real.spreadMeanTicks, gen.spreadMeanTicks, '(no target)', true],
];
const f = (x: number) => String(Number(x.toPrecision(3)));
process.stdout.write(`| statistic | recording (${f(real.seconds)} s) | generated (${seconds} s, seed ${seed}) | target | met |\n|---|---:|---:|---|---|\n`);
for (const [name, a, b, target, ok] of rows) process.stdout.write(`| ${name} | ${f(a)} | ${f(b)} | ${target} | ${target.startsWith('(') ? '' : ok ? 'yes' : 'no'} |\n`);
