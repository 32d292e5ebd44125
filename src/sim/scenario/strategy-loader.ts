import type { BuiltinStrategy } from '../../core/strategy-host.ts';
import { ladder } from '../../core/strategies/ladder.ts';
import type { LoadedScenario } from './load-scenario.ts';

/** The strategy a scenario names, ready for the order manager. */
export async function createStrategy(scenario: LoadedScenario): Promise<{ strategy: BuiltinStrategy; label: string }> {
  const st = scenario.strategy;
  return {
    label: 'ladder',
    strategy: ladder({
      levels: st.levels,
      spreadBps: st.spread_bps,
      levelStepBps: st.level_step_bps,
      sizeUsd: st.size_usd,
      skewBps: st.skew_bps,
      refreshUs: st.refresh,
      requoteThresholdBps: st.requote_threshold_bps,
      maxPositionUsd: scenario.risk.max_position_usd,
    }),
  };
}
