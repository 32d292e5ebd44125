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

const EMPTY_TOP: Top = { bid: undefined, bidQty: 0, ask: undefined, askQty: 0 };

/**
 * Time-weighted facts of the top of book. The view may change several times at one instant; the state
 * of an instant is the last one there (what lasts), so earlier changes at the same instant last no time
 * and are not seen. Each state holds from its instant to the next state's.
 */
export class TopStats {
  private pending: Top | undefined = undefined;
  private pendingAt: Micros = 0;
  private state: Top = EMPTY_TOP;
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
    if (this.pending !== undefined && now > this.pendingAt) this.commit();
    this.pending = top;
    this.pendingAt = now;
  }

  finish(endUs: Micros): { oneTickShare: number | null; depthP50: number | null; volBpsPerSqrtS: number | null; lifeMeanUs: number | null } {
    if (this.pending !== undefined) this.commit();
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
    const next = this.pending!;
    this.pending = undefined;
    this.hold(t);
    this.sampleMids(t, false);
    const prev = this.state;
    if (next.bid !== prev.bid) {
      if (prev.bid !== undefined) this.life(t - this.bidSince);
      this.bidSince = t;
    }
    if (next.ask !== prev.ask) {
      if (prev.ask !== undefined) this.life(t - this.askSince);
      this.askSince = t;
    }
    this.state = next;
  }

  /** The current state held from `since` until `t`. */
  private hold(t: Micros): void {
    const dt = t - this.since;
    this.since = t;
    const s = this.state;
    if (dt <= 0 || s.bid === undefined || s.ask === undefined) return;
    this.twoSidedUs += dt;
    if (Math.abs(s.ask - s.bid - 1) < 1e-9) this.oneTickUs += dt;
    this.depth.add(s.bidQty, dt);
    this.depth.add(s.askQty, dt);
  }

  private life(us: Micros): void {
    this.lives++;
    this.lifeUsSum += us;
  }

  /** Samples the current state's mid at the grid points before `t` (and at `t` itself when `inclusive`). */
  private sampleMids(t: Micros, inclusive: boolean): void {
    const s = this.state;
    const mid = s.bid !== undefined && s.ask !== undefined && s.bid > 0 && s.ask > 0 ? (s.bid + s.ask) / 2 : undefined;
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
