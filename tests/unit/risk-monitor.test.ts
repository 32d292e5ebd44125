import { describe, expect, it } from 'vitest';
import { RiskMonitor } from '../../src/core/risk-monitor.ts';
import type { RiskLimits, RiskSample, WorkingLots } from '../../src/core/risk-monitor.ts';
import type { Side } from '../../src/core/types.ts';
import { VirtualClock } from '../../src/sim/clock/virtual-clock.ts';

const inst = { symbol: 'TEST', tickSize: 1, lotSize: 1 };
const other = { symbol: 'OTHER', tickSize: 1, lotSize: 1 };

const LIMITS: RiskLimits = { maxPositionUsd: 120, maxTotalNotionalUsd: 100, freezeCooldownUs: 5_000_000 };

function monitor(limits: Partial<RiskLimits> = {}, clock = new VirtualClock()) {
  const risk = new RiskMonitor(clock, { ...LIMITS, ...limits }, [inst, other]);
  risk.setMark('TEST', 10);
  risk.setMark('OTHER', 10);
  const working: Record<string, WorkingLots> = { TEST: { buy: 0, sell: 0 }, OTHER: { buy: 0, sell: 0 } };
  risk.trackWorking('TEST', () => working.TEST!);
  risk.trackWorking('OTHER', () => working.OTHER!);
  return { risk, clock, working };
}

/** A fill at the mark (10) without fee: only the position matters in most tests. */
const fill = (side: Side, qtyLots: number, priceTicks = 10, feeUsd = 0, symbol = 'TEST') => ({ symbol, side, qtyLots, priceTicks, feeUsd });

describe('RiskMonitor samples', () => {
  it('keeps risk ratios above 1.0 and counts them as breaches', () => {
    const { risk } = monitor();
    expect(risk.onFill(fill('buy', 5)).ratio).toBe(0.5);
    const s = risk.onFill(fill('buy', 10)); // 15 lots x 10 USD = 150 USD of a 100 USD limit
    expect(s).toEqual({ kind: 'fill', ratio: 1.5, breach: true });
    expect(risk.ratios.count).toBe(2);
    expect(risk.ratios.quantile(9500)).toBe(1.5);
    expect(risk.breaches).toBe(1);
    expect(risk.fillSamples.breaches).toBe(1);
    expect(risk.maxRiskRatio).toBe(1.5);
  });

  it('samples the ratio after every fill, including reducing ones', () => {
    const { risk } = monitor();
    risk.onFill(fill('buy', 8));
    risk.onFill(fill('sell', 3));
    risk.onFill(fill('sell', 5));
    expect(risk.ratios.count).toBe(3);
    expect(risk.positionLots('TEST')).toBe(0);
    expect(risk.ratios.quantile(10000)).toBe(0.8);
    expect(risk.ratios.quantile(0)).toBe(0);
  });

  it('samples on a fixed virtual interval: a mark move without a fill breaches', () => {
    const clock = new VirtualClock();
    const { risk } = monitor({ sampleIntervalUs: 1_000_000 }, clock);
    const seen: RiskSample[] = [];
    risk.onSample((s) => seen.push(s));
    risk.start();
    risk.start(); // idempotent: one sampler
    risk.onFill(fill('buy', 9)); // 90 USD
    clock.runUntil(1_000_000);
    risk.setMark('TEST', 12); // 108 USD: over the limit with no fill
    clock.runUntil(2_500_000);
    expect(seen).toEqual([
      { kind: 'fill', ratio: 0.9, breach: false },
      { kind: 'interval', ratio: 0.9, breach: false },
      { kind: 'interval', ratio: 1.08, breach: true },
    ]);
    expect([risk.intervalSamples.ratios.count, risk.intervalSamples.breaches, risk.fillSamples.ratios.count]).toEqual([2, 1, 1]);
    expect([risk.breaches, risk.ratios.count, risk.maxRiskRatio]).toEqual([1, 3, 1.08]);
    expect(risk.intervalSamples.max).toBe(1.08);
    // An interval breach only observes: the pre-trade check blocks growth, a freeze would pull reducing quotes.
    expect(risk.isFrozen()).toBe(false);
    clock.runUntil(10_000_000);
    expect(risk.intervalSamples.ratios.count).toBe(10);
  });

  it('takes no interval samples without an interval, nor before start', () => {
    const clock = new VirtualClock();
    const none = monitor({}, clock).risk;
    none.start();
    const notStarted = monitor({ sampleIntervalUs: 1000 }, clock).risk;
    clock.runUntil(1_000_000);
    expect([none.intervalSamples.ratios.count, notStarted.intervalSamples.ratios.count]).toEqual([0, 0]);
  });
});

