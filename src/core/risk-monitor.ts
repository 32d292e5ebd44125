import type { Clock, Micros, TimerHandle } from './clock.ts';
import { PercentileCollector } from './percentiles.ts';
import { RiskSampleStats } from './risk-samples.ts';
import type { RiskSample, RiskSampleKind } from './risk-samples.ts';
import { notionalUsd, sideSign } from './types.ts';
import type { Instrument, RiskRejectReason, Side } from './types.ts';

export { RiskSampleStats } from './risk-samples.ts';
export type { RiskSample, RiskSampleKind } from './risk-samples.ts';

export interface RiskLimits {
  /** Per-symbol limit on |position| x mark, in USD. */
  readonly maxPositionUsd: number;
  /** Limit on the sum over symbols of |position| x mark, in USD: the denominator of the risk ratio. */
  readonly maxTotalNotionalUsd: number;
  /** How long a freeze lasts after a hard limit is breached. */
  readonly freezeCooldownUs: Micros;
  /** Virtual time between two interval samples of the risk ratio; undefined or 0: fill samples only. */
  readonly sampleIntervalUs?: Micros | undefined;
  /** Loss limit in USD: the bot's P&L marked at its own marks below -maxLossUsd halts quoting for good. */
  readonly maxLossUsd?: number | undefined;
}

/** Lots that one symbol's live orders (pending_new, open, pending_cancel: anything that may still fill) could add, per side. */
export interface WorkingLots {
  readonly buy: number;
  readonly sell: number;
}

/** A fill as the risk monitor needs it: the position change and the cash it cost. */
export interface RiskFill {
  readonly symbol: string;
  readonly side: Side;
  readonly qtyLots: number;
  readonly priceTicks: number;
  /** Negative for a rebate. */
  readonly feeUsd: number;
}

type FreezeListener = (frozen: boolean) => void;
type SampleListener = (sample: RiskSample) => void;
type HaltListener = (pnlUsd: number) => void;

const NO_WORKING: WorkingLots = { buy: 0, sell: 0 };

/**
 * Positions, marks, working orders and limits. Every order passes `check` before it is sent: a block is
 * a reject that never reaches the exchange. The check takes the worst case of every order that may
 * still fill, so limits hold whatever fills: a sample above the limit can then only come from marks
 * moving after the check. The risk ratio is sampled after every fill and every `sampleIntervalUs` of
 * virtual time (marks move without fills); values above 1.0 are kept (they are exactly the breaches the
 * seed's monitor used to hide). A fill that makes a breach worse freezes the bot for a cool-down; a
 * loss beyond `maxLossUsd` halts it for the rest of the run.
 */
export class RiskMonitor {
  /** Every sample, both kinds: `summary.risk_ratio_p95` and `risk_breaches`. */
  readonly ratios = new PercentileCollector();
  readonly fillSamples = new RiskSampleStats();
  readonly intervalSamples = new RiskSampleStats();
  private readonly instruments = new Map<string, Instrument>();
  private readonly positions = new Map<string, number>();
  private readonly marks = new Map<string, number>();
  /** Cash from fills and fees per symbol, USD: with the position at the mark, the bot's own P&L. */
  private readonly cash = new Map<string, number>();
  private readonly working = new Map<string, () => WorkingLots>();
  private readonly freezeListeners: FreezeListener[] = [];
  private readonly sampleListeners: SampleListener[] = [];
  private readonly haltListeners: HaltListener[] = [];
  private frozenUntil: Micros = -1;
  private unfreezeTimer: TimerHandle | undefined;
  private freezeCount = 0;
  private maxRatio = 0;
  private maxAllowedWorstRatio = 0;
  private started = false;
  private halted = false;
  private haltedAtUs: Micros | null = null;
  private minPnl = 0;

  constructor(
    private readonly clock: Clock,
    readonly limits: RiskLimits,
    instruments: readonly Instrument[],
  ) {
    for (const inst of instruments) {
      this.instruments.set(inst.symbol, inst);
      this.positions.set(inst.symbol, 0);
      this.cash.set(inst.symbol, 0);
    }
  }

  onFreezeChange(listener: FreezeListener): void {
    this.freezeListeners.push(listener);
  }

  /** Every risk-ratio sample, fill and interval, as it is taken. */
  onSample(listener: SampleListener): void {
    this.sampleListeners.push(listener);
  }

  /** The loss limit was hit (once per run). */
  onLossHalt(listener: HaltListener): void {
    this.haltListeners.push(listener);
  }

