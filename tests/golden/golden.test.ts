import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/sim/run/runner.ts';
import { loadScenarioRuns } from '../../src/sim/scenario/load-scenario.ts';
import { repoRoot, scenarioFiles } from '../support/run.ts';

// Every scenario in scenarios/ is a regression fixture: its full report.json is kept beside this file
// (one per variant for a scenario with `variants:`). After an intended change of behaviour, regenerate
// them with `npm run golden:update` and explain in the commit message why each number moved.
describe('golden reports', () => {
  it('has the base, exchange-realism, replay and strategy scenarios', () => {
    expect(scenarioFiles()).toEqual(
      expect.arrayContaining([
        'burst.yaml',
        'calm.yaml',
        'risk-limit.yaml',
        'latency-spike.yaml',
        'reject-storm.yaml',
        'disconnect.yaml',
        'ack-loss.yaml',
        'queue-models.yaml',
        'replay-binance-btcusdt.yaml',
        'replay-bybit-xrpusdt.yaml',
        'replay-bybit-btcusd.yaml',
        'avellaneda-stoikov.yaml',
        'obligations.yaml',
      ]),
    );
  });

  for (const file of scenarioFiles()) {
    it(`${file} matches its golden report.json`, async () => {
      const runs = await loadScenarioRuns(join(repoRoot, 'scenarios', file));
      for (const scenario of runs) {
        const { reportJson } = await runScenario(scenario);
        const suffix = scenario.variant === undefined ? '' : `.${scenario.variant}`;
        await expect(reportJson).toMatchFileSnapshot(`./${file.replace(/\.yaml$/, '')}${suffix}.report.json`);
      }
    });
  }
});
