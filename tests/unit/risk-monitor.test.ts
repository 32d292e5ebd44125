import { describe, expect, it } from 'vitest';
import { RiskMonitor } from '../../src/core/risk-monitor.ts';
import { VirtualClock } from '../../src/sim/virtual-clock.ts';

const inst = { symbol: 'TEST', tickSize: 1, lotSize: 1 };

function monitor(clock = new VirtualClock()) {
  const risk = new RiskMonitor(clock, { maxPositionUsd: 120, maxTotalNotionalUsd: 100, freezeCooldownUs: 5_000_000 }, [inst]);
  risk.setMark('TEST', 10);
  return { risk, clock };
}

describe('RiskMonitor', () => {
  it('keeps risk ratios above 1.0 and counts them as breaches', () => {
    const { risk } = monitor();
    expect(risk.onFill('TEST', 'buy', 5).ratio).toBe(0.5);
    const s = risk.onFill('TEST', 'buy', 10); // 15 lots x 10 USD = 150 USD of a 100 USD limit
    expect(s).toEqual({ ratio: 1.5, breach: true });
    expect(risk.ratios.count).toBe(2);
    expect(risk.ratios.quantile(9500)).toBe(1.5);
    expect(risk.breaches).toBe(1);
    expect(risk.maxRiskRatio).toBe(1.5);
  });

  it('samples the ratio after every fill, including reducing ones', () => {
    const { risk } = monitor();
    risk.onFill('TEST', 'buy', 8);
    risk.onFill('TEST', 'sell', 3);
    risk.onFill('TEST', 'sell', 5);
    expect(risk.ratios.count).toBe(3);
    expect(risk.positionLots('TEST')).toBe(0);
    expect(risk.ratios.quantile(10000)).toBe(0.8);
    expect(risk.ratios.quantile(0)).toBe(0);
  });

  it('blocks orders that would pass a limit and always allows reducing ones', () => {
    const { risk } = monitor();
    expect(risk.check('TEST', 'buy', 9)).toBeNull(); // 90 USD
    expect(risk.check('TEST', 'buy', 11)).toBe('risk_notional_limit'); // 110 > 100 total
    expect(risk.check('TEST', 'sell', 13)).toBe('risk_position_limit'); // 130 > 120 per symbol
    risk.onFill('TEST', 'buy', 9);
    expect(risk.check('TEST', 'buy', 2)).toBe('risk_notional_limit');
    expect(risk.check('TEST', 'sell', 2)).toBeNull();
    expect(risk.check('TEST', 'sell', 18)).toBeNull(); // 9 long -> 9 short: not bigger
  });

  it('freezes on a breach and lifts the freeze after the cool-down', () => {
    const { risk, clock } = monitor();
    const changes: boolean[] = [];
    risk.onFreezeChange((f) => changes.push(f));
    risk.onFill('TEST', 'buy', 11);
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
    risk.onFill('TEST', 'buy', 14);
    clock.tick(5_000_000);
    expect(risk.isFrozen()).toBe(false);
    const s = risk.onFill('TEST', 'sell', 2); // still 120 USD > 100, but better
    expect(s.breach).toBe(true);
    expect(risk.isFrozen()).toBe(false);
    expect(risk.breaches).toBe(2);
  });
});
