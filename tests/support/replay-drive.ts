import type { ReplayMarket } from '../../src/sim/market/replay/replay-market.ts';
import type { VirtualClock } from '../../src/sim/clock/virtual-clock.ts';

/** Runs a started replay to its end the way the runner does: to each horizon, reading more as it goes. */
export async function driveReplay(clock: VirtualClock, market: ReplayMarket): Promise<void> {
  await market.fill();
  market.start();
  for (;;) {
    clock.runUntil(market.horizon());
    if (market.done && clock.now() === market.endUs) break;
    await market.fill();
  }
}
