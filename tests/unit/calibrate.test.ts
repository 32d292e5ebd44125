import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTardisRecording } from '../support/calibration-recording.ts';
import { COUNT_WINDOWS_US } from '../../src/sim/market/calibration/tape-facts.ts';
import { calibrate, fitHawkes, fitInsideRates, hawkesDispersion } from '../../src/sim/market/calibration/calibrate.ts';

const dir = mkdtempSync(join(tmpdir(), 'mmsim-calibrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const writeRecording = (trades = 20) => writeTardisRecording(dir, trades);

describe('calibrate', () => {
  it('fits a hand-built recording to the numbers it was built with', async () => {
    const f = await calibrate({ format: 'tardis', paths: writeRecording(), symbol: 'T' });
    expect([f.tickSize, f.lotSize]).toEqual([0.5, 1]);
    expect(f.initialMid).toBe(100.25);
    // levels is the 99th percentile of a taker order's reach in ticks (one tick at most here), but at
    // least 10; the mid of 200.5 ticks would allow up to 19 (the book must fit ten times below the mid).
    expect(f.reachP99).toBeLessThanOrEqual(1);
    expect(f.levels).toBe(10);
    expect(f.facts.prints).toBe(20);
    expect(f.facts.seconds).toBe(23);
    expect(f.market.rate).toBeCloseTo(20 / 23, 12);
    expect(f.market.median).toBe(1);
    // Alternating signs: lag-1 autocorrelation -1, so no regime to follow.
    expect(f.facts.signAcf.lag1).toBeCloseTo(-1, 1);
    expect(f.market.follow).toBe(0);
    // Ten adds of 2 lots at the touch (the one inside the wide spread is the inside flow's).
    expect(f.flow.addEvents).toBe(11);
    expect(f.limit.rate).toBeCloseTo(10 / 23, 12);
    expect(f.limit.size).toBeCloseTo(25 / 11, 12);
    expect(f.limit.touchShare).toBe(1);
    // One order inside a spread one tick too wide, for 1 s. It closed the spread, so it is the requote's,
    // not the inside flow's: a + c x 1 = 0. The requote: the ask moved away at 21 s and the ask itself
    // re-formed at 100.5 at 22 s with 5 fresh lots (nothing left 101.0): 1 closure over 1 s wide, rate 1/s,
    // follow 0 (the bid closed none of the gap), size 5, move share 0.
    expect(f.flow.insideAdds).toBe(1);
    expect(f.flow.excessTickSeconds).toBeCloseTo(1, 12);
    expect(f.limit.insideRatePerS + f.limit.insideRatePerTickS).toBeCloseTo(0, 9);
    expect([f.flow.widenings, f.flow.instantCloses, f.flow.closures]).toEqual([1, 0, 1]);
    expect(f.requote.rate).toBeCloseTo(1, 9);
    expect(f.requote.follow).toBe(0);
    expect(f.requote.size).toBe(5);
    expect(f.requote.moveShare).toBe(0);
    // Decreases near the touch, less what printed at that price since the book's last message: the ask's
    // 10 lots at 21 s, of which the buys at 100.5 since the bid's message at 9.5 s (11 s, 13 s, ... 19 s)
    // explain 5, and the 40 lots behind the bid at 23 s (nothing printed at 99.5): 5 + 40.
    expect(f.flow.cancelLots).toBe(45);
    // At the touch: the ask's 5 unexplained lots.
    expect(f.flow.touchCancelLots).toBe(5);
  });

  it('the inside-spread rates: EM recovers a + c k from the time and the orders at each excess k', () => {
    const a = 2;
    const c = 3;
    const seconds = new Map([1, 2, 3, 4, 5].map((k) => [k, 10 / k]));
    const adds = new Map([...seconds].map(([k, t]) => [k, (a + c * k) * t]));
    const fit = fitInsideRates(seconds, adds);
    expect(fit.perS).toBeCloseTo(a, 3);
    expect(fit.perTickS).toBeCloseTo(c, 3);
    expect(fitInsideRates(new Map(), new Map())).toEqual({ perS: 0, perTickS: 0 });
  });

  it('the Hawkes fit recovers the branching ratio and decay from a dispersion curve', () => {
    const curve = COUNT_WINDOWS_US.map((w) => hawkesDispersion(0.6, 4, w / 1e6));
    const fit = fitHawkes(curve);
    expect(fit.n).toBeCloseTo(0.6, 2);
    expect(fit.beta / 4).toBeGreaterThan(0.95);
    expect(fit.beta / 4).toBeLessThan(1.05);
    // A Poisson curve (dispersion 1 everywhere) is n = 0.
    expect(fitHawkes(COUNT_WINDOWS_US.map(() => 1)).n).toBe(0);
  });

  it('refuses a recording with too few trades, naming the files', async () => {
    const paths = writeRecording(5);
    await expect(calibrate({ format: 'tardis', paths, symbol: 'T' })).rejects.toThrow(/5 trades .*too little to calibrate from/);
  });
});