describe('RiskMonitor pre-trade check: the worst case of every order that may still fill', () => {
  it('without working orders: blocks what would pass a limit, always allows reducing orders', () => {
    const { risk } = monitor();
    expect(risk.check('TEST', 'buy', 9)).toBeNull(); // 90 USD
    expect(risk.check('TEST', 'buy', 11)).toBe('risk_notional_limit'); // 110 > 100 total
    expect(risk.check('TEST', 'sell', 13)).toBe('risk_position_limit'); // 130 > 120 per symbol
    risk.onFill(fill('buy', 9));
    expect(risk.check('TEST', 'buy', 2)).toBe('risk_notional_limit');
    expect(risk.check('TEST', 'sell', 2)).toBeNull();
    expect(risk.check('TEST', 'sell', 18)).toBeNull(); // 9 long -> 9 short: not bigger
  });

  it('exact boundaries: a limit reached is allowed (>), one lot more is not', () => {
    const { risk, working } = monitor({ maxPositionUsd: 100, maxTotalNotionalUsd: 200 });
    working.TEST = { buy: 6, sell: 0 };
    expect(risk.check('TEST', 'buy', 4)).toBeNull(); // 6 + 4 = 10 lots = 100 USD = the per-symbol limit
    expect(risk.check('TEST', 'buy', 5)).toBe('risk_position_limit'); // 110 > 100
    const total = monitor({ maxPositionUsd: 1000, maxTotalNotionalUsd: 100 });
    total.working.TEST = { buy: 0, sell: 3 };
    total.risk.onFill(fill('sell', 2)); // short 2, worst sell extreme -5
    expect(total.risk.check('TEST', 'sell', 5)).toBeNull(); // -10 lots = 100 USD = the total limit
    expect(total.risk.check('TEST', 'sell', 6)).toBe('risk_notional_limit');
    expect(total.risk.maxAllowedWorstCaseRatio).toBe(1);
  });

  it('counts resting and in-flight orders on the same side', () => {
    const { risk, working } = monitor();
    working.TEST = { buy: 7, sell: 0 }; // pending_new, open and pending_cancel buys: 70 USD may still fill
    expect(risk.check('TEST', 'buy', 3)).toBeNull(); // worst case 100 USD
    expect(risk.check('TEST', 'buy', 4)).toBe('risk_notional_limit'); // worst case 110 USD, though the position is 0
    risk.onFill(fill('buy', 5));
    working.TEST = { buy: 2, sell: 0 }; // 5 of the 7 filled: the worst case is unchanged
    expect(risk.check('TEST', 'buy', 4)).toBe('risk_notional_limit');
    expect(risk.check('TEST', 'buy', 3)).toBeNull();
  });

  it('orders on the other side do not offset the worst case of this side', () => {
    const { risk, working } = monitor();
    working.TEST = { buy: 8, sell: 8 }; // both could fill: buy extreme +8, sell extreme -8
    expect(risk.check('TEST', 'buy', 3)).toBe('risk_notional_limit'); // +11 lots
    expect(risk.check('TEST', 'sell', 3)).toBe('risk_notional_limit'); // -11 lots
    expect(risk.check('TEST', 'buy', 2)).toBeNull();
  });

  it('an order that does not grow the worst case is allowed, even over a limit; one that grows it is checked', () => {
    const { risk, working } = monitor();
    risk.setPosition('TEST', 11); // 110 USD long: over the 100 USD total limit (the mark moved)
    expect(risk.check('TEST', 'sell', 4)).toBeNull(); // sell extreme 11 -> 7: reduces
    working.TEST = { buy: 0, sell: 11 }; // sells resting for the whole position: sell extreme 0
    expect(risk.check('TEST', 'sell', 4)).toBeNull(); // 0 -> -4: inside the buy extreme (+11), the worst case stays 11 lots
    working.TEST = { buy: 0, sell: 20 }; // sell extreme -9
    expect(risk.check('TEST', 'sell', 3)).toBe('risk_notional_limit'); // -9 -> -12: now the worst case, 120 USD > 100
    expect(risk.check('TEST', 'sell', 2)).toBeNull(); // -11: no worse than +11
    working.TEST = { buy: 3, sell: 0 }; // buy extreme +14
    expect(risk.check('TEST', 'sell', 20)).toBeNull(); // sell extreme 11 -> -9
    expect(risk.check('TEST', 'buy', 1)).toBe('risk_position_limit'); // +15: 150 USD > 120
  });

  it('the total limit adds every symbol at the larger of its two extremes', () => {
    const { risk, working } = monitor({ maxPositionUsd: 1000, maxTotalNotionalUsd: 100 });
    working.OTHER = { buy: 2, sell: 6 }; // OTHER's worst case: 6 lots short = 60 USD, with no position at all
    expect(risk.worstCaseNotionalUsd('OTHER')).toBe(60);
    expect(risk.check('TEST', 'buy', 4)).toBeNull(); // 40 + 60 = 100
    expect(risk.check('TEST', 'buy', 5)).toBe('risk_notional_limit');
    working.TEST = { buy: 0, sell: 5 }; // TEST's sell extreme: 50 USD
    expect(risk.check('TEST', 'buy', 4)).toBeNull(); // +4 stays inside -5: TEST's worst case does not grow
    expect(risk.check('TEST', 'buy', 6)).toBe('risk_notional_limit'); // 60 + 60 = 120
  });

  it('is frozen during a freeze whatever the order', () => {
    const { risk } = monitor();
    risk.onFill(fill('buy', 11));
    expect(risk.check('TEST', 'sell', 1)).toBe('risk_frozen');
  });
});

