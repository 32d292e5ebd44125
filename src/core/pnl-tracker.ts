import type { Clock, Micros } from './clock.ts';
import { percentileOfSorted } from './percentiles.ts';
import { sideSign } from './types.ts';
import type { Instrument, Side } from './types.ts';

export interface PnlConfig {
  /** Markout horizons after each fill. */
  readonly horizonsUs: readonly Micros[];
  /** The horizon whose markout is the `adverse` term of net P&L; must be one of `horizonsUs`. */
  readonly adverseHorizonUs: Micros;
}

export interface FillForPnl {
  /** The order the fill belongs to (the bot's client id), carried into the per-fill rows. */
  readonly clientId?: string;
  readonly symbol: string;
  readonly exchangeTime: Micros;
  readonly side: Side;
  readonly priceTicks: number;
  /** The decision price: the best opposite price in the bot's book when it sent the order. */
  readonly decisionTicks: number;
  /** Only a taker fill slips: a maker fill is at the order's own price, the one the bot chose. */
  readonly liquidity: 'maker' | 'taker';
  readonly qtyLots: number;
  readonly feeUsd: number;
}

export interface HorizonStats {
  readonly horizon_ms: number;
  /** Notional-weighted mean mid move against the fills, bps (positive = adverse). */
  readonly mean_bps: number;
  /** Nearest-rank p95 of the per-fill markouts, bps. */
  readonly p95_bps: number;
  /** Fills whose horizon (fill time + h, venue time) ran past the end of the run; their markout uses the last mid. */
  readonly truncated: number;
}

export interface PnlSummary {
  readonly fills: number;
  readonly notional_usd: number;
  readonly gross_usd: number;
  readonly adverse_usd: number;
  readonly slippage_usd: number;
  readonly fees_usd: number;
  readonly net_usd: number;
  /** Cash from fills and fees plus the open position valued at the last mid: the run's true P&L. */
  readonly total_usd: number;
  /**
   * total_usd - (gross_usd - fees_usd): what holding the inventory while the mid moved made or lost (gross
   * already holds every fill's price against the mid, so a taker's slippage is in it, not in this).
   */
  readonly inventory_mtm_usd: number;
  readonly gross_bps: number;
  readonly adverse_bps: number;
  readonly slippage_bps: number;
  readonly fees_bps: number;
  /** gross_bps - adverse_bps - slippage_bps - fees_bps, computed from the values above. */
  readonly net_bps: number;
  readonly adverse_horizon_ms: number;
  readonly markouts: readonly HorizonStats[];
}

/** One fill's attribution, in bps of its own notional; `adverse_bps` per horizon, in the config's order. */
export interface FillPnl {
  readonly fill: number;
  /** The order's client id ('' when the caller did not name it): joins fills.csv to orders.csv. */
  readonly order: string;
  readonly exchange_time_us: Micros;
  readonly symbol: string;
  readonly side: Side;
  readonly price: number;
  readonly qty: number;
  readonly notional_usd: number;
  readonly mid_at_fill: number;
  readonly gross_bps: number;
  readonly slippage_bps: number;
  readonly fees_bps: number;
  readonly adverse_bps: number[];
  /** Horizons (ms) that ran past the end of the run; their markout uses the last mid. */
  readonly truncated_ms: number[];
}

/** Looks up the mid of a symbol in the venue's time: strictly before `t`, or at or before it. */
export type MidAt = (symbol: string, t: Micros, inclusive: boolean) => number;

/**
 * P&L attribution per fill, in bps of fill notional, from the mids `midAt` gives in the venue's time (the
 * venue's own market view in a simulation): gross = spread captured against the last mid stamped
 * strictly before the fill's instant (a change at that instant, such as the trade or book change that
 * caused the fill, is not spread captured); adverse = the mid move against the fill after each horizon
 * (markout: the last mid stamped at or before fill time + h, settled h after the bot learnt of the fill,
 * or at the end of the run); slippage = a taker fill's price worse than the decision price, the best
 * opposite price in the bot's book when it sent the order (0 for maker fills); fees as charged (a rebate
 * is negative).
 */
export class PnlTracker {
  private notional = 0;
  private gross = 0;
  private slippage = 0;
  private fees = 0;
  private fillCount = 0;
  private cash = 0;
  private readonly positions = new Map<string, number>();
  private readonly rows: FillPnl[] = [];
  private readonly adverseUsd: number[];
  private readonly truncated: number[];
  // Per fill (by row index): what its markouts need besides the row.
  private readonly fillMidTicks: number[] = [];
  private readonly fillUsdPerTick: number[] = [];
  /**
   * Markouts as records, not a closure each: per horizon, the row of the k-th markout scheduled and how
   * many of its timers have fired. One timer callback per horizon, made once: the clock runs a horizon's
   * timers in the order they were set (their times never decrease), so the k-th firing is the k-th fill's.
   * A markout is pending until its row has the horizon's adverse_bps.
   */
  private readonly scheduledRows: number[][];
  private readonly fired: number[];
  private readonly settlers: (() => void)[];

  constructor(
    private readonly clock: Clock,
    private readonly config: PnlConfig,
    private readonly instruments: ReadonlyMap<string, Instrument>,
    private readonly midAt: MidAt,
  ) {
    const n = config.horizonsUs.length;
    this.adverseUsd = new Array<number>(n).fill(0);
    this.truncated = new Array<number>(n).fill(0);
    this.scheduledRows = Array.from({ length: n }, () => []);
    this.fired = new Array<number>(n).fill(0);
    this.settlers = Array.from({ length: n }, (_, i) => () => {
      const row = this.scheduledRows[i]![this.fired[i]!++]!;
      if (this.rows[row]!.adverse_bps[i] === undefined) this.settle(row, i);
    });
  }

