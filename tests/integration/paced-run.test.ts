// RunOptions.pace: the runner runs the clock in slices of PACE_SLICE_EVENTS callbacks and awaits the hook
// between them (the CLI passes one that yields to the event loop, so a metrics endpoint can answer while the
// run goes on). Neither the slicing nor the pause may change a result, and the run-wide loop limit
// (run.max_events) must still apply to the whole run, not to each slice.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { yieldToEventLoop } from '../../src/cli/metrics-server.ts';
import { PACE_SLICE_EVENTS, runScenario } from '../../src/sim/run/runner.ts';
import type { RunOptions, RunResult } from '../../src/sim/run/runner.ts';
import { loadScenarioRuns, parseScenario } from '../../src/sim/scenario/load-scenario.ts';
import type { LoadedScenario } from '../../src/sim/scenario/load-scenario.ts';
import { LoopLimitError, VirtualClock } from '../../src/sim/clock/virtual-clock.ts';
import { repoRoot, scenarioFiles } from '../support/run.ts';

/** The scenario's first run (its first variant, for a scenario with `variants:`). */
async function firstRun(file: string): Promise<LoadedScenario> {
  return (await loadScenarioRuns(join(repoRoot, 'scenarios', file)))[0]!;
}

async function run(file: string, options: RunOptions = {}): Promise<RunResult> {
  return runScenario(await firstRun(file), options);
}

/** The counter line `mm_orders_total{event="placed"} N` of a text exposition. */
function placed(text: string): number {
  const m = /^mm_orders_total\{event="placed"\} (\d+)$/m.exec(text);
  if (!m) throw new Error(`no mm_orders_total{event="placed"} line in:\n${text}`);
  return Number(m[1]);
}

describe('runScenario with a pace hook', () => {
  it.each(scenarioFiles())('%s: the same report.json and metrics bytes with and without pace, and the golden file', async (file) => {
    const plain = await run(file);
    let paces = 0;
    const paced = await run(file, {
      pace: async () => {
        paces++;
        await yieldToEventLoop();
      },
    });
    expect(paced.reportJson).toBe(plain.reportJson);
    expect(paced.metricsText).toBe(plain.metricsText);
    // One pause between every two slices, none after the last one. A replay also stops to read its
    // recording (an await that yields anyway), so a slice may end before its budget: at most that many.
    const slices = Math.ceil(plain.report.execution.events / PACE_SLICE_EVENTS) - 1;
    if ((plain.report.market as { source?: string }).source === 'replay') expect(paces).toBeLessThanOrEqual(slices);
    else expect(paces).toBe(slices);
    // And the sliced run is still the run the golden fixture recorded.
    const variant = (await firstRun(file)).variant;
    const golden = readFileSync(join(repoRoot, 'tests/golden', file.replace(/\.yaml$/, `${variant === undefined ? '' : `.${variant}`}.report.json`)), 'utf8');
    expect(paced.reportJson).toBe(golden);
  });

  it('two paced runs interleaved on one event loop give the bytes of two runs one after the other', async () => {
    const [burstAlone, calmAlone] = [await run('burst.yaml'), await run('calm.yaml', { seed: 3 })];
    const [burst, calm] = await Promise.all([run('burst.yaml', { pace: yieldToEventLoop }), run('calm.yaml', { seed: 3, pace: yieldToEventLoop })]);
    expect(burst.reportJson).toBe(burstAlone.reportJson);
    expect(calm.reportJson).toBe(calmAlone.reportJson);
    expect(burst.metricsText).toBe(burstAlone.metricsText);
  });

  it('the registry passed in shows the run in progress at each pause and the final metrics at the end', async () => {
    const registry = new Registry();
    const seen: number[] = [];
    const result = await run('burst.yaml', {
      registry,
      pace: async () => {
        seen.push(placed(await registry.metrics()));
      },
    });
    const final = placed(result.metricsText);
    expect(seen.length).toBeGreaterThan(2);
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen[seen.length - 1]).toBeLessThan(final);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(await registry.metrics()).toBe(result.metricsText);
  });

  it('run.max_events still limits the whole run (not each slice), with the same error with or without pace', async () => {
    // Seven slices and a bit: above the loader's lower-bound estimate for calm.yaml (about 26,100 events,
    // refused before the run), well below what the run really needs (about 63,400: the order flow's
    // cancellations and requotes and the bot's own events come on top).
    const limit = 7 * PACE_SLICE_EVENTS + 100;
    const text = `${readFileSync(join(repoRoot, 'scenarios/calm.yaml'), 'utf8')}\nrun:\n  max_events: ${limit}\n`;
    const errors: unknown[] = [];
    for (const pace of [undefined, yieldToEventLoop]) {
      errors.push(await runScenario(parseScenario(text, 'limited.yaml'), { pace }).then(() => 'no error', (err: unknown) => err));
    }
    const [plain, paced] = errors;
    expect(plain).toBeInstanceOf(LoopLimitError);
    expect((plain as LoopLimitError).message).toMatch(new RegExp(`ran ${limit} callbacks`));
    expect((paced as LoopLimitError).message).toBe((plain as LoopLimitError).message);
    expect((paced as LoopLimitError).virtualTime).toBe((plain as LoopLimitError).virtualTime);
  });
});

describe('VirtualClock.runUntilAtMost', () => {
  /** A clock with callbacks at 10, 10, 20, 30 (one of which schedules another at 30) that log their names. */
  function setUp(): { clock: VirtualClock; log: string[] } {
    const clock = new VirtualClock();
    const log: string[] = [];
    clock.schedule(10, () => log.push('a@10'));
    clock.schedule(10, () => {
      log.push('b@10');
      clock.schedule(30, () => log.push('e@30'));
    });
    clock.schedule(20, () => log.push('c@20'));
    const cancelled = clock.schedule(25, () => log.push('x@25'));
    clock.schedule(30, () => log.push('d@30'));
    clock.cancel(cancelled);
    clock.schedule(50, () => log.push('f@50'));
    return { clock, log };
  }

  it('run in slices of any size, runs what runUntil runs, in the same order, and ends at the same time', () => {
    const whole = setUp();
    whole.clock.runUntil(40);
    for (const size of [1, 2, 3, 100]) {
      const sliced = setUp();
      const times: number[] = [];
      while (!sliced.clock.runUntilAtMost(40, size)) times.push(sliced.clock.now());
      expect(sliced.log, `slices of ${size}`).toEqual(whole.log);
      expect(sliced.clock.now()).toBe(40);
      expect(sliced.clock.eventsProcessed).toBe(whole.clock.eventsProcessed);
      expect(sliced.clock.pending).toBe(whole.clock.pending);
      // Between slices, now is the time of the last callback run, as it is inside runUntil.
      for (const t of times) expect([10, 20, 30]).toContain(t);
    }
    expect(whole.log).toEqual(['a@10', 'b@10', 'c@20', 'd@30', 'e@30']);
  });

  it('0 runs nothing and says whether something is due; bad arguments throw', () => {
    const { clock, log } = setUp();
    expect(clock.runUntilAtMost(40, 0)).toBe(false);
    expect(log).toEqual([]);
    expect(clock.runUntilAtMost(5, 0)).toBe(true);
    expect(clock.now()).toBe(5);
    expect(() => clock.runUntilAtMost(4, 10)).toThrow(/before now/);
    expect(() => clock.runUntilAtMost(40, -1)).toThrow(/non-negative integer/);
    expect(() => clock.runUntilAtMost(40, 1.5)).toThrow(/non-negative integer/);
  });
});