describe('RiskMonitor freezes', () => {
  it('freezes on a breach and lifts the freeze after the cool-down', () => {
    const { risk, clock } = monitor();
    const changes: boolean[] = [];
    risk.onFreezeChange((f) => changes.push(f));
    risk.onFill(fill('buy', 11));
    expect(risk.isFrozen()).toBe(true);
    expect(risk.check('TEST', 'sell', 1)).toBe('risk_frozen');
    expect(risk.freezes).toBe(1);
    clock.tick(4_999_999);
    expect(risk.isFrozen()).toBe(true);
    clock.tick(1);
    expect(risk.isFrozen()).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('does not restart the cool-down on a fill that reduces an over-limit position', () => {
    const { risk, clock } = monitor();
    risk.onFill(fill('buy', 14));
    clock.tick(5_000_000);
    expect(risk.isFrozen()).toBe(false);
    const s = risk.onFill(fill('sell', 2)); // still 120 USD > 100, but better
    expect(s.breach).toBe(true);
    expect(risk.isFrozen()).toBe(false);
    expect(risk.breaches).toBe(2);
  });
});

describe('RiskMonitor loss limit', () => {
  it('tracks the bot\'s own P&L: cash from fills and fees plus the position at its mark', () => {
    const { risk } = monitor();
    risk.onFill(fill('buy', 5, 10, -0.5)); // pays 50, gets a 0.5 rebate
    expect(risk.pnlUsd()).toBeCloseTo(0.5, 12);
    risk.setMark('TEST', 12);
    expect(risk.pnlUsd()).toBeCloseTo(10.5, 12);
    risk.onFill(fill('sell', 5, 12, 0.25));
    expect(risk.pnlUsd()).toBeCloseTo(10.25, 12);
    // A position the venue reports without fills is booked at the mark: no jump.
    risk.setPosition('TEST', 3);
    expect(risk.pnlUsd()).toBeCloseTo(10.25, 12);
  });

  it('halts for good when the marked P&L falls below -max_loss_usd: freeze, cancel all, no unfreeze', () => {
    const clock = new VirtualClock();
    const { risk } = monitor({ maxLossUsd: 20, maxPositionUsd: 1e9, maxTotalNotionalUsd: 1e9 }, clock);
    const changes: boolean[] = [];
    const halts: number[] = [];
    risk.onFreezeChange((f) => changes.push(f));
    risk.onLossHalt((pnl) => halts.push(pnl));
    risk.onFill(fill('buy', 10)); // long 10 at 10
    risk.setMark('TEST', 8); // -20 USD: at the limit, not below it
    expect(risk.isFrozen()).toBe(false);
    expect(risk.lossHalted).toBe(false);
    clock.tick(1000);
    risk.setMark('TEST', 7.9); // -21 USD
    expect(risk.lossHalted).toBe(true);
    expect(risk.lossHaltedAtUs).toBe(1000);
    expect(risk.isFrozen()).toBe(true);
    expect(risk.check('TEST', 'sell', 1)).toBe('risk_frozen');
    expect(changes).toEqual([true]);
    expect(halts).toHaveLength(1);
    expect(halts[0]).toBeCloseTo(-21, 9);
    // The P&L coming back does not lift it, and it fires once.
    risk.setMark('TEST', 20);
    risk.setMark('TEST', 1);
    clock.tick(1_000_000_000);
    expect(risk.isFrozen()).toBe(true);
    expect(halts).toHaveLength(1);
    expect(risk.minPnlUsd).toBeCloseTo(-90, 9);
    expect(risk.freezes).toBe(0);
  });

  it('a cool-down ending during a halt does not unfreeze', () => {
    const clock = new VirtualClock();
    const { risk } = monitor({ maxLossUsd: 5 }, clock);
    const changes: boolean[] = [];
    risk.onFreezeChange((f) => changes.push(f));
    risk.onFill(fill('buy', 11)); // breach: frozen for 5 s
    risk.setMark('TEST', 9); // -11 USD: halted while frozen
    clock.tick(5_000_000);
    expect(risk.isFrozen()).toBe(true);
    expect(changes).toEqual([true]);
  });

  it('without a limit never halts', () => {
    const { risk } = monitor({ maxPositionUsd: 1e9, maxTotalNotionalUsd: 1e9 });
    risk.onFill(fill('buy', 10));
    risk.setMark('TEST', 0.001);
    expect(risk.lossHalted).toBe(false);
    expect(risk.minPnlUsd).toBeLessThan(-99);
  });
});

describe('RiskMonitor: the gaps mutation testing found', () => {
  it('a per-symbol breach freezes on its own, with two symbols and the total far from its limit', () => {
    const { risk, clock } = monitor({ maxPositionUsd: 50, maxTotalNotionalUsd: 1000 });
    const changes: boolean[] = [];
    risk.onFreezeChange((f) => changes.push(f));
    risk.onFill(fill('sell', 4, 10, 0, 'OTHER')); // OTHER: 40 USD short
    const atLimit = risk.onFill(fill('buy', 5)); // TEST: 50 USD = the per-symbol limit, not above it
    expect(atLimit).toEqual({ kind: 'fill', ratio: 0.09, breach: false });
    expect(risk.isFrozen()).toBe(false);
    const s = risk.onFill(fill('buy', 1)); // TEST: 60 USD > 50; the total, 100 USD, is a tenth of its limit
    expect(s.breach).toBe(false);
    expect(risk.isFrozen()).toBe(true);
    expect(risk.freezes).toBe(1);
    expect(changes).toEqual([true]);
    clock.tick(5_000_000);
    expect(changes).toEqual([true, false]);
    // The other symbol's position is not this symbol's: OTHER at 40 USD does not freeze a TEST fill.
    risk.onFill(fill('sell', 1)); // TEST back to 50 USD
    risk.onFill(fill('sell', 1, 10, 0, 'OTHER')); // OTHER 50 USD
    expect(risk.isFrozen()).toBe(false);
  });

  it('a ratio of exactly 1 is not a breach', () => {
    const { risk } = monitor({ maxPositionUsd: 1000, maxTotalNotionalUsd: 100 });
    expect(risk.onFill(fill('buy', 10))).toEqual({ kind: 'fill', ratio: 1, breach: false });
    expect(risk.isFrozen()).toBe(false);
    expect(risk.breaches).toBe(0);
    expect(risk.fillSamples.max).toBe(1);
    expect(risk.maxRiskRatio).toBe(1);
  });

  it('a fill that leaves an over-limit ratio unchanged does not freeze (only a worse one does)', () => {
    const { risk } = monitor({ maxPositionUsd: 1000, maxTotalNotionalUsd: 100 });
    risk.setPosition('TEST', 12); // 120 USD, no fill: no sample, no freeze
    const s = risk.onFill(fill('sell', 24)); // 12 long -> 12 short: still 120 USD
    expect(s).toEqual({ kind: 'fill', ratio: 1.2, breach: true });
    expect(risk.isFrozen()).toBe(false);
    expect(risk.freezes).toBe(0);
  });

  it('a second breach during a freeze extends it and cancels the first unfreeze', () => {
    const { risk, clock } = monitor();
    const changes: boolean[] = [];
    risk.onFreezeChange((f) => changes.push(f));
    risk.onFill(fill('buy', 11)); // frozen until 5 s
    clock.tick(1_000_000);
    risk.onFill(fill('buy', 1)); // worse: frozen until 6 s
    expect(risk.freezes).toBe(1);
    expect(changes).toEqual([true]);
    clock.tick(4_000_000); // 5 s: the first cool-down would have ended here
    expect(risk.isFrozen()).toBe(true);
    expect(changes).toEqual([true]);
    clock.tick(999_999);
    expect(risk.isFrozen()).toBe(true);
    clock.tick(1);
    expect(risk.isFrozen()).toBe(false);
    expect(changes).toEqual([true, false]);
    expect(clock.pending).toBe(0);
  });

  it('counts the position once in the pre-trade check, at the exact limits', () => {
    const { risk, working } = monitor({ maxPositionUsd: 100, maxTotalNotionalUsd: 1000 });
    risk.onFill(fill('buy', 4));
    working.TEST = { buy: 2, sell: 1 };
    // Buy extreme 4 + 2 = 6 lots; +4 more is 100 USD, exactly the per-symbol limit.
    expect(risk.check('TEST', 'buy', 4)).toBeNull();
    expect(risk.check('TEST', 'buy', 5)).toBe('risk_position_limit');
    // Sell extreme 4 - 1 = 3 lots; -13 more is -10 lots, 100 USD.
    expect(risk.check('TEST', 'sell', 13)).toBeNull();
    expect(risk.check('TEST', 'sell', 14)).toBe('risk_position_limit');
    const total = monitor({ maxPositionUsd: 1000, maxTotalNotionalUsd: 100 });
    total.risk.onFill(fill('sell', 3, 10, 0, 'OTHER')); // 30 USD elsewhere
    total.risk.onFill(fill('buy', 2)); // TEST long 2
    total.working.TEST = { buy: 1, sell: 0 };
    expect(total.risk.check('TEST', 'buy', 4)).toBeNull(); // 2 + 1 + 4 = 7 lots: 70 + 30 = 100
    expect(total.risk.check('TEST', 'buy', 5)).toBe('risk_notional_limit');
    expect(total.risk.maxAllowedWorstCaseRatio).toBe(1);
  });

  it('lets a position-reducing order through while over both limits', () => {
    const { risk, working } = monitor({ maxPositionUsd: 50, maxTotalNotionalUsd: 60 });
    risk.setPosition('TEST', -15); // 150 USD short: over both
    expect(risk.check('TEST', 'buy', 5)).toBeNull();
    expect(risk.check('TEST', 'buy', 30)).toBeNull(); // -15 -> +15: no bigger
    expect(risk.check('TEST', 'buy', 31)).toBe('risk_position_limit');
    expect(risk.check('TEST', 'sell', 1)).toBe('risk_position_limit');
    working.TEST = { buy: 10, sell: 0 };
    expect(risk.check('TEST', 'buy', 5)).toBeNull(); // buy extreme -5 -> 0
    expect(risk.maxAllowedWorstCaseRatio).toBe(0);
  });

  it('records the lowest marked P&L at marks and fills, and a halt exactly below the limit', () => {
    const { risk } = monitor({ maxLossUsd: 10, maxPositionUsd: 1e9, maxTotalNotionalUsd: 1e9 });
    expect(risk.minPnlUsd).toBe(0);
    risk.onFill(fill('buy', 5, 12)); // pays 60 for 50 at the mark: -10, exactly the limit
    expect(risk.minPnlUsd).toBe(-10);
    expect(risk.lossHalted).toBe(false);
    risk.setMark('TEST', 11); // +5: -5
    expect(risk.minPnlUsd).toBe(-10);
    risk.onFill(fill('buy', 1, 11, 0.5)); // a 0.5 USD fee: -5.5
    expect(risk.pnlUsd()).toBe(-5.5);
    // Cash -60 - 11 - 0.5 = -71.5; 6 lots at 10.25 = 61.5: -10, at the limit again.
    risk.setMark('TEST', 10.25);
    expect(risk.pnlUsd()).toBe(-10);
    expect(risk.lossHalted).toBe(false);
    risk.setMark('TEST', 10); // 60 - 71.5 = -11.5 < -10
    expect(risk.lossHalted).toBe(true);
    expect(risk.minPnlUsd).toBe(-11.5);
  });

  it('takes interval samples at exactly the interval and keeps per-kind maxima', () => {
    const clock = new VirtualClock();
    const { risk } = monitor({ sampleIntervalUs: 1000 }, clock);
    risk.start();
    risk.onFill(fill('buy', 5)); // 0.5
    clock.runUntil(999);
    expect(risk.intervalSamples.ratios.count).toBe(0);
    clock.runUntil(1000);
    expect(risk.intervalSamples.ratios.count).toBe(1);
    risk.onFill(fill('sell', 3)); // 0.2
    clock.runUntil(2000);
    expect([risk.fillSamples.max, risk.intervalSamples.max]).toEqual([0.5, 0.5]);
    expect(risk.intervalSamples.ratios.quantile(0)).toBe(0.2);
    expect([risk.fillSamples.breaches, risk.intervalSamples.breaches]).toEqual([0, 0]);
  });

  it('names an unknown symbol', () => {
    const { risk } = monitor();
    expect(() => risk.positionNotionalUsd('NOPE')).toThrow('RiskMonitor: unknown symbol NOPE');
    expect(() => risk.trackWorking('NOPE', () => ({ buy: 0, sell: 0 }))).toThrow('RiskMonitor: unknown symbol NOPE');
  });
});

describe('RiskMonitor: sizes, untracked symbols, maxima', () => {
  // One tick 0.5 USD, one lot 2 units: a lot at a mark of 10 ticks is worth 10 USD.
  const coarse = { symbol: 'C', tickSize: 0.5, lotSize: 2 };

  it('values positions, cash and the P&L with the tick and lot sizes', () => {
    const risk = new RiskMonitor(new VirtualClock(), { maxPositionUsd: 1e9, maxTotalNotionalUsd: 1e9, freezeCooldownUs: 1000 }, [coarse]);
    risk.setMark('C', 10);
    expect(risk.check('C', 'buy', 3)).toBeNull();
    risk.onFill({ symbol: 'C', side: 'buy', qtyLots: 3, priceTicks: 9, feeUsd: 0.25 }); // pays 3 x 2 x 9 x 0.5 = 27
    expect(risk.positionNotionalUsd('C')).toBe(30);
    expect(risk.pnlUsd()).toBe(30 - 27 - 0.25);
    risk.setPosition('C', 1); // 2 lots sold unheard, booked at the mark (10 USD each): no jump
    expect(risk.pnlUsd()).toBe(2.75);
    expect(risk.positionNotionalUsd('C')).toBe(10);
    risk.setMark('C', 12);
    expect(risk.pnlUsd()).toBe(2.75 + 2);
  });

  it('a symbol without a tracker has no working orders but is still checked', () => {
    const risk = new RiskMonitor(new VirtualClock(), { maxPositionUsd: 100, maxTotalNotionalUsd: 1000, freezeCooldownUs: 1000 }, [inst]);
    risk.setMark('TEST', 10);
    expect(risk.check('TEST', 'buy', 10)).toBeNull();
    expect(risk.check('TEST', 'buy', 11)).toBe('risk_position_limit');
    expect(risk.worstCaseNotionalUsd('TEST')).toBe(0);
  });

  it('an order inside the other side\'s extreme is allowed, even over a limit', () => {
    const { risk, working } = monitor({ maxPositionUsd: 40, maxTotalNotionalUsd: 1000 });
    working.TEST = { buy: 0, sell: 8 }; // sell extreme -8 lots, 80 USD: over the 40 USD limit already
    expect(risk.check('TEST', 'buy', 5)).toBeNull(); // +5: inside -8
    expect(risk.check('TEST', 'buy', 9)).toBe('risk_position_limit'); // +9: beyond it
    working.TEST = { buy: 8, sell: 0 };
    expect(risk.check('TEST', 'sell', 5)).toBeNull();
    expect(risk.check('TEST', 'sell', 9)).toBe('risk_position_limit');
  });

  it('keeps the largest allowed worst case and the largest ratio, not the last', () => {
    const { risk } = monitor({ maxPositionUsd: 1000, maxTotalNotionalUsd: 100 });
    expect(risk.check('TEST', 'buy', 9)).toBeNull();
    expect(risk.check('TEST', 'buy', 2)).toBeNull();
    expect(risk.maxAllowedWorstCaseRatio).toBe(0.9);
    risk.onFill(fill('buy', 9));
    risk.onFill(fill('sell', 5));
    expect(risk.maxRiskRatio).toBe(0.9);
    expect(risk.fillSamples.max).toBe(0.9);
    expect(risk.riskRatio()).toBe(0.4);
  });
});
