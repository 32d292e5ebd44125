// The market tape: the view's top levels (book and replay overlay alike) and the CSV rows written from them.
import { describe, expect, it } from 'vitest';
import type { StreamedFile } from '../../src/sim/run/atomic-write.ts';
import { bookView } from '../../src/sim/exchange/market-view.ts';
import { OrderBook } from '../../src/sim/exchange/order-book.ts';
import { TickerOverlay } from '../../src/sim/market/replay/ticker-overlay.ts';
import { CsvTape, viewLevels } from '../../src/sim/market/tape.ts';

class Sink implements StreamedFile {
  text = '';
  write(t: string): void {
    this.text += t;
  }
  get lines(): string[] {
    return this.text.trimEnd().split('\n');
  }
}

describe('viewLevels', () => {
  it('reads the book best first, across gaps of any size', () => {
    const book = new OrderBook();
    for (const [p, q] of [[100, 1], [99, 2], [30, 3], [-500, 4]] as const) book.bids.set(p, q);
    book.asks.set(101, 5);
    const px: number[] = [];
    const qty: number[] = [];
    expect(viewLevels(bookView(book), 'buy', 5, px, qty)).toBe(4);
    expect(px.slice(0, 4)).toEqual([100, 99, 30, -500]);
    expect(qty.slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(px[4]).toBeNaN();
    expect(viewLevels(bookView(book), 'sell', 2, px, qty)).toBe(1);
  });

  it("takes a newer bookTicker's touch and the book's levels below it", () => {
    const book = new OrderBook();
    for (const [p, q] of [[100, 1], [99, 2], [98, 3]] as const) book.bids.set(p, q);
    for (const [p, q] of [[101, 1], [102, 2]] as const) book.asks.set(p, q);
    const overlay = new TickerOverlay(book);
    overlay.onBook(10, 0);
    // The bid at 100 is gone already (the ticker says 99 is best, with 7); the ask at 101 now shows 4.
    overlay.onTicker(11, 1, 99, 7, 101, 4);
    const px: number[] = [];
    const qty: number[] = [];
    viewLevels(overlay, 'buy', 3, px, qty);
    expect([px, qty]).toEqual([
      [99, 98, NaN],
      [7, 3, NaN],
    ]);
    viewLevels(overlay, 'sell', 3, px, qty);
    expect([px, qty]).toEqual([
      [101, 102, NaN],
      [4, 2, NaN],
    ]);
    overlay.onBook(12, 2); // the book is fresh again
    viewLevels(overlay, 'buy', 3, px, qty);
    expect(px).toEqual([100, 99, 98]);
  });
});

describe('CsvTape', () => {
  const inst = { symbol: 'T', tickSize: 0.5, lotSize: 0.01 };

  it('writes prints and one book row per instant the top levels changed, in the instrument decimals', () => {
    const trades = new Sink();
    const bookCsv = new Sink();
    const tape = new CsvTape(inst, trades, bookCsv);
    const book = new OrderBook();
    const view = bookView(book);
    tape.begin(undefined);
    book.bids.set(200, 3);
    book.asks.set(202, 10);
    tape.onView(0, view);
    tape.onTrade(5, 'sell', 200, 1);
    book.bids.set(200, 2);
    tape.onView(5, view);
    book.bids.set(200, 9); // changed twice at 5: the row shows the last
    tape.onView(5, view);
    tape.onView(7, view); // nothing changed: no row
    book.bids.set(150, 1); // a sixth-level change would not show; a second level does
    tape.onView(9, view);
    tape.end(10);
    expect(trades.lines).toEqual(['exchange_time_us,price,qty,aggressor', '5,100.0,0.01,sell']);
    const header = bookCsv.lines[0]!.split(',');
    expect(header.length).toBe(21);
    expect(header.slice(0, 5)).toEqual(['exchange_time_us', 'bid_px_1', 'bid_qty_1', 'bid_px_2', 'bid_qty_2']);
    expect(header.slice(-2)).toEqual(['ask_px_5', 'ask_qty_5']);
    const rows = bookCsv.lines.slice(1).map((l) => l.split(','));
    expect(rows.map((r) => r[0])).toEqual(['0', '5', '9']);
    expect(rows.every((r) => r.length === 21)).toBe(true);
    expect(rows[0]!.slice(1, 5)).toEqual(['100.0', '0.03', '', '']);
    expect(rows[1]!.slice(1, 3)).toEqual(['100.0', '0.09']);
    expect(rows[2]!.slice(1, 5)).toEqual(['100.0', '0.09', '75.0', '0.01']);
    expect(rows[2]!.slice(11, 13)).toEqual(['101.0', '0.10']);
    expect(tape.tradeRows).toBe(1);
    expect(tape.bookRows).toBe(3);
  });

  it('adds the exchange epoch time for a replay', () => {
    const trades = new Sink();
    const bookCsv = new Sink();
    const tape = new CsvTape(inst, trades, bookCsv);
    tape.begin(1_700_000_000_000_000);
    tape.onTrade(42, 'buy', 3, 2);
    tape.onView(42, bookView(new OrderBook()));
    tape.end(50);
    expect(trades.lines).toEqual(['exchange_time_us,exchange_epoch_us,price,qty,aggressor', '42,1700000000000042,1.5,0.02,buy']);
    expect(bookCsv.lines[1]).toBe(`42,1700000000000042${','.repeat(20)}`);
  });
});
