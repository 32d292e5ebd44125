import { OrderBook } from '../../exchange/order-book.ts';
import { OrderFlowMarket } from '../order-flow.ts';
import { RandomStream } from '../../clock/rng.ts';
import type { SyntheticMarketConfig } from '../synthetic-market.ts';
import { VirtualClock } from '../../clock/virtual-clock.ts';
import { TapeRecorder } from './tape-facts.ts';
import type { TapeFacts } from './tape-facts.ts';

/**
 * Runs the order-flow generator alone (no bot, no exchange) and measures its tape the way a recording is
 * measured: how a calibration is checked against the facts it was fitted to.
 */
export function generatedFacts(config: SyntheticMarketConfig, seed: string): TapeFacts {
  const clock = new VirtualClock({ start: 0, loopLimit: 1e10 });
  const book = new OrderBook();
  const tape = new TapeRecorder();
  const stream = (name: string) => new RandomStream(seed, name);
  const market: OrderFlowMarket = new OrderFlowMarket(
    clock,
    book,
    config,
    { arrivals: stream('market_arrivals'), sizes: stream('market_sizes'), signs: stream('market_signs'), levels: stream('market_levels') },
    {
      onTrade: (aggressor, _price, qty) => tape.trade(clock.now(), aggressor === 'buy' ? 1 : -1, qty),
      onBookChange: () => {
        const b = book.bestBid();
        const a = book.bestAsk();
        tape.book(clock.now(), b, a, b === undefined ? 0 : book.bids.qtyAt(b), a === undefined ? 0 : book.asks.qtyAt(a));
      },
    },
  );
  market.start();
  const end = config.phases[config.phases.length - 1]!.endUs;
  clock.runUntil(end);
  tape.book(end, book.bestBid(), book.bestAsk(), 0, 0);
  return tape.facts();
}
