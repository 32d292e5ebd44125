import yargs from 'yargs';
import { UsageError, reportError } from './errors.ts';
import { MMSIM_VERSION } from '../sim/version.ts';
import { configureInputLimits } from '../sim/scenario/input-file.ts';

// Each command's module is imported only when that command runs: `mmsim sim` does not load the soak's,
// the sweep's queue (bullmq, ioredis), the replay's readers or the schema's builder.
/** Parses the command line and runs one command; returns the exit code (0 ok, 1 run failed a check, 2 bad input). */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const parser = yargs([...argv])
    .scriptName('mmsim')
    .usage('$0 <command> [options]\n\nDeterministic backtest and shadow simulator for a market-making bot.')
    .command(
      'sim <scenario>',
      'Run one scenario on the virtual clock; write report.json and metrics.prom',
      (y) =>
        y
          .positional('scenario', { type: 'string', describe: 'Scenario YAML file, e.g. scenarios/burst.yaml', demandOption: true })
          .option('seed', { type: 'string', describe: "Seed for every random stream, a non-negative integer (default: the scenario's seed)" })
          .option('out', { type: 'string', describe: 'Output directory (default: out/<scenario name>; one subdirectory per variant)' })
          .option('variant', { type: 'string', describe: 'Run only this variant of a scenario with a variants: list' })
          .option('set', {
            type: 'string',
            array: true,
            describe: 'Set one field of the scenario, path=value (dotted path as in the file, YAML value), like a variant\'s set:; repeatable',
          })
          .option('quiet', { type: 'boolean', default: false, describe: 'Print nothing but errors (and, with --metrics-port, the metrics URL)' })
          .option('metrics-port', {
            type: 'string',
            describe: "Serve the run's Prometheus metrics at http://HOST:PORT/metrics while it runs (0: a free port; the URL is printed on stderr)",
          })
          .option('metrics-host', { type: 'string', describe: 'Address to serve the metrics on (default: 127.0.0.1)' })
          .option('hold', { type: 'boolean', default: false, describe: 'With --metrics-port: keep serving after the run until SIGINT or SIGTERM (Ctrl-C), then exit' })
          .example('$0 sim scenarios/burst.yaml', 'Run the burst scenario with its own seed')
          .example('$0 sim scenarios/burst.yaml --seed 7 --out runs/b7', 'Another seed, another folder')
          .example('$0 sim scenarios/calm.yaml --set strategy.spread_bps=3', 'One field changed, validated as if written in the file')
          .example('$0 sim scenarios/burst.yaml --metrics-port 9464 --hold', 'Serve the metrics for Prometheus until Ctrl-C')
          .example('$0 sim scenarios/queue-models.yaml', 'One run per variant, and variants.csv comparing them'),
      async (args) => {
        const { runSimCommand } = await import('./sim-command.ts');
        exitCode = await runSimCommand({
          scenario: args.scenario,
          seed: args.seed,
          out: args.out,
          quiet: args.quiet,
          metricsPort: args.metricsPort,
          metricsHost: args.metricsHost,
          hold: args.hold,
          variant: args.variant,
          set: args.set ?? [],
        });
      },
    )
    .command(
      'validate <report>',
      "Check a report.json: the seed's CI check (zero p95 with the network on) and the report's invariants",
      (y) =>
        y
          .positional('report', { type: 'string', describe: 'A report.json written by mmsim sim', demandOption: true })
          .option('strict', { type: 'boolean', default: false, describe: 'Exit 1 when there is any warning' })
          .example('$0 validate out/burst/report.json --strict', 'Fail a CI job on any warning'),
      async (args) => {
        const { runValidateCommand } = await import('./validate-command.ts');
        exitCode = await runValidateCommand({ report: args.report, strict: args.strict });
      },
    )
    .command(
      'soak <scenario>',
      'Run a scenario many times with derived seeds; one ITER_SUMMARY_<N>.json per iteration, resumable after a kill',
      (y) =>
        y
          .positional('scenario', { type: 'string', describe: 'Scenario YAML file', demandOption: true })
          .option('iterations', { type: 'string', describe: 'How many iterations (on --resume: the soak\'s own by default; may grow)' })
          .option('out', { type: 'string', describe: 'Soak directory (default: out/<scenario name>/soak)' })
          .option('seed', { type: 'string', describe: "The soak's seed; iteration i runs with a seed derived from it and i (default: the scenario's seed)" })
          .option('resume', { type: 'boolean', default: false, describe: 'Finish a soak that was stopped: keep every complete summary, run the rest' })
          .option('variant', { type: 'string', describe: 'The variant to soak, for a scenario with a variants: list' })
          .option('set', {
            type: 'string',
            array: true,
            describe: 'Set one field of the scenario, path=value (dotted path as in the file, YAML value), like a variant\'s set:; repeatable',
          })
          .option('workers', { type: 'string', describe: "Worker threads running iterations side by side (default: the machine's cores); the summaries are the same for any number" })
          .option('quiet', { type: 'boolean', default: false, describe: 'Print nothing but errors and notes about a resume' })
          .option('metrics-port', { type: 'string', describe: "Serve the soak's Prometheus metrics at http://HOST:PORT/metrics while it runs (0: a free port)" })
          .option('metrics-host', { type: 'string', describe: 'Address to serve the metrics on (default: 127.0.0.1)' })
          .example('$0 soak scenarios/burst.yaml --iterations 20 --out soaks/burst', 'Twenty iterations of burst')
          .example('$0 soak scenarios/burst.yaml --out soaks/burst --resume', 'Finish it after a crash or Ctrl-C')
          .example('$0 audit soaks/burst', 'Then audit it'),
      async (args) => {
        const { runSoakCommand } = await import('./soak-command.ts');
        exitCode = await runSoakCommand({
          scenario: args.scenario,
          iterations: args.iterations,
          out: args.out,
          seed: args.seed,
          resume: args.resume,
          variant: args.variant,
          quiet: args.quiet,
          metricsPort: args.metricsPort,
          metricsHost: args.metricsHost,
          set: args.set ?? [],
          workers: args.workers,
        });
      },
    )
    .command(
      'sweep <scenario>',
      'Run a grid of --set values times N seeds on every core (or on a Redis queue); sweep.csv, SWEEP_SUMMARY.json and runs/<run id>/report.json',
      (y) =>
        y
          .positional('scenario', { type: 'string', describe: 'Scenario YAML file', demandOption: true })
          .option('set', { type: 'string', array: true, describe: 'A field and the values it takes, path=v1,v2,... (YAML values; repeatable: the grid is every combination)' })
          .option('seeds', { type: 'string', describe: 'Seeds per parameter point, derived as soak derives them (default: 1)' })
          .option('seed', { type: 'string', describe: "The base seed the runs' seeds derive from (default: the scenario's seed)" })
          .option('workers', { type: 'string', describe: "Worker threads on this machine (default: the machine's cores)" })
          .option('queue', { type: 'string', describe: 'Send the runs as jobs to a BullMQ queue at redis://HOST:PORT, served by mmsim worker' })
          .option('out', { type: 'string', describe: 'Sweep directory (default: out/<scenario name>/sweep)' })
          .option('resume', { type: 'boolean', default: false, describe: 'Finish a sweep that was stopped: keep every finished run, run the rest' })
          .option('variant', { type: 'string', describe: 'The variant to sweep, for a scenario with a variants: list' })
          .option('quiet', { type: 'boolean', default: false, describe: 'Print nothing but errors and notes about a resume' })
          .example('$0 sweep scenarios/calm.yaml --set strategy.spread_bps=1,2,3 --set strategy.size_usd=200,400 --seeds 5', '6 points x 5 seeds')
          .example('$0 sweep scenarios/calm.yaml --set strategy.spread_bps=1,2 --queue redis://10.0.0.5:6379', 'On the workers of a Redis queue'),
      async (args) => {
        const { runSweepCommand } = await import('./sweep-command.ts');
        exitCode = await runSweepCommand({
          scenario: args.scenario,
          set: args.set ?? [],
          seeds: args.seeds,
          seed: args.seed,
          workers: args.workers,
          queue: args.queue,
          out: args.out,
          resume: args.resume,
          variant: args.variant,
          quiet: args.quiet,
        });
      },
    )
    .command(
      'worker',
      'Serve the runs of queued sweeps (mmsim sweep --queue) until SIGINT or SIGTERM',
      (y) =>
        y
          .option('queue', { type: 'string', describe: 'The Redis of the queue, redis://HOST:PORT', demandOption: true })
          .option('concurrency', { type: 'string', describe: "Runs at a time, each on its own thread (default: the machine's cores)" })
          .option('lock-ms', { type: 'string', describe: "A job's lock (ms): a worker silent that long is taken for dead and its job runs again elsewhere (default: 30000)" })
          .option('quiet', { type: 'boolean', default: false, describe: 'Print nothing but errors and the start line' })
          .example('$0 worker --queue redis://10.0.0.5:6379 --concurrency 8', 'Eight runs at a time'),
      async (args) => {
        const { runWorkerCommand } = await import('./worker-command.ts');
        exitCode = await runWorkerCommand({ queue: args.queue, concurrency: args.concurrency, lockMs: args.lockMs, quiet: args.quiet });
      },
    )
    .command(
      'audit <dir>',
      'Audit a soak: the iteration table (CSV + JSON), the P&L identity per iteration and over the last 8, a verdict',
      (y) =>
        y
          .positional('dir', { type: 'string', describe: 'A folder of ITER_SUMMARY_<N>.json files (a soak directory)', demandOption: true })
          .option('allow-gaps', { type: 'boolean', default: false, describe: 'Audit the summaries there are even if some iterations have none' })
          .example('$0 audit out/burst/soak', 'Writes reports/analysis/POST_SOAK_ITER_TABLE.csv, .json, POST_SOAK_SUMMARY.json and POST_SOAK_REPORT.html'),
      async (args) => {
        const { runAuditCommand } = await import('./audit-command.ts');
        exitCode = await runAuditCommand({ dir: args.dir, allowGaps: args.allowGaps });
      },
    )
    .command(
      'shadow <scenario>',
      'Run the bot on a live public market feed and the wall clock, its orders filled by the simulated exchange; write the same outputs as sim',
      (y) =>
        y
          .positional('scenario', { type: 'string', describe: 'Scenario YAML file with market: {source: live, venue, symbol}', demandOption: true })
          .option('duration', { type: 'string', describe: 'End the session after this long (e.g. 30s, 10m; default: market.duration, else until SIGINT/SIGTERM)' })
          .option('out', { type: 'string', describe: 'Output directory (default: out/<scenario name>)' })
          .option('metrics-port', { type: 'string', describe: "Serve the session's Prometheus metrics at http://127.0.0.1:PORT/metrics (0: a free port)" })
          .option('record', { type: 'string', describe: 'Write every received message to FILE (gzip if it ends in .gz), replayable with mmsim sim' })
          .option('ws-url', { type: 'string', describe: "Websocket base URL (default: the venue's public one; without a path the venue's path is added)" })
          .option('rest-url', { type: 'string', describe: "REST base URL for Binance depth snapshots (default: the venue's public one)" })
          .option('quiet', { type: 'boolean', default: false, describe: 'Print nothing but errors and connection events' })
          .example('$0 shadow examples/shadow-binance-btcusdt.yaml --duration 10m --record session.gz', 'Ten minutes on Binance USD-M, recorded')
          .example('$0 shadow examples/shadow-binance-btcusdt.yaml --metrics-port 9464', 'Until Ctrl-C, metrics served for Prometheus'),
      async (args) => {
        const { runShadowCommand } = await import('./shadow-command.ts');
        exitCode = await runShadowCommand({
          scenario: args.scenario,
          duration: args.duration,
          out: args.out,
          metricsPort: args.metricsPort,
          record: args.record,
          wsUrl: args.wsUrl,
          restUrl: args.restUrl,
          quiet: args.quiet,
        });
      },
    )
    .command(
      'tape <scenario>',
      "Run a scenario and write its market as the exchange saw it: trades.csv and book.csv (top 5 levels a side); --stats prints its stylized facts",
      (y) =>
        y
          .positional('scenario', { type: 'string', describe: 'Scenario YAML file, synthetic or replay', demandOption: true })
          .option('out', { type: 'string', describe: 'Output directory (default: out/<scenario name>/tape)' })
          .option('seed', { type: 'string', describe: "Seed for every random stream (default: the scenario's seed)" })
          .option('variant', { type: 'string', describe: 'The variant to run, for a scenario with a variants: list' })
          .option('stats', { type: 'boolean', default: false, describe: "Print the market's stylized facts (docs/market-stats.md), as in report.json market.stats" })
          .option('quiet', { type: 'boolean', default: false, describe: 'Print nothing but errors (and the --stats table)' })
          .example('$0 tape scenarios/burst.yaml --out tapes/burst --stats', 'The synthetic market and its statistics')
          .example('$0 tape scenarios/replay-binance-btcusdt.yaml --out tapes/binance', 'The replayed market, in the same columns'),
      async (args) => {
        const { runTapeCommand } = await import('./tape-command.ts');
        exitCode = await runTapeCommand({ scenario: args.scenario, seed: args.seed, out: args.out, variant: args.variant, stats: args.stats, quiet: args.quiet });
      },
    )
    .command(
      'calibrate <recording..>',
      "Fit the synthetic market's order flow to a recording; prints a commented market: section (docs/market-model.md)",
      (y) =>
        y
          .positional('recording', { type: 'string', array: true, describe: 'Recording file(s), in any format the replay reads', demandOption: true })
          .option('format', { type: 'string', demandOption: true, describe: 'The recording format, as market.format of a replay' })
          .option('symbol', { type: 'string', demandOption: true, describe: 'The symbol to fit' })
          .option('out', { type: 'string', describe: 'Write the section to this file instead of printing it' })
          .option('tick-size', { type: 'string', describe: 'Price step (default: the smallest spread of the book)' })
          .option('lot-size', { type: 'string', describe: 'Quantity step (default: the smallest quantity seen)' })
          .example('$0 calibrate data/btcusdt.gz --format binance_usdm --symbol BTCUSDT --out market.yaml', 'Fit a Binance recording'),
      async (args) => {
        const { runCalibrateCommand } = await import('./calibrate-command.ts');
        exitCode = await runCalibrateCommand({
          recording: args.recording,
          format: args.format,
          symbol: args.symbol,
          out: args.out,
          tickSize: args.tickSize,
          lotSize: args.lotSize,
        });
      },
    )
    .command(
      'schema',
      "Print the scenario JSON Schema (the committed scenario.schema.json), for an editor's completion and checks",
      (y) => y.example('$0 schema > scenario.schema.json', 'What npm run schema:update does'),
      async () => {
        const { scenarioJsonSchemaText } = await import('../sim/scenario/json-schema.ts');
        process.stdout.write(scenarioJsonSchemaText());
      },
    )
    .middleware(refuseRepeatedOptions, true)
    .demandCommand(1, 'Name a command: mmsim sim <scenario.yaml>')
    .strict()
    .help()
    .alias('h', 'help')
    .version(MMSIM_VERSION)
    .wrap(Math.min(110, process.stdout.columns || 110))
    .exitProcess(false)
    .fail((msg, err) => {
      // Throwing here stops yargs before it runs a command with a bad command line.
      if (err) throw err;
      throw new UsageError(/^Not enough non-option arguments/.test(msg) && argv[0] === 'sim' ? 'sim: name a scenario file, e.g. mmsim sim scenarios/burst.yaml' : msg);
    });
  try {
    configureInputLimits(process.env);
    await parser.parseAsync();
  } catch (err) {
    return reportError(err);
  }
  return exitCode;
}

/** Options that may be given more than once (each use adds a value); every other option takes one. */
// `recording` is calibrate's variadic positional (a Tardis book file and its trades file).
const REPEATABLE: ReadonlySet<string> = new Set(['set', 'recording']);

/**
 * `--seed 1 --seed 2` is ambiguous: which one did the user mean? One usage error, before any command
 * reads the value (yargs would hand the command an array).
 */
function refuseRepeatedOptions(argv: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(argv)) {
    if (key === '_' || key === '$0' || !Array.isArray(value) || REPEATABLE.has(key)) continue;
    const dashed = key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (dashed !== key && dashed in argv) continue; // the camelCase alias of a dashed option: reported under its own name
    throw new UsageError(`--${dashed} given ${value.length} times (${value.map((v) => JSON.stringify(v)).join(', ')}): give it once`);
  }
}
