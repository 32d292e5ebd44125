// The bot's feed as a strategy sees it: the top N levels of depth, public trades after the feed
// latency and FIFO with the books, and both turned into the Strategy API's decimals.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BotMetrics } from '../../src/core/bot-metrics.ts';
import { OrderManager } from '../../src/core/order-manager.ts';
import { RiskMonitor } from '../../src/core/risk-monitor.ts';
import type { BuiltinStrategy } from '../../src/core/strategy-host.ts';
import type { BookView, TradeView } from '../../src/core/strategy.ts';
import type { MarketEvent, PublicTrade } from '../../src/core/types.ts';
import { exchangeFixture } from '../support/exchange-fixture.ts';
import type { SimExchangeConfig } from '../../src/sim/exchange/sim-exchange.ts';

function feed(config: Partial<SimExchangeConfig>, latencyMs = 0) {
  const fx = exchangeFixture({ config, latencyMs });
  const log: string[] = [];
  const books: MarketEvent[] = [];
  const trades: PublicTrade[] = [];
  fx.ex.connect({
    onExecution: () => undefined,
    onMarketData: (e) => {
      books.push(e);
      log.push(`book@${fx.clock.now()} ${e.bidTicks}/${e.askTicks}`);
    },
    onPublicTrade: (t) => {
      trades.push(t);
      log.push(`trade@${fx.clock.now()} ${t.side} ${t.qtyLots}@${t.priceTicks} (${t.exchangeTime})`);
    },
    onQueryResult: () => undefined,
    onHeartbeat: () => undefined,
  });
  fx.clock.runAll();
  return { fx, log, books, trades };
}

describe('the simulated feed', () => {
  it('carries the top N levels per side, best first, and only the top by default', () => {
    const deep = feed({ feedDepthLevels: 3 });
    expect(deep.books[0]).toMatchObject({ bidTicks: 99, askTicks: 101, bids: [{ priceTicks: 99, lots: 10 }, { priceTicks: 98, lots: 5 }], asks: [{ priceTicks: 101, lots: 10 }, { priceTicks: 102, lots: 5 }] });
    const top = feed({});
    expect(top.books[0]).not.toHaveProperty('bids');
    // A change below the top is news only to a deep feed.
    deep.fx.level('sell', 102, 7);
    top.fx.level('sell', 102, 7);
    expect(deep.books).toHaveLength(2);
    expect(deep.books[1]!.asks).toEqual([{ priceTicks: 101, lots: 10 }, { priceTicks: 102, lots: 7 }]);
    expect(top.books).toHaveLength(1);
  });

  it('sends public trades only when asked, after the feed latency, in order with the books', () => {
    const quiet = feed({});
    quiet.fx.trade('buy', 101, 4);
    expect(quiet.trades).toHaveLength(0);
    const f = feed({ publicTrades: true }, 2);
    f.fx.clock.schedule(10_000, () => {
      f.fx.book.asks.set(101, 6);
      f.fx.ex.onTrade('buy', 101, 4);
      f.fx.ex.onBookChange();
    });
    f.fx.clock.runAll();
    expect(f.log).toEqual(['book@2000 99/101', 'trade@12000 buy 4@101 (10000)', 'book@12000 99/101']);
  });
});

describe('the feed through the order manager', () => {
  it('gives the strategy N levels in decimals and every print as a TradeView', () => {
    const fx = exchangeFixture({ config: { feedDepthLevels: 2, publicTrades: true } });
    const inst = { symbol: 'T', tickSize: 0.5, lotSize: 0.01 };
    const risk = new RiskMonitor(fx.clock, { maxPositionUsd: 1e9, maxTotalNotionalUsd: 1e9, freezeCooldownUs: 1 }, [inst]);
    const books: BookView[] = [];
    const trades: TradeView[] = [];
    const strategy: BuiltinStrategy = { onBook: (_c, b) => void books.push(b), onTrade: (_c, t) => void trades.push(t) };
    const om = new OrderManager(fx.clock, fx.ex, risk, new BotMetrics(new Registry()), inst, { strategy, label: 't', random: () => 0 }, { horizonsUs: [1], adverseHorizonUs: 1 });
    expect(om.wantsTrades).toBe(true);
    om.start();
    fx.clock.runAll();
    fx.trade('sell', 99, 3);
    expect(books[0]).toEqual({ bids: [{ price: 49.5, qty: 0.1 }, { price: 49, qty: 0.05 }], asks: [{ price: 50.5, qty: 0.1 }, { price: 51, qty: 0.05 }], time: 0 });
    expect(trades).toEqual([{ price: 49.5, qty: 0.03, side: 'sell', time: 0 }]);
    expect(books.at(-1)!.bids[0]).toEqual({ price: 49.5, qty: 0.07 });
  });
});
