import type { Clock, Micros } from '../../core/clock.ts';
import { US_PER_S } from '../../core/clock.ts';
import type { Side } from '../../core/types.ts';
import { Hawkes, MARKET, baselines } from './hawkes.ts';
import type { OrderBook } from '../exchange/order-book.ts';
import { ASK, BID, DepthWindow } from './depth-window.ts';
import { MAX_LOTS, limitSize, marketSize } from './flow-sizes.ts';
import type { RandomStream } from '../clock/rng.ts';
import type { MarketListener, MarketPhase, MarketStats, SyntheticMarketConfig } from './synthetic-market.ts';

/** The generator's streams: one per component, so that changing one component never shifts another. */
export interface OrderFlowStreams {
  /** Arrival times (Hawkes and cancellations) and the kind of each arrival. */
  readonly arrivals: RandomStream;
  /** Market-order and limit-order sizes. */
  readonly sizes: RandomStream;
  /** Market-order signs. */
  readonly signs: RandomStream;
  /** Which side and level a limit order or a cancellation goes to. */
  readonly levels: RandomStream;
}

/** Event kinds besides the Hawkes MARKET and LIMIT. */
const CANCEL = 2;
const INSIDE = 3;
const REQUOTE = 4;
/** No side known to have moved away from the spread (the initial book, a refill). */
const NONE = -1;

/**
 * The synthetic market as event-level L2 order flow (docs/market-model.md). Market and limit orders
 * arrive as a two-kind Hawkes process (hawkes.ts), cancellations at a rate proportional to the resting
 * lots near the touch. A market order sweeps the opposite side (one print per level); a limit order joins
 * a level at a distance from its touch drawn from a geometric profile, or improves the touch when the
 * spread is wider than one tick; a cancellation takes lots from a level chosen in proportion to its size.
 * Prices move only by depleting or improving the touch. An empty side is refilled at once with
 * `depthLots` at `spreadTicks` from the other side's best (the refill rule), so the book is never one-sided.
 */
export class OrderFlowMarket {
  readonly stats: MarketStats = { book_updates: 0, trades: 0, prints: 0, traded_lots: 0, limit_orders: 0, cancels: 0, requotes: 0, refills: 0, by_phase: {} };
  private readonly hawkes: Hawkes;
  private readonly mu: [number, number];
  private phaseIndex = 0;
  private phase: MarketPhase;
  /** Resting lots within `levels` ticks of each side's best. */
  private readonly depth: DepthWindow;
  /** The sign regime: +1 buying, -1 selling. */
  private regime = 1;
  private cancelRate = 0;
  private touchCancelRate = 0;
  private insideRate = 0;
  private insideRatePerTick = 0;
  private requoteRate = 0;
  /** The side whose best last moved away from the spread (a depleted touch), or NONE. */
  private movedSide = NONE;
  private readonly endUs: Micros;
  private readonly onPrint: (price: number, qty: number) => void;
  private printSide: Side = 'buy';
  private printWindow = 0;
  /** The last price a sweep printed at, and the side it took from (-1: none since the last refill check). */
  private sweptPrice = 0;
  private sweptSide = -1;
  private readonly step: () => void;
  /** `depthLots` in whole lots (a level holds whole lots; the scenario may give a fitted mean). */
  private readonly depthLots: number;

  constructor(
    private readonly clock: Clock,
    private readonly book: OrderBook,
    private readonly config: SyntheticMarketConfig,
    private readonly rng: OrderFlowStreams,
    private readonly listener: MarketListener,
  ) {
    this.depthLots = Math.max(1, Math.round(config.depthLots));
    this.depth = new DepthWindow(book, config.levels);
    this.hawkes = new Hawkes(config.branching, config.decayPerS, rng.arrivals);
    this.mu = baselines([config.marketRatePerS, config.limitRatePerS], config.branching);
    this.phase = config.phases[0]!;
    this.endUs = config.phases[config.phases.length - 1]!.endUs;
    for (const p of config.phases) this.stats.by_phase[p.name] = { trades: 0, traded_lots: 0 };
    this.onPrint = (price, qty) => {
      this.stats.prints++;
      this.depth.lots[this.printWindow] = this.depth.lots[this.printWindow]! - qty;
      this.sweptPrice = price;
      this.sweptSide = this.printWindow;
      this.listener.onTrade(this.printSide, price, qty);
    };
    this.step = () => this.onEvent();
  }

