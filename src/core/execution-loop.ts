import type { Clock } from './clock.ts';
import type { BotMetrics } from './bot-metrics.ts';
import type { ExchangeGateway } from './exchange-gateway.ts';
import { InvariantError } from './errors.ts';
import { OrderManager } from './order-manager.ts';
import type { LoopHooks, SessionConfig } from './order-manager.ts';
import type { PnlConfig } from './pnl-tracker.ts';
import type { RiskMonitor } from './risk-monitor.ts';
import { ladder } from './strategies/ladder.ts';
import type { LadderParams } from './strategies/ladder.ts';
import type { Instrument } from './types.ts';

export type { LoopHooks, LoopObserver, SessionConfig } from './order-manager.ts';

export interface StrategyConfig extends LadderParams {
  /** Connection watchdog and recon; without it the bot trusts the venue blindly (unit tests). */
  readonly session?: SessionConfig;
}

/** The original bot in one piece: the order manager running the built-in `ladder` strategy. */
export class ExecutionLoop extends OrderManager {
  constructor(
    clock: Clock,
    gateway: ExchangeGateway,
    risk: RiskMonitor,
    metrics: BotMetrics,
    instrument: Instrument,
    config: StrategyConfig,
    pnlConfig: PnlConfig,
    hooks: LoopHooks = {},
  ) {
    const random = (): number => {
      throw new InvariantError('the ladder draws no random numbers');
    };
    super(clock, gateway, risk, metrics, instrument, { strategy: ladder(config), label: 'ladder', random, session: config.session }, pnlConfig, hooks);
  }
}
