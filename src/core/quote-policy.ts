import type { Instrument } from './types.ts';

export interface QuoteParams {
  /** Quote levels per side. */
  readonly levels: number;
  /** Distance between the innermost bid and ask, in bps of the reservation price. */
  readonly spreadBps: number;
  /** Extra distance for each further level, in bps. */
  readonly levelStepBps: number;
  /** Order size in USD, rounded to whole lots (at least one). */
  readonly sizeUsd: number;
  /** Shift of the reservation price at a full position (|position| = max_position_usd), in bps. */
  readonly skewBps: number;
}

export interface QuoteInput {
  readonly bidTicks: number;
  readonly askTicks: number;
  /** Signed position in USD at the mark (positive = long). */
  readonly positionUsd: number;
  readonly maxPositionUsd: number;
}

export interface Quotes {
  /** Bid prices, best first; index = level. */
  readonly bids: number[];
  readonly asks: number[];
  readonly bidLots: number[];
  readonly askLots: number[];
}

/**
 * Symmetric quotes around a reservation price skewed against inventory: a long position lowers
 * both sides (buy less eagerly, sell more eagerly). Quotes never cross the book the bot sees, so a
 * post-only reject can only come from the book having moved while the order was in flight.
 */
export function computeQuotes(inst: Instrument, p: QuoteParams, input: QuoteInput): Quotes {
  const mid = (input.bidTicks + input.askTicks) / 2;
  const inventory = Math.max(-1, Math.min(1, input.positionUsd / input.maxPositionUsd));
  const reservation = mid * (1 - (p.skewBps * inventory) / 10_000);
  const bids: number[] = [];
  const asks: number[] = [];
  const bidLots: number[] = [];
  const askLots: number[] = [];
  for (let level = 0; level < p.levels; level++) {
    const offset = (p.spreadBps / 2 + level * p.levelStepBps) / 10_000;
    let bid = Math.min(Math.floor(reservation * (1 - offset)), input.askTicks - 1);
    let ask = Math.max(Math.ceil(reservation * (1 + offset)), input.bidTicks + 1);
    if (level > 0) {
      bid = Math.min(bid, bids[level - 1]! - 1);
      ask = Math.max(ask, asks[level - 1]! + 1);
    }
    bids.push(bid);
    asks.push(ask);
    bidLots.push(lotsForUsd(inst, p.sizeUsd, bid));
    askLots.push(lotsForUsd(inst, p.sizeUsd, ask));
  }
  return { bids, asks, bidLots, askLots };
}

export function lotsForUsd(inst: Instrument, usd: number, priceTicks: number): number {
  const lotUsd = inst.lotSize * priceTicks * inst.tickSize;
  return Math.max(1, Math.round(usd / lotUsd));
}
