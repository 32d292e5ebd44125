// Command-line values shared by the commands: checked here so that every command words its errors alike.
import { InputError } from '../core/errors.ts';
import { LoopLimitError } from '../sim/clock/virtual-clock.ts';
import type { LoadedScenario } from '../sim/scenario/load-scenario.ts';

/** The runs of a scenario file, or only the named variant (bad input when it has no such variant). */
export function pickVariant(runs: LoadedScenario[], file: string, variant: string | undefined): LoadedScenario[] {
  if (variant === undefined) return runs;
  const picked = runs.filter((r) => r.variant === variant);
  if (picked.length === 0) {
    const names = runs.map((r) => r.variant).filter((n) => n !== undefined);
    throw new InputError(
      names.length === 0 ? `--variant ${variant}: ${file} has no variants` : `--variant ${variant}: ${file} has variants ${names.join(', ')}`,
    );
  }
  return picked;
}

export function parseMetricsPort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65535) {
    throw new InputError(`--metrics-port: expected a port number from 0 to 65535 (0: any free port), was "${text}"`);
  }
  return port;
}

export function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seed = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(seed)) {
    throw new InputError(`--seed: expected a non-negative integer, was "${text}"`);
  }
  return seed;
}

/** A positive whole number of at most `max`, e.g. --iterations. */
export function parseCount(name: string, text: string | undefined, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InputError(`--${name}: expected a whole number of at least 1, was "${text}"`);
  }
  if (n > max) throw new InputError(`--${name}: at most ${max}, was ${text.trim()} (see docs/limits.md)`);
  return n;
}

/**
 * Runs `run`; a run stopped by its event limit is the scenario's doing (bad input), named by its file
 * and field. Most such scenarios are refused before they run (scenario-checks.ts estimates the events).
 */
export async function explainEventLimit<T>(file: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof LoopLimitError)) throw err;
    throw new InputError(
      `${file}: run.max_events: the run reached its limit of ${err.callbacksRun.toLocaleString('en-US')} events at virtual time ` +
        `${err.virtualTime / 1e6}s and was stopped: raise run.max_events, or schedule fewer events (exchange.heartbeat, market rates or phase intensity, strategy.refresh)`,
    );
  }
}