  /** The mid in ticks (both sides always have a best once started). */
  get midTicks(): number {
    const b = this.book.bestBid();
    const a = this.book.bestAsk();
    return b === undefined || a === undefined ? this.config.initialMidTicks : (b + a) / 2;
  }

  start(): void {
    const { levels, spreadTicks, initialMidTicks } = this.config;
    const depthLots = this.depthLots;
    const bestBid = Math.floor(initialMidTicks - spreadTicks / 2);
    for (let k = 0; k < levels; k++) {
      this.book.bids.set(bestBid - k, depthLots);
      this.book.asks.set(bestBid + spreadTicks + k, depthLots);
    }
    this.depth.recount(BID);
    this.depth.recount(ASK);
    this.enterPhase(0);
    this.stats.book_updates++;
    this.listener.onBookChange();
    this.scheduleNext();
  }

  private enterPhase(i: number): void {
    this.phaseIndex = i;
    this.phase = this.config.phases[i]!;
    const f = this.phase.intensity;
    this.hawkes.setBaselines(this.mu[0] * f, this.mu[1] * f);
    // A cancellation takes one limit order's size on average: events per second per resting lot.
    this.cancelRate = (this.config.cancelRatePerS * f) / this.config.limitSizeLots;
    this.touchCancelRate = (this.config.touchCancelRatePerS * f) / this.config.limitSizeLots;
    this.insideRate = this.config.insideRatePerS * f;
    this.insideRatePerTick = this.config.insideRatePerTickS * f;
    this.requoteRate = this.config.requoteRatePerS * f;
  }

  /**
   * Draws the next event: the earlier of the Hawkes arrival and the other flows (cancellations, and while
   * the spread is wide the inside orders and the requote), which are Poisson at rates fixed until the next
   * event: one exponential draw for their sum, the kind in proportion to its rate. Both draws are exact
   * because every intensity is deterministic between events. At a phase's end the draw starts again with
   * the next phase's intensities, which is exact for the same reason.
   */
  private kind = 0;
  private scheduleNext(): void {
    const h = this.hawkes;
    const arrivals = this.rng.arrivals;
    for (;;) {
      const tH = h.next();
      const q = this.depth.lots[BID]! + this.depth.lots[ASK]!;
      const touch = this.book.bids.bestQty() + this.book.asks.bestQty();
      const cancelRate = this.cancelRate * q + (this.touchCancelRate - this.cancelRate) * touch;
      const excess = this.book.bestAsk()! - this.book.bestBid()! - 1;
      const insideRate = excess > 0 ? this.insideRate + this.insideRatePerTick * excess : 0;
      const requoteRate = excess > 0 ? this.requoteRate : 0;
      const other = cancelRate + insideRate + requoteRate;
      const tO = other > 0 ? -Math.log(arrivals.uniformOpen()) / other : Infinity;
      const dt = Math.min(tH, tO);
      const phaseEndS = this.phase.endUs / US_PER_S;
      if (h.t + dt >= phaseEndS) {
        h.advance(phaseEndS - h.t);
        if (this.phaseIndex === this.config.phases.length - 1) return;
        this.enterPhase(this.phaseIndex + 1);
        continue;
      }
      h.advance(dt);
      if (tH <= tO) this.kind = h.kind;
      else if (excess <= 0) this.kind = CANCEL;
      else {
        const u = arrivals.uniform() * other;
        this.kind = u < requoteRate ? REQUOTE : u < requoteRate + insideRate ? INSIDE : CANCEL;
      }
      const at = Math.max(this.clock.now(), Math.ceil(h.t * US_PER_S));
      if (at >= this.endUs) return;
      this.clock.schedule(at, this.step);
      return;
    }
  }

