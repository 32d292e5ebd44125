import type { Micros } from '../../core/clock.ts';
import type { CancelRejectReason, ExchangeRejectReason, Instrument, PlaceRequest } from '../../core/types.ts';
import type { FaultSchedule } from './faults.ts';
import type { MarketView } from './market-view.ts';
import type { RandomStream } from '../clock/rng.ts';
import type { RestingOrder } from './resting-orders.ts';
import { SlidingWindowCounter } from './sliding-window.ts';

export interface RateLimitConfig {
  /** At most this many requests in any sliding window of `windowUs`. */
  readonly maxRequests: number;
  readonly windowUs: Micros;
  /** Cancels count against the limit too (and are refused while it is exceeded). */
  readonly includeCancels: boolean;
  /** Ban the account after this many refused requests within `banWindowUs`; 0 never bans. */
  readonly banAfter: number;
  readonly banWindowUs: Micros;
  /** While banned every order and cancel is refused with `rate_limited`. */
  readonly banDurationUs: Micros;
}

export interface MarginConfig {
  /** Collateral in USD. */
  readonly balanceUsd: number;
  readonly leverage: number;
}

/** The order-entry rules of the venue's config. */
export interface VenueRulesConfig {
  readonly minSizeLots: number;
  readonly minNotionalUsd: number;
  /** Refuse orders priced further than this from the mid, in bps; undefined: no band. */
  readonly priceBandBps: number | undefined;
  readonly rateLimit: RateLimitConfig | undefined;
  readonly margin: MarginConfig | undefined;
}

/** The exchange's counters these rules keep. */
export interface VenueRulesStats {
  rate_limit_breaches: number;
  bans: number;
}

export const REJECT_CODES: Record<ExchangeRejectReason, number> = {
  min_size: 1,
  post_only_would_cross: 2,
  rate_limited: 3,
  price_band: 4,
  insufficient_margin: 5,
  exchange_overloaded: 6,
  min_notional: 7,
};
export const CANCEL_REJECT_CODES: Record<CancelRejectReason, number> = {
  too_late_to_cancel: 1,
  unknown_order: 2,
  rate_limited: 3,
  exchange_overloaded: 4,
};

export interface VenueRulesDeps {
  readonly config: VenueRulesConfig;
  readonly instrument: Instrument;
  /** What the checks read the best prices from: the matching view. */
  readonly view: MarketView;
  readonly faults: FaultSchedule;
  readonly faultRng: RandomStream | undefined;
  readonly stats: VenueRulesStats;
}

/**
 * The venue's order-entry rules, in the order a request meets them: the gateway's rate limit and ban,
 * overload (reject storms), then the matching engine's size, notional, price band, margin and post-only.
 */
export class VenueRules {
  private readonly config: VenueRulesConfig;
  private readonly instrument: Instrument;
  private readonly view: MarketView;
  private readonly faults: FaultSchedule;
  private readonly faultRng: RandomStream | undefined;
  private readonly stats: VenueRulesStats;
  private readonly requests: SlidingWindowCounter | undefined;
  private breaches: SlidingWindowCounter | undefined;
  private bannedUntil: Micros = -1;

  constructor(deps: VenueRulesDeps) {
    this.config = deps.config;
    this.instrument = deps.instrument;
    this.view = deps.view;
    this.faults = deps.faults;
    this.faultRng = deps.faultRng;
    this.stats = deps.stats;
    const rl = deps.config.rateLimit;
    if (rl) {
      this.requests = new SlidingWindowCounter(rl.windowUs);
      if (rl.banAfter > 0) this.breaches = new SlidingWindowCounter(rl.banWindowUs);
    }
  }

  /** The order-entry gateway's rate limit and ban; `undefined` when the request may pass. */
  admit(now: Micros, isOrder: boolean): 'rate_limited' | undefined {
    const rl = this.config.rateLimit;
    if (!rl) return undefined;
    // A ban refuses cancels too, whether or not they count against the limit.
    if (now < this.bannedUntil) return 'rate_limited';
    if (!isOrder && !rl.includeCancels) return undefined;
    if (this.requests!.count(now) < rl.maxRequests) {
      this.requests!.add(now);
      return undefined;
    }
    this.stats.rate_limit_breaches++;
    if (this.breaches) {
      this.breaches.add(now);
      if (this.breaches.count(now) >= rl.banAfter) {
        this.bannedUntil = now + rl.banDurationUs;
        this.stats.bans++;
        // A ban wipes the slate: counting toward the next one starts when it ends.
        this.breaches = new SlidingWindowCounter(rl.banWindowUs);
      }
    }
    return 'rate_limited';
  }

  /** A reject storm's draw: the venue refuses the request as overloaded. */
  overloaded(now: Micros): 'exchange_overloaded' | undefined {
    const storm = this.faults.active('reject_storm', now);
    if (!storm || !this.faultRng || !this.faultRng.bernoulli(storm.probability)) return undefined;
    this.faults.count('reject_storm', now, 'overloaded');
    return 'exchange_overloaded';
  }

  /** The matching engine's checks on a new order, against the book as it is on arrival. */
  validate(req: PlaceRequest, resting: readonly RestingOrder[], positionLots: number): ExchangeRejectReason | undefined {
    const cfg = this.config;
    if (req.qtyLots < cfg.minSizeLots) return 'min_size';
    const inst = this.instrument;
    if (req.qtyLots * inst.lotSize * req.priceTicks * inst.tickSize < cfg.minNotionalUsd) return 'min_notional';
    const bestBid = this.view.bestBid();
    const bestAsk = this.view.bestAsk();
    if (cfg.priceBandBps !== undefined && bestBid !== undefined && bestAsk !== undefined) {
      const mid = (bestBid + bestAsk) / 2;
      if ((Math.abs(req.priceTicks - mid) / mid) * 10_000 > cfg.priceBandBps) return 'price_band';
    }
    if (cfg.margin && !this.marginAllows(req, resting, positionLots)) return 'insufficient_margin';
    const wouldCross = req.side === 'buy' ? bestAsk !== undefined && req.priceTicks >= bestAsk : bestBid !== undefined && req.priceTicks <= bestBid;
    if (req.postOnly && wouldCross) return 'post_only_would_cross';
    return undefined;
  }

  /**
   * Initial margin on the worst case: the position if every resting order on one side (and the new
   * one) filled, valued at the order's price, over leverage, must fit in the balance.
   */
  private marginAllows(req: PlaceRequest, resting: readonly RestingOrder[], positionLots: number): boolean {
    const { balanceUsd, leverage } = this.config.margin!;
    let buys = 0;
    let sells = 0;
    for (const o of resting) {
      if (o.side === 'buy') buys += o.leaves;
      else sells += o.leaves;
    }
    if (req.side === 'buy') buys += req.qtyLots;
    else sells += req.qtyLots;
    const pos = positionLots;
    const worstLots = Math.max(Math.abs(pos + buys), Math.abs(pos - sells));
    const inst = this.instrument;
    return (worstLots * inst.lotSize * req.priceTicks * inst.tickSize) / leverage <= balanceUsd;
  }
}
