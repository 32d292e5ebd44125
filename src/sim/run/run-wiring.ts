import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { US_PER_S } from '../../core/clock.ts';
import { MidHistory } from '../../core/mid-history.ts';
import type { SessionConfig } from '../../core/order-manager.ts';
import type { MidAt } from '../../core/pnl-tracker.ts';
import { DIVERGENCE_KINDS } from '../../core/recon.ts';
import type { SessionStats } from '../../core/session-stats.ts';
import type { ExchangeObserver } from '../exchange/exchange-observer.ts';
import type { MarketView } from '../exchange/market-view.ts';
import type { MarketStats } from '../market/market-stats.ts';
import type { MarketTap } from '../market/tape.ts';
import type { SessionSpec } from '../scenario/schema.ts';
import type { ObligationsReport } from './obligations.ts';

/**
 * P&L reads the venue's mids, not the bot's delayed feed: the exchange's market view after every book
 * change, stamped with venue time (a change is recorded only when the mid moved, which answers every
 * lookup the same). A lookup "strictly before t" then excludes every change at the fill's instant.
 */
export function venueMids(longestHorizonUs: number): { observer: ExchangeObserver; midAt: MidAt } {
  const mids = new MidHistory(longestHorizonUs + 60 * US_PER_S);
  let last = NaN;
  const observer: ExchangeObserver = {
    onView(now, bestBid, bestAsk) {
      if (bestBid === undefined || bestAsk === undefined) return;
      const mid = (bestBid + bestAsk) / 2;
      if (mid === last) return;
      last = mid;
      mids.push(now, mid);
    },
  };
  const midAt: MidAt = (_symbol, t, inclusive) => {
    const mid = mids.at(t, inclusive);
    if (!Number.isNaN(mid)) return mid;
    // Nothing before the fill's instant (a fill at the first book): that book's mid, else the first one.
    const at = mids.at(t, true);
    return Number.isNaN(at) ? mids.first() : at;
  };
  return { observer, midAt };
}

/** The market's stylized facts and the tap (if any), fed from the exchange's prints and market view. */
export function marketObserver(view: MarketView, stats: MarketStats, tap: MarketTap | undefined): ExchangeObserver {
  return {
    onTrade(_seq, aggressor, priceTicks, qtyLots, now) {
      stats.onTrade(now, aggressor, qtyLots);
      tap?.onTrade(now, aggressor, priceTicks, qtyLots);
    },
    onView(now, bid, ask) {
      stats.onView(now, bid, bid === undefined ? 0 : view.qtyAt('buy', bid), ask, ask === undefined ? 0 : view.qtyAt('sell', ask));
      tap?.onView(now, view);
    },
  };
}

export function sessionConfig(s: SessionSpec): SessionConfig {
  return {
    disconnectTimeoutUs: s.disconnect_timeout,
    maxBookAgeUs: s.max_book_age,
    reconIntervalUs: s.recon_interval,
    reconTimeoutUs: s.recon_timeout,
    watchdogUs: s.watchdog_interval,
    rateLimitBackoffUs: s.rate_limit_backoff,
  };
}

/** The obligations' outcome in metrics.prom (only with obligations configured). */
export function obligationGauges(registry: Registry, r: ObligationsReport): void {
  const registers = [registry];
  new Gauge({ name: 'mm_obligation_pass_ratio', help: 'Share of maker-obligation snapshots that passed', registers }).set(r.pass_ratio);
  new Gauge({ name: 'mm_obligation_snapshots', help: 'Maker-obligation snapshots taken', registers }).set(r.snapshots);
  new Gauge({ name: 'mm_obligation_qualified', help: '1 when the pass ratio met min_pass_ratio', registers }).set(r.qualified ? 1 : 0);
}

export function sessionReport(s: SessionStats): Record<string, unknown> {
  return {
    disconnects: s.disconnects,
    reconnects: s.reconnects,
    stale_books: s.staleBooks,
    recon_runs: s.reconRuns,
    recon_abandoned: s.reconAbandoned,
    adopted_orders: s.adopted,
    orphans_canceled: s.orphansCanceled,
    cancels_resent: s.cancelsResent,
    position_adjust_lots: s.positionAdjustLots,
    divergences: Object.fromEntries(DIVERGENCE_KINDS.map((k) => [k, s.divergences.get(k) ?? 0])),
  };
}