  /** The markout at horizon `i` of the fill in row `r`. */
  private settle(r: number, i: number): void {
    const row = this.rows[r]!;
    const midAtFill = this.fillMidTicks[r]!;
    const later = this.midAt(row.symbol, row.exchange_time_us + this.config.horizonsUs[i]!, true);
    const adverse = sideSign(row.side) * (midAtFill - later) * this.fillUsdPerTick[r]!;
    this.adverseUsd[i]! += adverse;
    row.adverse_bps[i] = (adverse / row.notional_usd) * 10_000;
  }

  onFill(fill: FillForPnl): void {
    const inst = this.instruments.get(fill.symbol)!;
    const s = sideSign(fill.side);
    const usdPerTick = fill.qtyLots * inst.lotSize * inst.tickSize;
    const notional = fill.priceTicks * usdPerTick;
    const midAtFill = this.midAt(fill.symbol, fill.exchangeTime, false);
    const slippage = fill.liquidity === 'taker' ? s * (fill.priceTicks - fill.decisionTicks) * usdPerTick : 0;
    this.fillCount++;
    this.notional += notional;
    this.gross += s * (midAtFill - fill.priceTicks) * usdPerTick;
    this.slippage += slippage;
    this.fees += fill.feeUsd;
    this.cash -= s * notional + fill.feeUsd;
    this.positions.set(fill.symbol, (this.positions.get(fill.symbol) ?? 0) + s * fill.qtyLots);
    const bps = (usd: number): number => (usd / notional) * 10_000;
    const row: FillPnl = {
      fill: this.fillCount,
      order: fill.clientId ?? '',
      exchange_time_us: fill.exchangeTime,
      symbol: fill.symbol,
      side: fill.side,
      price: fill.priceTicks * inst.tickSize,
      qty: fill.qtyLots * inst.lotSize,
      notional_usd: notional,
      mid_at_fill: midAtFill * inst.tickSize,
      gross_bps: bps(s * (midAtFill - fill.priceTicks) * usdPerTick),
      slippage_bps: bps(slippage),
      fees_bps: bps(fill.feeUsd),
      adverse_bps: [],
      truncated_ms: [],
    };
    const r = this.rows.push(row) - 1;
    this.fillMidTicks.push(midAtFill);
    this.fillUsdPerTick.push(usdPerTick);
    const now = this.clock.now();
    const horizons = this.config.horizonsUs;
    for (let i = 0; i < horizons.length; i++) {
      this.scheduledRows[i]!.push(r);
      this.clock.schedule(now + horizons[i]!, this.settlers[i]!);
    }
  }

  /** Per-fill attribution, in fill order (complete once `finish` has run). */
  fills(): readonly FillPnl[] {
    return this.rows;
  }

  /**
   * Settles markouts still pending at the end of the run and summarises. A markout whose venue time
   * (fill time + h) is inside the run is exact (the bot only heard of its fill late); one past the end
   * is truncated and uses the last mid.
   */
  finish(): PnlSummary {
    const end = this.clock.now();
    this.config.horizonsUs.forEach((h, i) => {
      const horizonMs = h / 1000;
      for (const row of this.rows) {
        if (row.adverse_bps[i] === undefined && row.exchange_time_us + h > end) {
          row.truncated_ms.push(horizonMs);
          this.truncated[i]!++;
        }
      }
      // The pending ones, in fill order (the order their timers would have run).
      for (const r of this.scheduledRows[i]!) if (this.rows[r]!.adverse_bps[i] === undefined) this.settle(r, i);
    });
    const bps = (usd: number): number => (this.notional > 0 ? (usd / this.notional) * 10_000 : 0);
    const adverseIdx = this.config.horizonsUs.indexOf(this.config.adverseHorizonUs);
    const adverseUsd = this.adverseUsd[adverseIdx] ?? 0;
    const grossBps = bps(this.gross);
    const adverseBps = bps(adverseUsd);
    const slippageBps = bps(this.slippage);
    const feesBps = bps(this.fees);
    let inventoryValue = 0;
    for (const [symbol, lots] of this.positions) {
      const inst = this.instruments.get(symbol)!;
      inventoryValue += lots * inst.lotSize * this.midAt(symbol, Number.MAX_SAFE_INTEGER, true) * inst.tickSize;
    }
    const total = this.cash + inventoryValue;
    return {
      fills: this.fillCount,
      notional_usd: this.notional,
      gross_usd: this.gross,
      adverse_usd: adverseUsd,
      slippage_usd: this.slippage,
      fees_usd: this.fees,
      net_usd: this.gross - adverseUsd - this.slippage - this.fees,
      total_usd: total,
      inventory_mtm_usd: total - (this.gross - this.fees),
      gross_bps: grossBps,
      adverse_bps: adverseBps,
      slippage_bps: slippageBps,
      fees_bps: feesBps,
      net_bps: grossBps - adverseBps - slippageBps - feesBps,
      adverse_horizon_ms: this.config.adverseHorizonUs / 1000,
      markouts: this.config.horizonsUs.map((h, i) => {
        const sorted = Float64Array.from(this.rows, (r) => r.adverse_bps[i]!).sort();
        return {
          horizon_ms: h / 1000,
          mean_bps: bps(this.adverseUsd[i]!),
          p95_bps: percentileOfSorted(sorted, 9500),
          truncated: this.truncated[i]!,
        };
      }),
    };
  }
}
