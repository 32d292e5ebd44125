import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/sim/scenario/load-scenario.ts';
import { writeTardisRecording } from '../support/calibration-recording.ts';
import { esc, expectOneError } from '../support/cli-errors.ts';
import { mmsim } from '../support/cli.ts';
import { scenarioAround as scenarioAroundFit } from '../support/fitted-scenario.ts';

const tmp = mkdtempSync(join(tmpdir(), 'mmsim-calibrate-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const scenarioAround = (market: string) => scenarioAroundFit(market, { name: 'fitted', instrument: '{symbol: T, tick_size: 0.5, lot_size: 1}' });

describe('mmsim calibrate', () => {
  it('prints a commented market: section that loads as a scenario section, and --out writes the same', async () => {
    const [bookCsv, tradesCsv] = writeTardisRecording(tmp);
    const run = await mmsim(['calibrate', bookCsv, tradesCsv, '--format', 'tardis', '--symbol', 'T']);
    expect(run.code, run.stderr).toBe(0);
    const text = run.stdout;
    expect(text).toMatch(/^# Fitted by mmsim calibrate from .*20 taker orders in 23 s\./);
    expect(text).toMatch(/^market:$/m);
    // Every parameter line carries what it was fitted from.
    for (const key of ['initial_mid', 'spread_ticks', 'depth_lots', 'rate_per_s', 'size_lots', 'touch_share', 'inside_rate_per_s', 'cancel_rate_per_s', 'decay_per_s', 'market_market']) {
      expect(text, key).toMatch(new RegExp(`^ +${key}: .*# `, 'm'));
    }
    const scenario = parseScenario(scenarioAround(text), 'fitted.yaml');
    expect(scenario.market.source).toBe('synthetic');
    if (scenario.market.source !== 'synthetic') return;
    expect(scenario.market.initial_mid).toBe(100.25);
    expect(scenario.market.market_orders.rate_per_s).toBeCloseTo(20 / 23, 3);

    const out = join(tmp, 'market.yaml');
    const written = await mmsim(['calibrate', bookCsv, tradesCsv, '--format', 'tardis', '--symbol', 'T', '--out', out]);
    expect(written.code, written.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(text);
    expect(readdirSync(tmp).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('lines the decoder did not use are listed in the header, with their file and first line, never skipped silently', async () => {
    const [bookCsv, tradesCsv] = writeTardisRecording(tmp);
    const lines = readFileSync(tradesCsv, 'utf8').split('\n');
    lines.splice(5, 0, 'this,is,not,a,trade');
    const damaged = join(tmp, 'damaged-trades.csv');
    writeFileSync(damaged, lines.join('\n'));
    const clean = await mmsim(['calibrate', bookCsv, tradesCsv, '--format', 'tardis', '--symbol', 'T']);
    expect(clean.stdout).not.toMatch(/^# not used: .*damaged/m);
    const run = await mmsim(['calibrate', bookCsv, damaged, '--format', 'tardis', '--symbol', 'T']);
    expect(run.code, run.stderr).toBe(0);
    const notUsed = run.stdout.split('\n').filter((l) => l.startsWith('# not used: ') && l.includes(damaged));
    expect(notUsed, run.stdout.slice(0, 600)).toHaveLength(1);
    expect(notUsed[0]).toMatch(/^# not used: 1 .* line\(s\) of .*damaged-trades\.csv, the first at line 6$/);
    // The comment lines keep the section loadable.
    expect(parseScenario(scenarioAround(run.stdout), 'fitted.yaml').market.source).toBe('synthetic');
  });

  it('bad input is exit 2 and one line naming what is wrong', async () => {
    const [bookCsv, tradesCsv] = writeTardisRecording(tmp);
    expectOneError(await mmsim(['calibrate', bookCsv, tradesCsv, '--format', 'csv', '--symbol', 'T']), /--format: "csv" is not one of/);
    const missing = join(tmp, 'missing.csv');
    expectOneError(await mmsim(['calibrate', missing, '--format', 'tardis', '--symbol', 'T']), new RegExp(esc(missing)));
    expectOneError(await mmsim(['calibrate', bookCsv, tradesCsv, '--format', 'tardis', '--symbol', 'T', '--tick-size', '-1']), /--tick-size: "-1" is not a positive number/);
    const few = writeTardisRecording(join(tmp), 5);
    expectOneError(await mmsim(['calibrate', ...few, '--format', 'tardis', '--symbol', 'T']), /5 trades .*too little to calibrate from/);
    const garbage = join(tmp, 'garbage.csv');
    writeFileSync(garbage, 'not,a,tardis,file\n1,2,3,4\n');
    expectOneError(await mmsim(['calibrate', garbage, '--format', 'tardis', '--symbol', 'T']), new RegExp(esc(garbage)));
  });
});
