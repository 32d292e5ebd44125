/**
 * The synthetic market before issue 14 (git 147c79b, src/sim/synthetic-market.ts), kept verbatim but for
 * its imports and names, as the baseline of bench/suites/market-model.bench.ts: a mid random walk and a
 * periodic rebuild of the book around it, with Poisson trades that sweep it. Not used by the simulator.
 */
import type { Clock, Micros } from '../../src/core/clock.ts';
import { US_PER_S } from '../../src/core/clock.ts';
import type { Side } from '../../src/core/types.ts';
import type { OrderBook } from '../../src/sim/exchange/order-book.ts';
import type { RandomStream } from '../../src/sim/clock/rng.ts';

export interface PeriodicPhase {
  readonly name: string;
  readonly startUs: Micros;
  readonly endUs: Micros;
  /** Mean number of aggressive trades per second (Poisson arrivals). */
  readonly tradeRatePerS: number;
  /** Standard deviation of the mid's log return per square-root second, in bps. */
  readonly volatilityBpsPerSqrtS: number;
  /** Mid move in the aggressor's direction caused by a median-sized trade, in bps. */
  readonly impactBps: number;
  /** Probability that an aggressive trade is a buy: below 0.5 the flow is selling and, with impact, trends down. */
  readonly buyShare: number;
}

export interface PeriodicMarketConfig {
  readonly initialMidTicks: number;
  readonly spreadTicks: number;
  readonly levels: number;
  readonly depthLots: number;
  /** Probability that a level's quantity is redrawn at each book update (adds and cancels). */
  readonly levelRefreshProb: number;
  readonly bookIntervalUs: Micros;
  readonly tradeSizeMedianLots: number;
  readonly tradeSizeSigma: number;
  readonly phases: readonly PeriodicPhase[];
}

/** What the market tells the venue: prints of trades, then that the book changed. */
interface MarketListener {
  onTrade(aggressor: Side, priceTicks: number, qtyLots: number): void;
  onBookChange(): void;
}

interface MarketStats {
  book_updates: number;
  trades: number;
  prints: number;
  traded_lots: number;
  by_phase: Record<string, { trades: number; traded_lots: number }>;
}

/**
 * A synthetic market: the mid is a geometric random walk (volatility per phase) nudged by the trades'
 * impact; the L2 book is rebuilt around it every `bookIntervalUs`, keeping most levels' quantities;
 * aggressive trades arrive as a Poisson process and sweep the book level by level.
 */
export class PeriodicMarket {
  readonly stats: MarketStats = { book_updates: 0, trades: 0, prints: 0, traded_lots: 0, by_phase: {} };
  private mid: number;
  private phaseIndex = 0;
  /** The book's previous levels, kept for the next rebuild (see BookSide.takeLevels). */
  private spareBids = new Map<number, number>();
  private spareAsks = new Map<number, number>();

  constructor(
    private readonly clock: Clock,
    private readonly book: OrderBook,
    private readonly config: PeriodicMarketConfig,
    private readonly rng: RandomStream,
    private readonly tradeRng: RandomStream,
    private readonly listener: MarketListener,
  ) {
    this.mid = config.initialMidTicks;
    for (const p of config.phases) this.stats.by_phase[p.name] = { trades: 0, traded_lots: 0 };
  }

  get midTicks(): number {
    return this.mid;
  }

  start(): void {
    this.rebuildBook(0);
    this.scheduleBookUpdate();
    this.scheduleTrade();
  }

  private phase(): PeriodicPhase {
    const phases = this.config.phases;
    const now = this.clock.now();
    while (this.phaseIndex < phases.length - 1 && now >= phases[this.phaseIndex]!.endUs) this.phaseIndex++;
    return phases[this.phaseIndex]!;
  }

  private scheduleBookUpdate(): void {
    const at = this.clock.now() + this.config.bookIntervalUs;
    if (at > this.endUs()) return;
    this.clock.schedule(at, () => {
      const dtS = this.config.bookIntervalUs / US_PER_S;
      const vol = this.phase().volatilityBpsPerSqrtS / 10_000;
      this.mid *= Math.exp(vol * Math.sqrt(dtS) * this.rng.normal());
      this.rebuildBook(this.config.levelRefreshProb);
      this.scheduleBookUpdate();
    });
  }

  private scheduleTrade(): void {
    const phase = this.phase();
    const now = this.clock.now();
    const gap = phase.tradeRatePerS > 0 ? Math.max(1, Math.round(this.tradeRng.exponential(US_PER_S / phase.tradeRatePerS))) : Infinity;
    // Poisson arrivals are memoryless: at a phase boundary, draw again at the new phase's rate.
    if (now + gap >= phase.endUs) {
      if (phase.endUs < this.endUs()) this.clock.schedule(phase.endUs, () => this.scheduleTrade());
      return;
    }
    this.clock.schedule(now + gap, () => {
      this.trade(this.phase());
      this.scheduleTrade();
    });
  }

  private trade(phase: PeriodicPhase): void {
    const side: Side = this.tradeRng.bernoulli(phase.buyShare) ? 'buy' : 'sell';
    const size = Math.max(1, Math.round(this.tradeRng.lognormal(this.config.tradeSizeMedianLots, this.config.tradeSizeSigma)));
    const traded = this.book.sweep(side, size, (price, qty) => {
      this.stats.prints++;
      this.listener.onTrade(side, price, qty);
    });
    if (traded === 0) return;
    this.stats.trades++;
    this.stats.traded_lots += traded;
    const ps = this.stats.by_phase[phase.name]!;
    ps.trades++;
    ps.traded_lots += traded;
    const impact = (phase.impactBps / 10_000) * Math.min(traded / this.config.tradeSizeMedianLots, 10);
    this.mid *= side === 'buy' ? 1 + impact : 1 - impact;
    this.listener.onBookChange();
  }

  /** Re-centres the book on the mid; a level keeps its quantity unless redrawn with `refreshProb`. */
  private rebuildBook(refreshProb: number): void {
    const { levels, spreadTicks } = this.config;
    const bestBid = Math.floor(this.mid - spreadTicks / 2);
    const bestAsk = bestBid + spreadTicks;
    const prevBids = this.book.bids.takeLevels(this.spareBids);
    const prevAsks = this.book.asks.takeLevels(this.spareAsks);
    for (let k = 0; k < levels; k++) {
      this.book.bids.set(bestBid - k, this.levelQty(prevBids.get(bestBid - k), refreshProb));
      this.book.asks.set(bestAsk + k, this.levelQty(prevAsks.get(bestAsk + k), refreshProb));
    }
    this.spareBids = prevBids;
    this.spareAsks = prevAsks;
    this.stats.book_updates++;
    this.listener.onBookChange();
  }

  private levelQty(prev: number | undefined, refreshProb: number): number {
    const keep = prev !== undefined && !this.rng.bernoulli(refreshProb);
    return keep ? prev : Math.max(1, Math.round(this.rng.exponential(this.config.depthLots)));
  }

  private endUs(): Micros {
    return this.config.phases[this.config.phases.length - 1]!.endUs;
  }
}
