import { InputError } from '../../core/errors.ts';
import type { ReplayMarketSpec } from '../scenario/schema.ts';
import { runSliced } from './market-driver.ts';
import type { DriverDeps, MarketDriver } from './market-driver.ts';
import { ReplayMarket } from './replay/replay-market.ts';
import type { RecordedFeedLatency } from './replay/replay-market.ts';
import { openReplaySource } from './replay/replay-source.ts';
import { defaultQuantityUnit, resolveContractSize } from './replay/contract-size.ts';
import type { TickerOverlay } from './replay/ticker-overlay.ts';

// The replay's side of a run, in a module of its own: the runner imports it (and with it the decoders,
// the archive and CSV readers) only for a replay, so a synthetic run does not load them.
export { RecordedFeedLatency } from './replay/replay-market.ts';
export { TickerOverlay } from './replay/ticker-overlay.ts';

/**
 * A replay: the recording's streams on one time line; `overlay` (the exchange's view, and the bot's feed
 * with `ticker_to_bot`) takes the recording's bookTickers while they are newer than the book.
 */
export function replayDriver(
  m: ReplayMarketSpec,
  paths: readonly string[],
  deps: DriverDeps,
  recordedLatency: RecordedFeedLatency | undefined,
  overlay?: TickerOverlay,
): MarketDriver {
  const source = openReplaySource(m.format, paths, m.symbol);
  const inst = deps.instrument;
  const contractSize = resolveContractSize(m);
  const market = new ReplayMarket(
    deps.clock,
    deps.book,
    {
      instrument: inst,
      durationUs: m.duration,
      recordedLatency,
      recordedBaseUs: m.recorded_base,
      contractSize,
      reorderWindowUs: m.reorder_window,
      overlay,
    },
    source,
    deps.listener,
  );
  // Data errors name their file and line where they are raised (the decoders' reader, the market).
  return {
    prepare: async () => {
      await market.fill();
      if (market.epochStartUs === undefined) {
        throw new InputError(`${paths.join(', ')}: the recording has no usable message for symbol ${m.symbol} (format ${m.format})`);
      }
    },
    start: () => market.start(),
    epochStartUs: () => market.epochStartUs,
    run: async (maxEvents, pace) => {
      await runSliced(deps.clock, maxEvents, pace, () => market.horizon(), async () => {
        await market.fill();
        return market.done;
      });
      return market.endUs;
    },
    report: () => {
      const mid = market.midTicks;
      const bid = deps.book.bestBid();
      const ask = deps.book.bestAsk();
      const t0 = market.epochStartUs!;
      return {
        source: 'replay',
        format: m.format,
        symbol: m.symbol,
        path: m.path,
        start_unix_us: t0,
        end_unix_us: t0 + market.endUs,
        feed_latency: m.feed_latency,
        quantity_unit: m.quantity_unit ?? defaultQuantityUnit(m.format),
        contract_size: contractSize ?? null,
        reorder_window_ms: m.reorder_window / 1000,
        ticker_to_bot: m.ticker_to_bot,
        recorded_base_ms: m.recorded_base / 1000,
        files: source.files.map((f, i) => ({ path: m.path[i], ...f.stats })),
        ...market.stats,
        final_best_bid: bid === undefined ? null : bid * inst.tickSize,
        final_best_ask: ask === undefined ? null : ask * inst.tickSize,
        final_mid: mid === undefined ? null : mid * inst.tickSize,
      };
    },
  };
}
