import type { Instrument } from '../../../core/types.ts';
import { ReplayDataError } from './replay-message.ts';
import type { Levels } from './replay-message.ts';
import type { ReplayStats } from './replay-stats.ts';

/**
 * An off-grid level further than this from the mid (a fraction of it) is a legacy level and ignored;
 * nearer, the scenario's tick size is wrong and the run stops (docs/replay.md, "Bad data").
 */
export const OFF_GRID_FAR = 0.05;

/** Recorded prices and quantities in the instrument's ticks and lots, and what to do with a price off its grid. */
export class PriceGrid {
  private readonly invTick: number;
  private readonly invLot: number;

  constructor(
    private readonly instrument: Instrument,
    /** Undefined: quantities in base units; a number: contracts worth that much quote currency each. */
    private readonly contractSize: number | undefined,
    /** Off-grid levels far from the mid are counted here. */
    private readonly stats: Pick<ReplayStats, 'off_grid_levels'>,
  ) {
    this.invTick = 1 / instrument.tickSize;
    this.invLot = 1 / instrument.lotSize;
  }

  /**
   * The ticks of level `i` of `side`; NaN for a level off the tick grid far from the mid (counted and
   * ignored); off the grid near the mid stops the run (the scenario's tick_size is wrong). `refMid` is the
   * rebuilt book's mid before the message (undefined: the message's own best levels are the reference).
   */
  levelTicks(bids: Levels, asks: Levels, i: number, side: Levels, line: number, refMid: number | undefined): number {
    const price = side[i]!;
    const t = price * this.invTick;
    const r = Math.round(t);
    if (Math.abs(t - r) <= 1e-6) return r;
    const ref = refMid ?? this.messageMid(bids, asks);
    if (ref !== undefined && Math.abs(t - ref) > OFF_GRID_FAR * ref) {
      const a = this.stats.off_grid_levels;
      if (a) a.count++;
      else this.stats.off_grid_levels = { count: 1, first_line: line };
      return NaN;
    }
    throw this.offGrid(price, line, ref);
  }

  /** The mid of a message's own best levels, in (fractional) ticks: the reference when the book is empty. */
  private messageMid(bids: Levels, asks: Levels): number | undefined {
    let bid = -Infinity;
    let ask = Infinity;
    for (let i = 0; i < bids.length; i += 2) if (bids[i + 1]! > 0 && bids[i]! > bid) bid = bids[i]!;
    for (let i = 0; i < asks.length; i += 2) if (asks[i + 1]! > 0 && asks[i]! < ask) ask = asks[i]!;
    return bid === -Infinity || ask === Infinity ? undefined : ((bid + ask) / 2) * this.invTick;
  }

  private offGrid(price: number, line: number, refTicks: number | undefined): ReplayDataError {
    const near = refTicks === undefined ? '' : ` (within ${OFF_GRID_FAR * 100}% of the mid ${refTicks * this.instrument.tickSize})`;
    return new ReplayDataError(line, `price ${price} is not a multiple of instrument.tick_size ${this.instrument.tickSize}${near}`);
  }

  /** A recorded price in ticks; off the instrument's tick grid means the scenario's tick_size is wrong. */
  ticks(price: number, line: number): number {
    const t = price * this.invTick;
    const r = Math.round(t);
    if (Math.abs(t - r) > 1e-6) throw this.offGrid(price, line, undefined);
    return r;
  }

  /** A recorded quantity in lots; fractions of a lot are kept (market depth is not ours to round). */
  lots(qty: number, price: number): number {
    const cs = this.contractSize;
    const l = (cs === undefined ? qty : (qty * cs) / price) * this.invLot;
    const r = Math.round(l);
    return Math.abs(l - r) < 1e-9 * Math.max(1, r) ? r : l;
  }
}