  /**
   * Where the check finds a symbol's live orders: the execution loop that owns them. Without one the
   * symbol has no working orders.
   */
  trackWorking(symbol: string, source: () => WorkingLots): void {
    this.instrument(symbol);
    this.working.set(symbol, source);
  }

  /** Starts the interval sampler (once; later calls do nothing). */
  start(): void {
    if (this.started) return;
    this.started = true;
    const interval = this.limits.sampleIntervalUs ?? 0;
    if (interval > 0) this.scheduleIntervalSample(interval);
  }

  setMark(symbol: string, markTicks: number): void {
    this.marks.set(symbol, markTicks);
    this.watchLoss();
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

  /** Cash from fills and fees plus every position at the bot's mark, USD. */
  pnlUsd(): number {
    let pnl = 0;
    for (const [symbol, cash] of this.cash) {
      const inst = this.instrument(symbol);
      pnl += cash + this.positionLots(symbol) * inst.lotSize * this.markTicks(symbol) * inst.tickSize;
    }
    return pnl;
  }

  /** Frozen for a cool-down, or halted by the loss limit. */
  isFrozen(): boolean {
    return this.halted || this.clock.now() < this.frozenUntil;
  }

  get breaches(): number {
    return this.fillSamples.breaches + this.intervalSamples.breaches;
  }

  get freezes(): number {
    return this.freezeCount;
  }

  get maxRiskRatio(): number {
    return this.maxRatio;
  }

  /** The largest worst-case total notional / limit of an order the check let through that grew its side's worst case (<= 1). */
  get maxAllowedWorstCaseRatio(): number {
    return this.maxAllowedWorstRatio;
  }

  get lossHalted(): boolean {
    return this.halted;
  }

  get lossHaltedAtUs(): Micros | null {
    return this.haltedAtUs;
  }

  /** The lowest marked P&L seen at a mark change or a fill, USD (0 before any). */
  get minPnlUsd(): number {
    return this.minPnl;
  }

  /**
   * Pre-trade check of one order against the worst case of everything that may still fill. A symbol has
   * two extreme positions: the position plus every live buy filling completely, and the position minus
   * every live sell; its worst case is the larger in size. An order that does not grow its symbol's worst
   * case (it reduces its side's extreme, or stays inside the other side's) is always allowed, unless
   * frozen. Otherwise, at the current marks: blocked with `risk_position_limit` when the new worst case
   * exceeds `maxPositionUsd`, and with `risk_notional_limit` when the sum of every symbol's worst case
   * exceeds `maxTotalNotionalUsd`. A limit reached exactly is not exceeded.
   */
  check(symbol: string, side: Side, qtyLots: number): RiskRejectReason | null {
    if (this.isFrozen()) return 'risk_frozen';
    const inst = this.instrument(symbol);
    const mark = this.markTicks(symbol);
    const pos = this.positionLots(symbol);
    const w = this.workingLots(symbol);
    const extreme = side === 'buy' ? pos + w.buy : pos - w.sell;
    const opposite = Math.abs(side === 'buy' ? pos - w.sell : pos + w.buy);
    const worstAfter = Math.max(Math.abs(extreme + sideSign(side) * qtyLots), opposite);
    if (worstAfter <= Math.max(Math.abs(extreme), opposite)) return null;
    const worstUsd = notionalUsd(inst, mark, worstAfter);
    if (worstUsd > this.limits.maxPositionUsd) return 'risk_position_limit';
    let total = worstUsd;
    for (const other of this.positions.keys()) if (other !== symbol) total += this.worstCaseNotionalUsd(other);
    if (total > this.limits.maxTotalNotionalUsd) return 'risk_notional_limit';
    const worstRatio = total / this.limits.maxTotalNotionalUsd;
    // Stryker disable next-line EqualityOperator: equivalent for > vs >=: an equal ratio stores the same value (the killed <= mutant is ignored with it).
    if (worstRatio > this.maxAllowedWorstRatio) this.maxAllowedWorstRatio = worstRatio;
    return null;
  }

  /** The larger of the symbol's two extremes (all buys fill, all sells fill) at its mark, USD. */
  worstCaseNotionalUsd(symbol: string): number {
    const pos = this.positionLots(symbol);
    const w = this.workingLots(symbol);
    return notionalUsd(this.instrument(symbol), this.markTicks(symbol), Math.max(Math.abs(pos + w.buy), Math.abs(pos - w.sell)));
  }

  /**
   * Replaces the position with the venue's (recon found fills the bot never heard of). Not a fill: no
   * risk sample is taken, but the next check and fill see the corrected position. The unknown fills are
   * booked at the current mark, so the marked P&L does not jump.
   */
  setPosition(symbol: string, lots: number): void {
    const inst = this.instrument(symbol);
    const delta = lots - this.positionLots(symbol);
    this.cash.set(symbol, (this.cash.get(symbol) ?? 0) - delta * inst.lotSize * this.markTicks(symbol) * inst.tickSize);
    this.positions.set(symbol, lots);
  }

  /** Applies a fill to the position and the cash, samples the risk ratio and watches the loss limit. */
  onFill(fill: RiskFill): RiskSample {
    const { symbol, side, qtyLots } = fill;
    const inst = this.instrument(symbol);
    const before = this.riskRatio();
    const signed = sideSign(side) * qtyLots;
    this.positions.set(symbol, this.positionLots(symbol) + signed);
    this.cash.set(symbol, (this.cash.get(symbol) ?? 0) - signed * inst.lotSize * fill.priceTicks * inst.tickSize - fill.feeUsd);
    const sample = this.sample('fill');
    const positionBreach = this.positionNotionalUsd(symbol) > this.limits.maxPositionUsd;
    // Only a fill that makes things worse freezes: a reducing fill while still above the limit must not
    // restart the cool-down, or the bot could never work its way back.
    if ((sample.breach || positionBreach) && sample.ratio > before) this.freeze();
    this.watchLoss();
    return sample;
  }

  private workingLots(symbol: string): WorkingLots {
    return this.working.get(symbol)?.() ?? NO_WORKING;
  }

  private sample(kind: RiskSampleKind): RiskSample {
    const ratio = this.riskRatio();
    const breach = ratio > 1;
    this.ratios.record(ratio);
    // Stryker disable next-line EqualityOperator: equivalent for > vs >=: an equal ratio stores the same value (the killed <= mutant is ignored with it).
    if (ratio > this.maxRatio) this.maxRatio = ratio;
    (kind === 'fill' ? this.fillSamples : this.intervalSamples).record(ratio, breach);
    const sample = { kind, ratio, breach };
    for (const l of this.sampleListeners) l(sample);
    return sample;
  }

  /** Interval samples only observe: the pre-trade check already blocks growth past a limit, and a freeze would pull the quotes that reduce. */
  private scheduleIntervalSample(intervalUs: Micros): void {
    this.clock.schedule(this.clock.now() + intervalUs, () => {
      this.sample('interval');
      this.scheduleIntervalSample(intervalUs);
    });
  }

  /**
   * The loss limit is a kill switch: once the marked P&L falls below -maxLossUsd the bot cancels
   * everything and stays frozen for the rest of the run (a desk resets it by hand, after a look).
   */
  private watchLoss(): void {
    const limit = this.limits.maxLossUsd;
    const pnl = this.pnlUsd();
    // Stryker disable next-line EqualityOperator: equivalent for < vs <=: an equal P&L stores the same value (the killed >= mutant is ignored with it).
    if (pnl < this.minPnl) this.minPnl = pnl;
    // Stryker disable next-line ConditionalExpression: equivalent for the undefined test forced false: pnl < -undefined is pnl < NaN, false, so it returns all the same (the other mutants of the line are killed, and ignored with it).
    if (limit === undefined || this.halted || !(pnl < -limit)) return;
    const wasFrozen = this.isFrozen();
    this.halted = true;
    this.haltedAtUs = this.clock.now();
    for (const l of this.haltListeners) l(pnl);
    if (!wasFrozen) for (const l of this.freezeListeners) l(true);
  }

  private freeze(): void {
    const wasFrozen = this.isFrozen();
    this.freezeCount += wasFrozen ? 0 : 1;
    this.frozenUntil = this.clock.now() + this.limits.freezeCooldownUs;
    // Stryker disable next-line ConditionalExpression: equivalent: both clocks (VirtualClock, WallClock) ignore a cancel of a handle that is not one of theirs, undefined included.
    if (this.unfreezeTimer !== undefined) this.clock.cancel(this.unfreezeTimer);
    this.unfreezeTimer = this.clock.schedule(this.frozenUntil, () => {
      this.unfreezeTimer = undefined;
      if (this.halted) return;
      for (const l of this.freezeListeners) l(false);
    });
    if (!wasFrozen) for (const l of this.freezeListeners) l(true);
  }

  private instrument(symbol: string): Instrument {
    const inst = this.instruments.get(symbol);
    if (!inst) throw new Error(`RiskMonitor: unknown symbol ${symbol}`);
    return inst;
  }
}
