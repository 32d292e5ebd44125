import type { Micros } from '../../core/clock.ts';
import type { Side } from '../../core/types.ts';
import type { Branching } from './hawkes.ts';

/** A stretch of the run with its own activity: every arrival intensity is multiplied by `intensity`. */
export interface MarketPhase {
  readonly name: string;
  readonly startUs: Micros;
  readonly endUs: Micros;
  /** Scales the Hawkes baselines and the cancellation rate (1: the calibrated market). */
  readonly intensity: number;
  /** Probability that a market order not following the sign regime is a buy (below 0.5: selling flow). */
  readonly buyShare: number;
}

/** Heavy-tailed market-order sizes: a lognormal body and, with `tailShare`, a Pareto tail. */
export interface SizeMix {
  readonly median: number;
  readonly sigma: number;
  readonly tailShare: number;
  /** The Pareto tail's scale (its smallest size), lots. */
  readonly tailMin: number;
  /** The Pareto tail exponent α: P(size > s) = (tailMin / s)^α. */
  readonly tailExponent: number;
}

/** The event-level order-flow generator's parameters (docs/market-model.md states every one). */
export interface SyntheticMarketConfig {
  readonly initialMidTicks: number;
  /** The initial spread, and the spread the refill rule leaves. */
  readonly spreadTicks: number;
  /** Ticks a side, from the touch, that limit orders and cancellations act on. */
  readonly levels: number;
  /** Initial quantity of each level, and of a refill. */
  readonly depthLots: number;
  /** Stationary mean rates (phase intensity 1), per second: market orders and limit orders. */
  readonly marketRatePerS: number;
  readonly limitRatePerS: number;
  readonly branching: Branching;
  /** Decay rate β of the Hawkes kernel, per second. */
  readonly decayPerS: number;
  readonly marketSize: SizeMix;
  /** Sign process: a regime that flips with `flipProb` per market order; an order follows it with `follow`. */
  readonly signFollow: number;
  readonly signFlipProb: number;
  /** Mean size of a limit order (and of a cancellation), lots. */
  readonly limitSizeLots: number;
  /** Probability that a limit order not improving the touch joins it. */
  readonly touchShare: number;
  /** Behind the touch, a limit order's distance k has P(k) ∝ e^(-(k-1) / depthDecayTicks), 1 <= k < levels. */
  readonly depthDecayTicks: number;
  /** With a spread over one tick, the probability that a limit order is placed inside it. */
  readonly improveProb: number;
  /**
   * Limit orders placed inside a spread wider than one tick, besides the Hawkes flow: a Poisson rate of
   * `insideRatePerS + insideRatePerTickS x (spread - 1)` per second (times the phase's intensity) while
   * the spread is wider than one tick, so a wide spread closes fast and a one-tick spread gets none.
   */
  readonly insideRatePerS: number;
  readonly insideRatePerTickS: number;
  /**
   * The requote: while the spread is wider than one tick, a level of exponential size with mean
   * `requoteSizeLots` is re-formed one tick from a touch at this Poisson rate (times the phase's
   * intensity); with `requoteFollow` by the side that did not move, one tick from the side that did.
   */
  readonly requoteRatePerS: number;
  readonly requoteFollow: number;
  readonly requoteSizeLots: number;
  /** The share of each level within `levels` ticks of the requoting side's touch that moves to the new level. */
  readonly requoteMoveShare: number;
  /** Share of the resting lots (within `levels`, behind the touch) cancelled per second. */
  readonly cancelRatePerS: number;
  /** The same for the lots at the touch (by default `cancelRatePerS`). */
  readonly touchCancelRatePerS: number;
  readonly phases: readonly MarketPhase[];
}

/** What the market tells the venue: prints of trades, then that the book changed. */
export interface MarketListener {
  onTrade(aggressor: Side, priceTicks: number, qtyLots: number): void;
  onBookChange(): void;
}

export interface MarketStats {
  book_updates: number;
  trades: number;
  prints: number;
  traded_lots: number;
  limit_orders: number;
  cancels: number;
  requotes: number;
  refills: number;
  by_phase: Record<string, { trades: number; traded_lots: number }>;
}

export { OrderFlowMarket as SyntheticMarket } from './order-flow.ts';
