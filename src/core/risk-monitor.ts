import type { Clock, Micros, TimerHandle } from './clock.ts';
import { PercentileCollector } from './percentiles.ts';
import { notionalUsd, sideSign } from './types.ts';
import type { Instrument, RiskRejectReason, Side } from './types.ts';

export interface RiskLimits {
  /** Per-symbol limit on |position| x mark, in USD. */
  readonly maxPositionUsd: number;
  /** Limit on the sum over symbols of |position| x mark, in USD: the denominator of the risk ratio. */
  readonly maxTotalNotionalUsd: number;
  /** How long a freeze lasts after a hard limit is breached. */
  readonly freezeCooldownUs: Micros;
}

export interface RiskSample {
  readonly ratio: number;
  readonly breach: boolean;
}

type FreezeListener = (frozen: boolean) => void;

/**
 * Positions, marks and limits. Every order passes `check` before it is sent: a block is a reject that
 * never reaches the exchange. After every fill the risk ratio is sampled; values above 1.0 are kept
 * (they are exactly the breaches the seed's monitor used to hide) and freeze the bot for a cool-down.
 */
export class RiskMonitor {
  readonly ratios = new PercentileCollector();
  private readonly instruments = new Map<string, Instrument>();
  private readonly positions = new Map<string, number>();
  private readonly marks = new Map<string, number>();
  private readonly listeners: FreezeListener[] = [];
  private frozenUntil: Micros = -1;
  private unfreezeTimer: TimerHandle | undefined;
  private breachCount = 0;
  private freezeCount = 0;
  private maxRatio = 0;

  constructor(
    private readonly clock: Clock,
    private readonly limits: RiskLimits,
    instruments: readonly Instrument[],
  ) {
    for (const inst of instruments) {
      this.instruments.set(inst.symbol, inst);
      this.positions.set(inst.symbol, 0);
    }
  }

  onFreezeChange(listener: FreezeListener): void {
    this.listeners.push(listener);
  }

  setMark(symbol: string, markTicks: number): void {
    this.marks.set(symbol, markTicks);
  }

  markTicks(symbol: string): number {
    return this.marks.get(symbol) ?? 0;
  }

  positionLots(symbol: string): number {
    return this.positions.get(symbol) ?? 0;
  }

  positionNotionalUsd(symbol: string): number {
    return notionalUsd(this.instrument(symbol), this.markTicks(symbol), this.positionLots(symbol));
  }

  totalNotionalUsd(): number {
    let total = 0;
    for (const symbol of this.positions.keys()) total += this.positionNotionalUsd(symbol);
    return total;
  }

  riskRatio(): number {
    return this.totalNotionalUsd() / this.limits.maxTotalNotionalUsd;
  }

  isFrozen(): boolean {
    return this.clock.now() < this.frozenUntil;
  }

  get breaches(): number {
    return this.breachCount;
  }

  get freezes(): number {
    return this.freezeCount;
  }

  get maxRiskRatio(): number {
    return this.maxRatio;
  }

  /**
   * Pre-trade check of one order as if it filled completely at the current mark. Orders that reduce
   * the position are always allowed (unless frozen). Other resting orders are not counted, so several
   * fills together can still breach: that is what the post-fill sample and the freeze are for.
   */
  check(symbol: string, side: Side, qtyLots: number): RiskRejectReason | null {
    if (this.isFrozen()) return 'risk_frozen';
    const inst = this.instrument(symbol);
    const mark = this.markTicks(symbol);
    const pos = this.positionLots(symbol);
    const after = pos + sideSign(side) * qtyLots;
    if (Math.abs(after) <= Math.abs(pos)) return null;
    const afterUsd = notionalUsd(inst, mark, after);
    if (afterUsd > this.limits.maxPositionUsd) return 'risk_position_limit';
    const total = this.totalNotionalUsd() - notionalUsd(inst, mark, pos) + afterUsd;
    if (total > this.limits.maxTotalNotionalUsd) return 'risk_notional_limit';
    return null;
  }

  /**
   * Replaces the position with the venue's (recon found fills the bot never heard of). Not a fill: no
   * risk sample is taken, but the next check and fill see the corrected position.
   */
  setPosition(symbol: string, lots: number): void {
    this.instrument(symbol);
    this.positions.set(symbol, lots);
  }

  /** Applies a fill to the position and samples the risk ratio. */
  onFill(symbol: string, side: Side, qtyLots: number): RiskSample {
    const before = this.riskRatio();
    this.positions.set(symbol, this.positionLots(symbol) + sideSign(side) * qtyLots);
    const ratio = this.riskRatio();
    this.ratios.record(ratio);
    if (ratio > this.maxRatio) this.maxRatio = ratio;
    const breach = ratio > 1;
    if (breach) this.breachCount++;
    const positionBreach = this.positionNotionalUsd(symbol) > this.limits.maxPositionUsd;
    // Only a fill that makes things worse freezes: a reducing fill while still above the limit must not
    // restart the cool-down, or the bot could never work its way back.
    if ((breach || positionBreach) && ratio > before) this.freeze();
    return { ratio, breach };
  }

  private freeze(): void {
    const wasFrozen = this.isFrozen();
    this.freezeCount += wasFrozen ? 0 : 1;
    this.frozenUntil = this.clock.now() + this.limits.freezeCooldownUs;
    if (this.unfreezeTimer !== undefined) this.clock.cancel(this.unfreezeTimer);
    this.unfreezeTimer = this.clock.schedule(this.frozenUntil, () => {
      this.unfreezeTimer = undefined;
      for (const l of this.listeners) l(false);
    });
    if (!wasFrozen) for (const l of this.listeners) l(true);
  }

  private instrument(symbol: string): Instrument {
    const inst = this.instruments.get(symbol);
    if (!inst) throw new Error(`RiskMonitor: unknown symbol ${symbol}`);
    return inst;
  }
}
