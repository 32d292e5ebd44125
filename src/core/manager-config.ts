import type { Micros } from './clock.ts';
import type { MidAt } from './pnl-tracker.ts';
import type { RiskRejectReason, Side } from './types.ts';
import type { BuiltinStrategy } from './strategy-host.ts';
import type { SessionConfig } from './session-watchdog.ts';

/** The strategy the order manager runs, and its session rules. */
export interface ManagerConfig {
  readonly strategy: BuiltinStrategy;
  /** Names the strategy in its errors: a module's file, or the built-in's kind. */
  readonly label: string;
  /** The strategy's `random()`: the seeded stream `strategy`. */
  readonly random: () => number;
  /** Connection watchdog and recon; without it the bot trusts the venue blindly (unit tests). */
  readonly session?: SessionConfig | undefined;
}

/** Sees the bot's decisions that no message to the venue carries (tools: it must not change anything). */
export interface LoopObserver {
  /** The pre-trade risk check stopped an order the bot wanted to send: it never left the bot. */
  onRiskBlock?(order: { side: Side; priceTicks: number; qtyLots: number; reason: RiskRejectReason }, now: Micros): void;
}

/** Optional wiring from whoever runs the loop: neither changes what the bot does. */
export interface LoopHooks {
  readonly observer?: LoopObserver;
  /** The venue's mids for P&L (a simulator's market view); without it, the mids this bot received. */
  readonly venueMidAt?: MidAt;
}