  private onEvent(): void {
    const kind = this.kind;
    if (kind === CANCEL) this.cancel();
    else if (kind === REQUOTE) this.requote();
    else if (kind === INSIDE) this.insideOrder();
    else {
      this.hawkes.arrive(kind);
      if (kind === MARKET) this.marketOrder();
      else this.limitOrder();
    }
    this.refillIfEmpty();
    this.stats.book_updates++;
    this.listener.onBookChange();
    this.scheduleNext();
  }

  private marketOrder(): void {
    const c = this.config;
    const signs = this.rng.signs;
    if (signs.bernoulli(c.signFlipProb)) this.regime = -this.regime;
    const buy = signs.bernoulli(c.signFollow) ? this.regime > 0 : signs.bernoulli(this.phase.buyShare);
    const side: Side = buy ? 'buy' : 'sell';
    const passive = buy ? ASK : BID;
    // An order larger than the modelled book is cut at its depth within `levels` ticks.
    const size = Math.min(marketSize(this.rng.sizes, c.marketSize), Math.max(1, this.depth.lots[passive]!));
    this.printSide = side;
    this.printWindow = passive;
    const before = passive === BID ? this.book.bestBid() : this.book.bestAsk();
    const traded = this.book.sweep(side, size, this.onPrint);
    if ((passive === BID ? this.book.bestBid() : this.book.bestAsk()) !== before) this.movedSide = passive;
    this.depth.resync(passive);
    if (traded === 0) return;
    this.stats.trades++;
    this.stats.traded_lots += traded;
    const ps = this.stats.by_phase[this.phase.name]!;
    ps.trades++;
    ps.traded_lots += traded;
  }

  private limitOrder(): void {
    const c = this.config;
    const lv = this.rng.levels;
    const s = lv.bernoulli(0.5) ? BID : ASK;
    const bid = this.book.bestBid()!;
    const ask = this.book.bestAsk()!;
    const gap = ask - bid;
    let price: number;
    if (gap > 1 && lv.bernoulli(c.improveProb)) {
      // Inside the spread: any price strictly between the bests, uniformly.
      const inside = 1 + Math.floor(lv.uniform() * (gap - 1));
      price = s === BID ? bid + inside : ask - inside;
    } else if (c.levels === 1 || lv.bernoulli(c.touchShare)) {
      price = s === BID ? bid : ask;
    } else {
      // Behind the touch: 1 + a truncated geometric distance, drawn by inversion.
      const tail = 1 - Math.exp(-(c.levels - 1) / c.depthDecayTicks);
      const k = 1 + Math.min(c.levels - 2, Math.floor(-c.depthDecayTicks * Math.log(1 - lv.uniform() * tail)));
      price = s === BID ? bid - k : ask + k;
    }
    if (price <= 0) return;
    const size = limitSize(this.rng.sizes, c.limitSizeLots);
    const side = s === BID ? this.book.bids : this.book.asks;
    side.set(price, Math.min(MAX_LOTS, side.qtyAt(price) + size));
    if (this.depth.inWindow(s, price)) this.depth.lots[s] = this.depth.lots[s]! + size;
    this.depth.resync(s);
    this.stats.limit_orders++;
  }

  /** A limit order strictly inside a spread wider than one tick, uniformly, on either side. */
  private insideOrder(): void {
    const lv = this.rng.levels;
    const s = lv.bernoulli(0.5) ? BID : ASK;
    const bid = this.book.bestBid()!;
    const ask = this.book.bestAsk()!;
    const gap = ask - bid;
    if (gap <= 1) return;
    const inside = 1 + Math.floor(lv.uniform() * (gap - 1));
    const price = s === BID ? bid + inside : ask - inside;
    const size = limitSize(this.rng.sizes, this.config.limitSizeLots);
    const side = s === BID ? this.book.bids : this.book.asks;
    side.set(price, Math.min(MAX_LOTS, side.qtyAt(price) + size));
    this.depth.resync(s);
    this.stats.limit_orders++;
  }

