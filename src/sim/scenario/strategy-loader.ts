import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../../core/errors.ts';
import { StrategyError } from '../../core/strategy-host.ts';
import type { BuiltinStrategy } from '../../core/strategy-host.ts';
import { STRATEGY_HANDLERS } from '../../core/strategy.ts';
import { avellanedaStoikov } from '../../core/strategies/avellaneda-stoikov.ts';
import { ladder } from '../../core/strategies/ladder.ts';
import type { LoadedScenario } from './load-scenario.ts';

export interface CreatedStrategy {
  readonly strategy: BuiltinStrategy;
  /** Names the strategy in its errors: the module's path, or the built-in's kind. */
  readonly label: string;
}

/**
 * The strategy a scenario names, ready for the order manager: a built-in from its fields, or a user's
 * module (`strategy.module`, resolved against the scenario's folder) whose default export is called with
 * `strategy.params`. A module that cannot be loaded is bad input (exit 2); a factory that throws is the
 * strategy failing (StrategyError, exit 1).
 */
export async function createStrategy(scenario: LoadedScenario): Promise<CreatedStrategy> {
  const st = scenario.strategy;
  if ('module' in st) {
    const file = scenario.strategyPath ?? st.module;
    const factory = await loadFactory(file);
    let strategy: unknown;
    try {
      strategy = factory(st.params);
    } catch (err) {
      throw new StrategyError(file, 'factory', `threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`.split('\n', 1)[0]!);
    }
    return { strategy: checkStrategy(strategy, file), label: file };
  }
  if (st.kind === 'avellaneda_stoikov') {
    return {
      label: 'avellaneda_stoikov',
      strategy: avellanedaStoikov({
        gamma: st.gamma,
        k: st.k,
        horizonUs: st.horizon,
        sizeUsd: st.size_usd,
        maxPositionUsd: st.max_position_usd,
        volatilityHalflifeUs: st.volatility_halflife,
        initialVolatilityBpsPerSqrtS: st.initial_volatility_bps_per_sqrt_s,
        refreshUs: st.refresh,
        requoteThresholdBps: st.requote_threshold_bps,
      }),
    };
  }
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

type Factory = (params: unknown) => unknown;

/** Imports a strategy module: `.ts` through tsx's loader API, `.js` with Node's own import. */
async function loadFactory(file: string): Promise<Factory> {
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    throw new InputError(`${file}: cannot read the strategy module (${err.code === 'ENOENT' ? 'no such file' : (err.code ?? err.message)})`);
  });
  if (!info.isFile()) throw new InputError(`${file}: the strategy module is not a regular file`);
  const url = pathToFileURL(file).href;
  let ns: Record<string, unknown>;
  try {
    if (['.ts', '.mts'].includes(extname(file))) {
      const { tsImport } = await import('tsx/esm/api');
      ns = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    } else {
      ns = (await import(url)) as Record<string, unknown>;
    }
  } catch (err) {
    const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new InputError(`${file}: cannot load the strategy module: ${text.split('\n', 1)[0]!.trim()}`);
  }
  let factory = ns.default;
  // A module compiled to CommonJS (a .ts file outside an ESM package) arrives wrapped once more.
  if (factory !== null && typeof factory === 'object' && (factory as { __esModule?: unknown }).__esModule === true) factory = (factory as { default?: unknown }).default;
  if (factory === undefined) throw new InputError(`${file}: the strategy module has no default export (export default a factory: (params) => strategy)`);
  if (typeof factory !== 'function') throw new InputError(`${file}: the default export must be a factory function (params) => strategy, was ${typeof factory}`);
  return factory as Factory;
}

function checkStrategy(strategy: unknown, file: string): BuiltinStrategy {
  if (strategy === null || typeof strategy !== 'object') {
    throw new InputError(`${file}: the factory must return a strategy object (its handlers onStart, onBook, ...), returned ${strategy === null ? 'null' : typeof strategy}`);
  }
  const s = strategy as Record<string, unknown>;
  for (const name of STRATEGY_HANDLERS) {
    if (s[name] !== undefined && typeof s[name] !== 'function') throw new InputError(`${file}: the strategy's ${name} must be a function, was ${typeof s[name]}`);
  }
  // Only the public handlers: a user's strategy gets no built-in hooks.
  const out: BuiltinStrategy = {};
  for (const name of STRATEGY_HANDLERS) if (typeof s[name] === 'function') Object.assign(out, { [name]: (s[name] as (...a: unknown[]) => unknown).bind(strategy) });
  return out;
}
