// The body of a pool thread (piscina loads this file in each worker thread): one run per task.
import { runScenario } from '../run/runner.ts';
import { toTaskError } from './pool-task.ts';
import type { PoolTask, RunOutcome, SoakOutcome } from './pool-task.ts';

export default async function runTask(task: PoolTask): Promise<RunOutcome | SoakOutcome> {
  try {
    if (task.kind === 'soak') {
      // Imported on the first soak task only: a sweep's threads do not pay for the soak's modules.
      const { runIteration } = await import('../soak/soak-runner.ts');
      const summary = await runIteration(task.scenario, task.manifest, task.iteration);
      return { status: 'ok', summary };
    }
    const result = await runScenario(task.scenario, { seed: task.seed });
    return { status: 'ok', reportJson: result.reportJson };
  } catch (err) {
    return { status: 'failed', error: toTaskError(err) };
  }
}