  /**
   * The requote (docs/market-model.md): while the spread is wide, liquidity providers re-form a level one
   * tick from a touch. With `requoteFollow` the side that did not move places it one tick from the side
   * that moved (the price follows the depletion), else the side that moved re-forms it one tick from the
   * other's best (at the price it vacated, when the spread was one tick before). A spread closes at once
   * in the recordings: this is how fast.
   */
  private requote(): void {
    const lv = this.rng.levels;
    const bid = this.book.bestBid()!;
    const ask = this.book.bestAsk()!;
    if (ask - bid <= 1) return;
    const moved = this.movedSide === NONE ? (lv.bernoulli(0.5) ? BID : ASK) : this.movedSide;
    const s = lv.bernoulli(this.config.requoteFollow) ? 1 - moved : moved;
    const price = s === BID ? ask - 1 : bid + 1;
    const side = s === BID ? this.book.bids : this.book.asks;
    // Liquidity moves: a share of every level within `levels` ticks of the side's touch is taken there
    // and re-placed at the new price, with a fresh exponential part on top.
    let lots = limitSize(this.rng.sizes, this.config.requoteSizeLots);
    const share = this.config.requoteMoveShare;
    if (share > 0) {
      const dir = s === BID ? -1 : 1;
      let p = side.best()!;
      for (let k = 0; k < this.config.levels; k++, p += dir) {
        const q = side.qtyAt(p);
        if (q <= 0) continue;
        const take = Math.round(q * share);
        if (take <= 0) continue;
        side.set(p, q - take);
        lots += take;
      }
      this.depth.recount(s);
    }
    side.set(price, Math.min(MAX_LOTS, side.qtyAt(price) + lots));
    this.depth.resync(s);
    this.stats.requotes++;
  }

  /** Lots leave a level chosen in proportion to its size among the `levels` ticks from a side's touch. */
  private cancel(): void {
    const lv = this.rng.levels;
    // Lots weighted by their cancellation rate: the touch's by touchCancelRate, the others' by cancelRate
    // (with equal rates, a plain count of lots).
    const wT = this.touchCancelRate / (this.cancelRate > 0 ? this.cancelRate : 1);
    const tb = this.book.bids.bestQty();
    const ta = this.book.asks.bestQty();
    const weightOf = (s: number, touchQty: number) => (wT === 1 ? this.depth.lots[s]! : this.depth.lots[s]! - touchQty + wT * touchQty);
    const wBid = weightOf(BID, tb);
    let target = lv.uniform() * (wBid + weightOf(ASK, ta));
    const s = target < wBid ? BID : ASK;
    if (s === ASK) target -= wBid;
    // In lots of the side: the touch's weighted lots count 1 / wT each.
    if (wT !== 1) {
      const touchQty = s === BID ? tb : ta;
      target = target < wT * touchQty ? target / wT : target - (wT - 1) * touchQty;
    }
    const side = s === BID ? this.book.bids : this.book.asks;
    const dir = s === BID ? -1 : 1;
    const best = side.best();
    if (best === undefined) return;
    let price = best;
    let qty = 0;
    for (let k = 0; k < this.config.levels; k++, price += dir) {
      qty = side.qtyAt(price);
      if (target < qty) break;
      target -= qty;
    }
    if (qty <= 0) return;
    const lots = Math.min(qty, limitSize(this.rng.sizes, this.config.limitSizeLots));
    side.set(price, qty - lots);
    if (lots === qty && price === best) this.movedSide = s;
    this.depth.lots[s] = this.depth.lots[s]! - lots;
    this.depth.resync(s);
    this.stats.cancels++;
  }

  /**
   * A side a sweep emptied is refilled at the sweep's last price (the price it reached stays reached);
   * a side emptied otherwise (cancellations) at `spreadTicks` from the other side's best.
   */
  private refillIfEmpty(): void {
    const c = this.config;
    const swept = this.sweptSide;
    this.sweptSide = -1;
    if (this.book.bestBid() === undefined) {
      const ask = this.book.bestAsk()!;
      const price = swept === BID ? Math.min(this.sweptPrice, ask - 1) : ask - c.spreadTicks;
      this.book.bids.set(price, this.depthLots);
      this.depth.recount(BID);
      this.stats.refills++;
    }
    if (this.book.bestAsk() === undefined) {
      const bid = this.book.bestBid()!;
      this.book.asks.set(swept === ASK ? Math.max(this.sweptPrice, bid + 1) : bid + c.spreadTicks, this.depthLots);
      this.depth.recount(ASK);
      this.stats.refills++;
    }
  }
}
