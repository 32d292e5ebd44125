import { describe, expect, it } from 'vitest';
import { scenarioFiles } from '../support/run.ts';
import { sharedRuns } from '../support/shared-runs.ts';

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
      // The run other test files read too (support/shared-runs.ts): computed once per version of the code.
      for (const { variant, run } of await sharedRuns(file)) {
        const { reportJson } = run;
        const suffix = variant === undefined ? '' : `.${variant}`;
        await expect(reportJson).toMatchFileSnapshot(`./${file.replace(/\.yaml$/, '')}${suffix}.report.json`);
      }
    });
  }
});
