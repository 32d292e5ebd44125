import { InputError } from '../core/errors.ts';
import { outputFolder, streamFilesInto } from '../sim/run/atomic-write.ts';
import type { MarketStatsReport } from '../sim/market/market-stats.ts';
import { runScenario } from '../sim/run/runner.ts';
import { loadScenarioRuns } from '../sim/scenario/load-scenario.ts';
import { CsvTape } from '../sim/market/tape.ts';
import { explainEventLimit, parseSeed, pickVariant } from './args.ts';

export interface TapeArgs {
  readonly scenario: string;
  readonly seed: string | undefined;
  readonly out: string | undefined;
  readonly variant: string | undefined;
  readonly stats: boolean;
  readonly quiet: boolean;
}

/**
 * `mmsim tape`: runs the scenario as `mmsim sim` does and writes its market as the exchange saw it,
 * `trades.csv` and `book.csv` (src/sim/market/tape.ts); `--stats` prints the market's stylized facts.
 */
export async function runTapeCommand(args: TapeArgs): Promise<number> {
  const seed = parseSeed(args.seed);
  const runs = pickVariant(await loadScenarioRuns(args.scenario), args.scenario, args.variant);
  if (runs.length > 1) {
    throw new InputError(`${args.scenario} has variants ${runs.map((r) => r.variant).join(', ')}: pick one with --variant NAME`);
  }
  const scenario = runs[0]!;
  const root = outputFolder(args.out, [scenario.name, 'tape']);
  let files;
  try {
    files = await streamFilesInto(root, ['trades.csv', 'book.csv']);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`--out ${root}: cannot write the tape there (${err instanceof Error ? err.message : String(err)})`);
  }
  const tape = new CsvTape(
    { symbol: scenario.instrument.symbol, tickSize: scenario.instrument.tick_size, lotSize: scenario.instrument.lot_size },
    files.files[0]!,
    files.files[1]!,
  );
  let stats: MarketStatsReport;
  try {
    const result = await explainEventLimit(args.scenario, () => runScenario(scenario, { seed, marketTap: tape }));
    stats = (result.report.market as { stats: MarketStatsReport }).stats;
    await files.commit();
  } catch (err) {
    await files.abort();
    throw err;
  }
  if (args.stats) process.stdout.write(formatMarketStats(stats));
  if (!args.quiet) {
    process.stdout.write(`wrote ${files.paths[0]} (${tape.tradeRows} trades) and ${files.paths[1]} (${tape.bookRows} book rows)\n`);
  }
  return 0;
}

/** The stylized facts as a two-column table (docs/market-stats.md defines them). */
export function formatMarketStats(s: MarketStatsReport): string {
  const num = (x: number | null, digits: number) => (x === null ? 'n/a' : x.toFixed(digits));
  const g = (x: number | null) => (x === null ? 'n/a' : String(Number(x.toPrecision(6))));
  const rows: [string, string][] = [
    ['aggressive orders', String(s.orders)],
    ['whole seconds', String(s.seconds)],
    ['orders per second (mean)', num(s.orders_per_s, 3)],
    ['variance/mean of per-second counts', num(s.count_dispersion, 2)],
    ['trade-sign autocorrelation lag 1', num(s.sign_autocorrelation.lag_1, 3)],
    ['trade-sign autocorrelation lag 5', num(s.sign_autocorrelation.lag_5, 3)],
    ['trade-sign autocorrelation lag 20', num(s.sign_autocorrelation.lag_20, 3)],
    ['order size p50', g(s.size_p50)],
    ['order size p99', g(s.size_p99)],
    ['order size p99/p50', num(s.size_p99_p50, 1)],
    ['share of time at a one-tick spread', s.one_tick_spread_share === null ? 'n/a' : `${(s.one_tick_spread_share * 100).toFixed(1)}%`],
    ['depth at the touch p50', g(s.touch_depth_p50)],
    ['mid volatility (bps per sqrt s)', num(s.mid_volatility_bps_per_sqrt_s, 3)],
    ['mean life of the touch (ms)', num(s.touch_life_mean_ms, 1)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${'statistic'.padEnd(width)}  value\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}
