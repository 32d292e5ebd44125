import type { Micros } from '../../core/clock.ts';
import type { LoopObserver } from '../../core/order-manager.ts';
import type { CancelRequest, ExchangeRejectReason, Instrument, PlaceRequest, QueryRequest, RejectReason, RiskRejectReason, Side } from '../../core/types.ts';
import type { ArrivalMarket, ExchangeObserver } from '../exchange/exchange-observer.ts';
import { csvText } from './csv-text.ts';

/** How an order ended; `not_arrived`: it never reached the exchange (lost on the way, or still in flight at the end). */
export type OrderDone = 'filled' | 'canceled' | 'rejected' | 'open' | 'not_arrived';

/** One order's life as the bot sent it and as the exchange saw it (times in virtual µs). */
export interface OrderRecord {
  /** The client id; empty for an order the bot's risk check stopped (it never got one). */
  readonly order: string;
  readonly side: Side;
  readonly priceTicks: number;
  readonly qtyLots: number;
  readonly postOnly: boolean;
  readonly sentUs: Micros;
  arrivalUs: Micros | undefined;
  outcome: 'accepted' | 'rejected' | undefined;
  reason: RejectReason | undefined;
  /** The exchange's best bid and ask, and the lots ahead of the order, when it arrived. */
  arrivalMarket: ArrivalMarket | undefined;
  firstFillUs: Micros | undefined;
  lastFillUs: Micros | undefined;
  fills: number;
  filledLots: number;
  cancelSentUs: Micros | undefined;
  doneUs: Micros | undefined;
  done: 'filled' | 'canceled' | 'rejected' | undefined;
}

/**
 * The order log behind `orders.csv`: what the bot sent (seen on its way out), the bot's own risk blocks,
 * and what the exchange did with each order, told by the exchange itself, so a lost ack or a late fill
 * report never hides when an order really arrived, filled or left the book.
 */
export class OrderLog {
  private readonly rows: OrderRecord[] = [];
  private readonly byId = new Map<string, OrderRecord>();

  /** Requests as the bot sends them (the runner's observer). */
  onRequest(request: PlaceRequest | CancelRequest | QueryRequest, now: Micros): void {
    if (request.type === 'place') {
      const row = this.newRow(request.clientId, request.side, request.priceTicks, request.qtyLots, request.postOnly, now);
      this.byId.set(request.clientId, row);
    } else if (request.type === 'cancel') {
      const row = this.byId.get(request.clientId);
      if (row && row.cancelSentUs === undefined) row.cancelSentUs = now;
    }
  }

  /** The bot's side: orders its risk check stopped. */
  readonly loopObserver: LoopObserver = {
    onRiskBlock: (o, now) => this.onRiskBlock(o.side, o.priceTicks, o.qtyLots, o.reason, now),
  };

  /** The exchange's side. */
  readonly exchangeObserver: ExchangeObserver = {
    onOrderArrival: (clientId, now, outcome, market) => this.onArrival(clientId, now, outcome, market),
    onFill: (f) => this.onFill(f.clientId, f.exchangeTime, f.qtyLots, f.leavesLots),
    onCanceled: (clientId, now) => this.onCanceled(clientId, now),
  };

  onRiskBlock(side: Side, priceTicks: number, qtyLots: number, reason: RiskRejectReason, now: Micros): void {
    // Post-only like every order the bot sends: the order it would have sent.
    const row = this.newRow('', side, priceTicks, qtyLots, true, now);
    row.outcome = 'rejected';
    row.reason = reason;
    row.doneUs = now;
    row.done = 'rejected';
  }

  onArrival(clientId: string, now: Micros, outcome: 'accepted' | ExchangeRejectReason, market?: ArrivalMarket): void {
    const row = this.byId.get(clientId);
    if (!row) return;
    row.arrivalUs = now;
    row.arrivalMarket = market;
    if (outcome === 'accepted') {
      row.outcome = 'accepted';
      return;
    }
    row.outcome = 'rejected';
    row.reason = outcome;
    row.doneUs = now;
    row.done = 'rejected';
  }

