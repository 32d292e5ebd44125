import type { Clock } from '../../core/clock.ts';
import type { ExecutionEvent, Instrument } from '../../core/types.ts';
import { DigestKind } from '../run/event-digest.ts';
import type { EventDigest } from '../run/event-digest.ts';
import type { ExchangeObserver, FillRecord } from './exchange-observer.ts';
import { sideCode } from './resting-orders.ts';
import type { RestingOrder } from './resting-orders.ts';

/** The exchange's own ledger for the account: what the bot's books must agree with. */
export interface ExchangeAccount {
  positionLots: number;
  /** Cash from fills: sells add notional, buys subtract it, fees are subtracted (a rebate adds). */
  cashUsd: number;
  feesUsd: number;
  filledLots: number;
}

/** The fee settings of the venue's config. */
export interface SettlementConfig {
  /** Fee rates in bps of notional; a negative maker fee is a rebate. */
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
}

export interface SettlementDeps {
  readonly clock: Clock;
  readonly instrument: Instrument;
  readonly config: SettlementConfig;
  readonly digest: EventDigest;
  readonly observer: ExchangeObserver | undefined;
  /** Sends an execution report to the bot. */
  readonly respond: (event: ExecutionEvent) => void;
  /** The exchange's fill counter. */
  readonly stats: { fills: number };
}

/** Every fill, maker or taker, booked on the venue's account for the bot and reported to it. */
export class Settlement {
  readonly account: ExchangeAccount = { positionLots: 0, cashUsd: 0, feesUsd: 0, filledLots: 0 };
  /**
   * Orders filled in full: a cancel that finds no resting order is too late for these and unknown for
   * any other (canceled, rejected, never sent). Only these are remembered, so memory grows with fills,
   * not with every order sent.
   */
  private readonly filledIds = new Set<string>();
  private readonly clock: Clock;
  private readonly instrument: Instrument;
  private readonly config: SettlementConfig;
  private readonly digest: EventDigest;
  private readonly observer: ExchangeObserver | undefined;
  private readonly respond: (event: ExecutionEvent) => void;
  private readonly stats: { fills: number };

  constructor(deps: SettlementDeps) {
    this.clock = deps.clock;
    this.instrument = deps.instrument;
    this.config = deps.config;
    this.digest = deps.digest;
    this.observer = deps.observer;
    this.respond = deps.respond;
    this.stats = deps.stats;
  }

  /** Whether `clientId` was filled in full (a cancel for it is too late, not unknown). */
  filledInFull(clientId: string): boolean {
    return this.filledIds.has(clientId);
  }

  /** Books a fill of `qty` at `priceTicks` (already taken off `o.leaves`) on the account and tells the bot. */
  settle(o: RestingOrder, priceTicks: number, qty: number, liquidity: 'maker' | 'taker', how: FillRecord['how'], cause: number): void {
    const now = this.clock.now();
    this.stats.fills++;
    const inst = this.instrument;
    const notional = qty * inst.lotSize * priceTicks * inst.tickSize;
    const feeUsd = (notional * (liquidity === 'maker' ? this.config.makerFeeBps : this.config.takerFeeBps)) / 10_000;
    const acct = this.account;
    acct.positionLots += sideCode(o.side) * qty;
    acct.cashUsd += -sideCode(o.side) * notional - feeUsd;
    acct.feesUsd += feeUsd;
    acct.filledLots += qty;
    if (o.leaves === 0) this.filledIds.add(o.clientId);
    this.digest.add(DigestKind.fill, now, o.num, priceTicks, qty, o.leaves);
    this.observer?.onFill?.({ clientId: o.clientId, side: o.side, priceTicks, qtyLots: qty, leavesLots: o.leaves, how, cause, exchangeTime: now });
    this.respond({
      type: 'fill',
      clientId: o.clientId,
      symbol: inst.symbol,
      side: o.side,
      priceTicks,
      qtyLots: qty,
      leavesLots: o.leaves,
      liquidity,
      feeUsd,
      exchangeTime: now,
    });
  }}
