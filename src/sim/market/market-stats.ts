import type { Micros } from '../../core/clock.ts';
import type { Side } from '../../core/types.ts';
import { decimalsOf } from '../run/orders-csv.ts';
import { CountDispersion, OrderGrouper, SignAutocorrelation, WeightedQuantiles } from './flow-stats.ts';
import { TopStats } from './top-stats.ts';
import type { Top } from './top-stats.ts';

export { CountDispersion, OrderGrouper, SIGN_LAGS, SignAutocorrelation, WeightedQuantiles } from './flow-stats.ts';
export { TopStats } from './top-stats.ts';
export type { Top } from './top-stats.ts';

/**
 * Stylized facts of a market, computed as it runs from what the exchange sees: its prints and its market
 * view's top of book. Every accumulator here is streaming and deterministic; the definitions are in
 * docs/market-stats.md. Times are virtual µs, prices ticks, quantities lots (converted at the end).
 */

/** `report.json` `market.stats`; null where the run gives too little data for a statistic. */
export interface MarketStatsReport {
  /** Aggressive orders: consecutive prints at one instant on one aggressor side, merged. */
  readonly orders: number;
  /** Full seconds in the run (the denominator of the per-second counts). */
  readonly seconds: number;
  readonly orders_per_s: number | null;
  readonly count_dispersion: number | null;
  readonly sign_autocorrelation: { readonly lag_1: number | null; readonly lag_5: number | null; readonly lag_20: number | null };
  readonly size_p50: number | null;
  readonly size_p99: number | null;
  readonly size_p99_p50: number | null;
  readonly one_tick_spread_share: number | null;
  readonly touch_depth_p50: number | null;
  readonly mid_volatility_bps_per_sqrt_s: number | null;
  readonly touch_life_mean_ms: number | null;
}

/** Every statistic of docs/market-stats.md, fed with the exchange's prints and market view. */
export class MarketStats {
  private readonly grouper: OrderGrouper;
  private readonly counts = new CountDispersion();
  private readonly signs = new SignAutocorrelation();
  private readonly sizes = new WeightedQuantiles();
  private readonly top = new TopStats();
  private orders = 0;

  /** `lotSize` converts quantities to the instrument's units in the report. */
  constructor(private readonly lotSize: number) {
    this.grouper = new OrderGrouper((_at, side, qty) => {
      this.signs.add(side === 'buy' ? 1 : -1);
      this.sizes.add(qty);
    });
  }

  onTrade(now: Micros, aggressor: Side, qtyLots: number): void {
    if (!this.grouper.print(now, aggressor, qtyLots)) return;
    this.orders++;
    this.counts.add(now);
  }

  onTop(now: Micros, top: Top): void {
    this.top.onTop(now, top);
  }

  /** `onTop` without a Top object: the exchange's view changes on every book event. */
  onView(now: Micros, bid: number | undefined, bidQty: number, ask: number | undefined, askQty: number): void {
    this.top.onView(now, bid, bidQty, ask, askQty);
  }

  finish(endUs: Micros): MarketStatsReport {
    this.grouper.flush();
    const c = this.counts.finish(endUs);
    const t = this.top.finish(endUs);
    const [p50, p99] = this.sizes.quantiles([5000, 9900]);
    // Lots times the step, rounded past float noise (0.001 * 7151 is 7.151000000000001).
    const digits = decimalsOf(this.lotSize) + 6;
    const units = (lots: number | null) => (lots === null ? null : Number((lots * this.lotSize).toFixed(digits)));
    return {
      orders: this.orders,
      seconds: c.bins,
      orders_per_s: c.mean,
      count_dispersion: c.dispersion,
      sign_autocorrelation: { lag_1: this.signs.at(0), lag_5: this.signs.at(1), lag_20: this.signs.at(2) },
      size_p50: units(p50!),
      size_p99: units(p99!),
      size_p99_p50: p50 !== null && p99 !== null && p50! > 0 ? p99! / p50! : null,
      one_tick_spread_share: t.oneTickShare,
      touch_depth_p50: units(t.depthP50),
      mid_volatility_bps_per_sqrt_s: t.volBpsPerSqrtS,
      touch_life_mean_ms: t.lifeMeanUs === null ? null : t.lifeMeanUs / 1000,
    };
  }
}
