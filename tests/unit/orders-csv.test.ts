import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { PlaceRequest, Side } from '../../src/core/types.ts';
import { OrderLog, decimalsOf, ordersCsv } from '../../src/sim/run/orders-csv.ts';
import { exchangeFixture } from '../support/exchange-fixture.ts';

const INST = { symbol: 'T', tickSize: 1, lotSize: 1 };

/**
 * A hand-built session on a real SimExchange (1 ms each way, book bids 99x10 98x5, asks 101x10 102x5):
 * the log hears the bot's sends and the exchange's own account of each order.
 */
function session() {
  const log = new OrderLog();
  // Every `accepted` ack sent between 10 ms and 20 ms is lost on the way to the bot.
  const fx = exchangeFixture({ latencyMs: 1, observer: log.exchangeObserver, faults: [{ kind: 'ack_loss', at: 10_000, duration: 10_000, probability: 1 }] });
  const at = (t: number) => fx.clock.runUntil(t);
  const place = (clientId: string, side: Side, priceTicks: number, qtyLots: number) => {
    const req: PlaceRequest = { type: 'place', clientId, symbol: 'T', side, priceTicks, qtyLots, postOnly: true };
    log.onRequest(req, fx.clock.now());
    fx.ex.placeOrder(req);
  };
  const cancel = (clientId: string) => {
    log.onRequest({ type: 'cancel', clientId, symbol: 'T' }, fx.clock.now());
    fx.ex.cancelOrder({ type: 'cancel', clientId, symbol: 'T' });
  };
  at(0);
  place('a', 'buy', 99, 2); // accepted, stays open
  at(12_000);
  place('lost-ack', 'buy', 98, 1); // accepted at 13 ms; its ack is lost
  at(30_000);
  place('crosses', 'sell', 99, 1); // post-only at the bid: rejected on arrival
  at(31_000);
  log.onRiskBlock('sell', 103, 5, 'risk_position_limit', fx.clock.now()); // never leaves the bot
  at(40_000);
  place('partial', 'sell', 101, 4); // joins behind 10 lots at 41 ms
  at(50_000);
  fx.trade('buy', 101, 12); // 10 ahead, then 2 of our 4 lots
  at(60_000);
  cancel('partial'); // arrives at 61 ms with 2 lots left
  at(70_000);
  fx.clock.runAll();
  return { log, fx };
}

describe('orders.csv', () => {
  it('records each order as the exchange saw it, whatever reached the bot', () => {
    const { log, fx } = session();
    // The lost ack is lost for the bot only: it never heard that lost-ack was accepted.
    expect(fx.events.filter((e) => e.type === 'accepted').map((e) => e.clientId)).toEqual(['a', 'partial']);
    const rows = parse(ordersCsv(log.records(), INST), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.order, r.side, r.price, r.qty, r.sent_us, r.arrival_us, r.outcome, r.reason, r.done_us, r.done])).toEqual([
      ['a', 'buy', '99', '2', '0', '1000', 'accepted', '', '', 'open'],
      ['lost-ack', 'buy', '98', '1', '12000', '13000', 'accepted', '', '', 'open'],
      ['crosses', 'sell', '99', '1', '30000', '31000', 'rejected', 'post_only_would_cross', '31000', 'rejected'],
      ['', 'sell', '103', '5', '31000', '', 'rejected', 'risk_position_limit', '31000', 'rejected'],
      ['partial', 'sell', '101', '4', '40000', '41000', 'accepted', '', '61000', 'canceled'],
    ]);
    // What the exchange saw at arrival: its best bid and ask, and the lots ahead of an accepted order.
    expect(rows.map((r) => [r.arrival_best_bid, r.arrival_best_ask, r.arrival_ahead_qty])).toEqual([
      ['99', '101', '10'],
      ['99', '101', '5'],
      ['99', '101', ''],
      ['', '', ''],
      ['99', '101', '10'],
    ]);
    const partial = rows[4]!;
    expect([partial.first_fill_us, partial.last_fill_us, partial.fills, partial.filled_qty, partial.cancel_sent_us]).toEqual(['50000', '50000', '1', '2', '60000']);
    for (const r of rows.slice(0, 4)) expect([r.first_fill_us, r.fills, r.filled_qty, r.cancel_sent_us]).toEqual(['', '0', '0', '']);
    expect(rows.every((r) => r.post_only === 'true' && r.symbol === 'T')).toBe(true);
  });

  it('marks an order filled at its last fill, and one that never reached the exchange as not_arrived', () => {
    const log = new OrderLog();
    const fx = exchangeFixture({ observer: log.exchangeObserver, faults: [{ kind: 'disconnect', at: 5_000, duration: 5_000 }] });
    const send = (clientId: string, priceTicks: number) => {
      const req: PlaceRequest = { type: 'place', clientId, symbol: 'T', side: 'sell', priceTicks, qtyLots: 3, postOnly: true };
      log.onRequest(req, fx.clock.now());
      fx.ex.placeOrder(req);
      fx.clock.runAll();
    };
    send('full', 102);
    fx.trade('buy', 102, 6); // 5 ahead: 1 lot
    fx.trade('buy', 103, 2); // through our price: the other 2 (a print fills at most its own quantity)
    fx.clock.runUntil(6_000);
    send('dropped', 102);
    const rows = parse(ordersCsv(log.records(), INST), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.order, r.outcome, r.fills, r.filled_qty, r.done])).toEqual([
      ['full', 'accepted', '2', '3', 'filled'],
      ['dropped', 'not_arrived', '0', '0', 'not_arrived'],
    ]);
    expect(rows[0]!.done_us).toBe(rows[0]!.last_fill_us);
    expect(rows[1]!.arrival_us).toBe('');
  });

  it('adds exchange epoch times for a replay, and prints prices and sizes on their grids', () => {
    const log = new OrderLog();
    log.onRequest({ type: 'place', clientId: 'x', symbol: 'B', side: 'buy', priceTicks: 618_003, qtyLots: 7, postOnly: true }, 1_500);
    log.onArrival('x', 14_000, 'accepted');
    const csv = ordersCsv(log.records(), { symbol: 'B', tickSize: 0.1, lotSize: 0.001 }, 1_723_161_240_000_000);
    const [row] = parse(csv, { columns: true }) as Record<string, string>[];
    expect(csv.split('\n')[0]).toMatch(/,done,sent_epoch_us,arrival_epoch_us,first_fill_epoch_us,last_fill_epoch_us,cancel_sent_epoch_us,done_epoch_us$/);
    expect([row!.price, row!.qty, row!.sent_epoch_us, row!.arrival_epoch_us, row!.done_epoch_us]).toEqual(['61800.3', '0.007', '1723161240001500', '1723161240014000', '']);
    expect([decimalsOf(1), decimalsOf(0.5), decimalsOf(0.01), decimalsOf(1e-7), decimalsOf(25)]).toEqual([0, 1, 2, 7, 0]);
  });
});