  onFill(clientId: string, now: Micros, qtyLots: number, leavesLots: number): void {
    const row = this.byId.get(clientId);
    if (!row) return;
    row.firstFillUs ??= now;
    row.lastFillUs = now;
    row.fills++;
    row.filledLots += qtyLots;
    if (leavesLots === 0) {
      row.doneUs = now;
      row.done = 'filled';
    }
  }

  onCanceled(clientId: string, now: Micros): void {
    const row = this.byId.get(clientId);
    if (!row) return;
    row.doneUs = now;
    row.done = 'canceled';
  }

  /** Every order in the order the bot sent (or blocked) it. */
  records(): readonly OrderRecord[] {
    return this.rows;
  }

  private newRow(order: string, side: Side, priceTicks: number, qtyLots: number, postOnly: boolean, now: Micros): OrderRecord {
    const row: OrderRecord = {
      order,
      side,
      priceTicks,
      qtyLots,
      postOnly,
      sentUs: now,
      arrivalUs: undefined,
      outcome: undefined,
      reason: undefined,
      arrivalMarket: undefined,
      firstFillUs: undefined,
      lastFillUs: undefined,
      fills: 0,
      filledLots: 0,
      cancelSentUs: undefined,
      doneUs: undefined,
      done: undefined,
    };
    this.rows.push(row);
    return row;
  }
}

export const doneOf = (r: OrderRecord): OrderDone => r.done ?? (r.outcome === 'accepted' ? 'open' : 'not_arrived');

/** Decimals needed to print multiples of `step` exactly (0.1 -> 1, 0.001 -> 3, 1e-7 -> 7, 5 -> 0). */
export function decimalsOf(step: number): number {
  for (let d = 0; d <= 12; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) return d;
  }
  return 12;
}

const TIME_COLUMNS = ['sent', 'arrival', 'first_fill', 'last_fill', 'cancel_sent', 'done'] as const;

/**
 * `orders.csv` (RFC 4180): one row per order, in send order. Times are virtual µs; with `epochStartUs`
 * (a replay) each time also appears as exchange epoch µs (`<time>_epoch_us`), to join the raw recording.
 * Empty cells: no such event (no arrival, no fill, no cancel sent, not done).
 */
export function ordersCsv(rows: readonly OrderRecord[], inst: Instrument, epochStartUs?: number): string {
  const priceDecimals = decimalsOf(inst.tickSize);
  const qtyDecimals = decimalsOf(inst.lotSize);
  // A probabilistic queue estimate may be a fraction of a lot: then more decimals, never a rounded-off one.
  const qty = (lots: number) => (Number.isInteger(lots) ? (lots * inst.lotSize).toFixed(qtyDecimals) : String(Number((lots * inst.lotSize).toFixed(qtyDecimals + 6))));
  const columns = [
    'order',
    'symbol',
    'side',
    'price',
    'qty',
    'post_only',
    'sent_us',
    'arrival_us',
    'outcome',
    'reason',
    'arrival_best_bid',
    'arrival_best_ask',
    'arrival_ahead_qty',
    'first_fill_us',
    'last_fill_us',
    'fills',
    'filled_qty',
    'cancel_sent_us',
    'done_us',
    'done',
    ...(epochStartUs === undefined ? [] : TIME_COLUMNS.map((c) => `${c}_epoch_us`)),
  ];
  const price = (t: number | undefined) => (t === undefined ? undefined : (t * inst.tickSize).toFixed(priceDecimals));
  const records = rows.map((r) => {
    const times = [r.sentUs, r.arrivalUs, r.firstFillUs, r.lastFillUs, r.cancelSentUs, r.doneUs];
    const m = r.arrivalMarket;
    return [
      r.order,
      inst.symbol,
      r.side,
      price(r.priceTicks),
      qty(r.qtyLots),
      r.postOnly,
      r.sentUs,
      r.arrivalUs,
      r.outcome ?? 'not_arrived',
      r.reason,
      price(m?.bidTicks),
      price(m?.askTicks),
      m?.aheadLots === undefined ? undefined : qty(m.aheadLots),
      r.firstFillUs,
      r.lastFillUs,
      r.fills,
      qty(r.filledLots),
      r.cancelSentUs,
      r.doneUs,
      doneOf(r),
      ...(epochStartUs === undefined ? [] : times.map((t) => (t === undefined ? undefined : epochStartUs + t))),
    ];
  });
  return csvText(columns, records);
}
