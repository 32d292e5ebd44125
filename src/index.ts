// The package's public API (`import { runScenario, loadScenario } from 'mmsim'`): re-exports only.
export { loadScenario, loadScenarioRuns, parseScenario } from './sim/scenario/load-scenario.ts';
export type { LoadedScenario } from './sim/scenario/load-scenario.ts';
export type { Scenario } from './sim/scenario/schema.ts';
export { runScenario } from './sim/run/runner.ts';
export type { RunObserver, RunOptions, RunResult } from './sim/run/runner.ts';
export type { LatencyStats, Report } from './core/report.ts';
export type { FillPnl, HorizonStats, PnlSummary } from './core/pnl-tracker.ts';
export type { ExpectationResult } from './sim/scenario/expectations.ts';
export { validateReport } from './core/report-validator.ts';
export { InputError, MmsimError } from './core/errors.ts';
export { scenarioJsonSchema } from './sim/scenario/json-schema.ts';
export { MMSIM_VERSION as version } from './sim/soak/soak-manifest.ts';
export type {
  BookLevel,
  BookView,
  OrderStatus,
  OrderUpdate,
  OrderView,
  PlaceOrder,
  Side,
  Strategy,
  StrategyContext,
  StrategyFactory,
  StrategyInstrument,
  TradeView,
} from './core/strategy.ts';
export { StrategyError } from './core/strategy-host.ts';
