import type { Micros } from '../../core/clock.ts';
import { US_PER_S } from '../../core/clock.ts';
import { WeightedQuantiles } from './flow-stats.ts';

/** The top of the market view at an instant: best prices (ticks) and their quantities (lots). */
export interface Top {
  readonly bid: number | undefined;
  readonly bidQty: number;
  readonly ask: number | undefined;
  readonly askQty: number;
}

/**
 * Time-weighted facts of the top of book. The view may change several times at one instant; the state
 * of an instant is the last one there (what lasts), so earlier changes at the same instant last no time
 * and are not seen. Each state holds from its instant to the next state's. The pending and the current
 * state are plain fields: a view change (every book event) allocates nothing.
 */
export class TopStats {
  private hasPending = false;
  private pendingAt: Micros = 0;
  private pBid: number | undefined = undefined;
  private pBidQty = 0;
  private pAsk: number | undefined = undefined;
  private pAskQty = 0;
  private bid: number | undefined = undefined;
  private bidQty = 0;
  private ask: number | undefined = undefined;
  private askQty = 0;
  private since: Micros = 0;
  private twoSidedUs = 0;
  private oneTickUs = 0;
  private readonly depth = new WeightedQuantiles();
  private bidSince: Micros = 0;
  private askSince: Micros = 0;
  private lives = 0;
  private lifeUsSum = 0;
  private nextGrid = 0;
  private lastMid: number | undefined = undefined;
  private returns = 0;
  private sqSum = 0;

  constructor(private readonly gridUs: Micros = US_PER_S) {}

  /** The view after a change at `now` (non-decreasing). */
  onTop(now: Micros, top: Top): void {
    this.onView(now, top.bid, top.bidQty, top.ask, top.askQty);
  }

  /** `onTop` without a Top object. */
  onView(now: Micros, bid: number | undefined, bidQty: number, ask: number | undefined, askQty: number): void {
    if (this.hasPending && now > this.pendingAt) this.commit();
    this.hasPending = true;
    this.pendingAt = now;
    this.pBid = bid;
    this.pBidQty = bidQty;
    this.pAsk = ask;
    this.pAskQty = askQty;
  }

  finish(endUs: Micros): { oneTickShare: number | null; depthP50: number | null; volBpsPerSqrtS: number | null; lifeMeanUs: number | null } {
    if (this.hasPending) this.commit();
    this.hold(endUs);
    this.sampleMids(endUs, true);
    return {
      oneTickShare: this.twoSidedUs > 0 ? this.oneTickUs / this.twoSidedUs : null,
      depthP50: this.depth.quantiles([5000])[0]!,
      volBpsPerSqrtS: this.returns > 0 ? 1e4 * Math.sqrt(this.sqSum / this.returns / (this.gridUs / US_PER_S)) : null,
      lifeMeanUs: this.lives > 0 ? this.lifeUsSum / this.lives : null,
    };
  }

  private commit(): void {
    const t = this.pendingAt;
    this.hasPending = false;
    this.hold(t);
    this.sampleMids(t, false);
    if (this.pBid !== this.bid) {
      if (this.bid !== undefined) this.life(t - this.bidSince);
      this.bidSince = t;
    }
    if (this.pAsk !== this.ask) {
      if (this.ask !== undefined) this.life(t - this.askSince);
      this.askSince = t;
    }
    this.bid = this.pBid;
    this.bidQty = this.pBidQty;
    this.ask = this.pAsk;
    this.askQty = this.pAskQty;
  }

  /** The current state held from `since` until `t`. */
  private hold(t: Micros): void {
    const dt = t - this.since;
    this.since = t;
    const { bid, ask } = this;
    if (dt <= 0 || bid === undefined || ask === undefined) return;
    this.twoSidedUs += dt;
    if (Math.abs(ask - bid - 1) < 1e-9) this.oneTickUs += dt;
    this.depth.add(this.bidQty, dt);
    this.depth.add(this.askQty, dt);
  }

  private life(us: Micros): void {
    this.lives++;
    this.lifeUsSum += us;
  }

  /** Samples the current state's mid at the grid points before `t` (and at `t` itself when `inclusive`). */
  private sampleMids(t: Micros, inclusive: boolean): void {
    const { bid, ask } = this;
    const mid = bid !== undefined && ask !== undefined && bid > 0 && ask > 0 ? (bid + ask) / 2 : undefined;
    while (inclusive ? this.nextGrid <= t : this.nextGrid < t) {
      if (mid !== undefined && this.lastMid !== undefined) {
        const r = Math.log(mid / this.lastMid);
        this.returns++;
        this.sqSum += r * r;
      }
      this.lastMid = mid;
      this.nextGrid += this.gridUs;
    }
  }
}
