import { describe, expect, it } from 'vitest';
import { runFile, scenarioFiles } from '../support/run.ts';

// Every scenario in scenarios/ is a regression fixture: its full report.json is kept beside this file.
// After an intended change of behaviour, regenerate them with `npm run golden:update` and explain in
// the commit message why each number moved.
describe('golden reports', () => {
  it('has at least the three base scenarios', () => {
    expect(scenarioFiles()).toEqual(expect.arrayContaining(['burst.yaml', 'calm.yaml', 'risk-limit.yaml']));
  });

  for (const file of scenarioFiles()) {
    it(`${file} matches its golden report.json`, async () => {
      const { reportJson } = await runFile(file);
      await expect(reportJson).toMatchFileSnapshot(`./${file.replace(/\.yaml$/, '')}.report.json`);
    });
  }
});
