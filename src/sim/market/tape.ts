import type { Micros } from '../../core/clock.ts';
import type { Instrument, Side } from '../../core/types.ts';
import type { StreamedFile } from '../run/atomic-write.ts';
import type { MarketView } from '../exchange/market-view.ts';
import { decimalsOf } from '../run/orders-csv.ts';

/**
 * The market of a run as the exchange sees it, told as it happens: every print, and the market view after
 * every book change. The runner feeds it from the exchange's observer, whatever moves the market.
 */
export interface MarketTap {
  /** Before the first event; a replay's exchange epoch time of virtual time 0 (µs). */
  begin(epochStartUs: Micros | undefined): void;
  onTrade(now: Micros, aggressor: Side, priceTicks: number, qtyLots: number): void;
  onView(now: Micros, view: MarketView): void;
  end(endUs: Micros): void;
}

/** Levels a side in `book.csv`. */
export const TAPE_LEVELS = 5;

/**
 * The view's best `n` levels on `side`, best first, into `px` and `qty` (ticks, lots); the rest of the
 * arrays are set to NaN. Returns how many levels there were.
 */
export function viewLevels(view: MarketView, side: Side, n: number, px: number[], qty: number[]): number {
  let p = side === 'buy' ? view.bestBid() : view.bestAsk();
  let k = 0;
  for (; k < n && p !== undefined; k++) {
    px[k] = p;
    qty[k] = view.qtyAt(side, p);
    p = view.worseLevel(side, p);
  }
  for (let i = k; i < n; i++) px[i] = qty[i] = NaN;
  return k;
}

/**
 * Writes `trades.csv` (one row per print) and `book.csv` (one row per instant at which the view's top
 * TAPE_LEVELS levels of either side changed, with the levels after the last change of that instant) in
 * the instrument's decimals. A replay adds `exchange_epoch_us` after `exchange_time_us`, as fills.csv does.
 */
export class CsvTape implements MarketTap {
  private epochStartUs: Micros | undefined = undefined;
  private readonly price: (ticks: number) => string;
  private readonly qty: (lots: number) => string;
  private readonly bidPx: number[] = [];
  private readonly bidQty: number[] = [];
  private readonly askPx: number[] = [];
  private readonly askQty: number[] = [];
  /** The levels last written (bid prices, bid quantities, ask prices, ask quantities). */
  private written: number[] = [];
  private pending: number[] | undefined = undefined;
  private pendingAt: Micros = 0;
  tradeRows = 0;
  bookRows = 0;

  constructor(
    instrument: Instrument,
    private readonly trades: StreamedFile,
    private readonly book: StreamedFile,
  ) {
    const pd = decimalsOf(instrument.tickSize);
    const qd = decimalsOf(instrument.lotSize);
    this.price = (t) => (t * instrument.tickSize).toFixed(pd);
    // A fractional lot (a contract size conversion) keeps its digits rather than being rounded off.
    this.qty = (l) => (Number.isInteger(l) ? (l * instrument.lotSize).toFixed(qd) : String(Number((l * instrument.lotSize).toFixed(qd + 6))));
  }

  begin(epochStartUs: Micros | undefined): void {
    this.epochStartUs = epochStartUs;
    const time = epochStartUs === undefined ? 'exchange_time_us' : 'exchange_time_us,exchange_epoch_us';
    this.trades.write(`${time},price,qty,aggressor\n`);
    const levels = (side: string) => Array.from({ length: TAPE_LEVELS }, (_, i) => `${side}_px_${i + 1},${side}_qty_${i + 1}`).join(',');
    this.book.write(`${time},${levels('bid')},${levels('ask')}\n`);
  }

  onTrade(now: Micros, aggressor: Side, priceTicks: number, qtyLots: number): void {
    this.trades.write(`${this.time(now)},${this.price(priceTicks)},${this.qty(qtyLots)},${aggressor}\n`);
    this.tradeRows++;
  }

  onView(now: Micros, view: MarketView): void {
    if (this.pending !== undefined && now > this.pendingAt) this.flushBook();
    viewLevels(view, 'buy', TAPE_LEVELS, this.bidPx, this.bidQty);
    viewLevels(view, 'sell', TAPE_LEVELS, this.askPx, this.askQty);
    this.pending = [...this.bidPx, ...this.bidQty, ...this.askPx, ...this.askQty];
    this.pendingAt = now;
  }

  end(_endUs: Micros): void {
    if (this.pending !== undefined) this.flushBook();
  }

  private flushBook(): void {
    const levels = this.pending!;
    this.pending = undefined;
    if (sameLevels(levels, this.written)) return;
    this.written = levels;
    const n = TAPE_LEVELS;
    const cells: string[] = [this.time(this.pendingAt)];
    for (const [px, qty] of [
      [0, n],
      [2 * n, 3 * n],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const p = levels[px + i]!;
        cells.push(Number.isNaN(p) ? '' : this.price(p), Number.isNaN(p) ? '' : this.qty(levels[qty + i]!));
      }
    }
    this.book.write(`${cells.join(',')}\n`);
    this.bookRows++;
  }

  private time(now: Micros): string {
    return this.epochStartUs === undefined ? String(now) : `${now},${this.epochStartUs + now}`;
  }
}

function sameLevels(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}
