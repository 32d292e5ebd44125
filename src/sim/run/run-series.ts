import type { Clock } from '../../core/clock.ts';
import type { RiskMonitor } from '../../core/risk-monitor.ts';
import type { ExchangeObserver } from '../exchange/exchange-observer.ts';
import { DownsampledSeries } from './series.ts';

/**
 * What the report page plots over time that no other output keeps: the venue's mid after every book
 * change (the mid P&L reads) and every risk-ratio sample the risk monitor takes (after each fill and
 * every sample_interval). Both bounded (series.ts); both only observe.
 */
export class RunSeries {
  /** Venue mid, ticks. */
  readonly mid = new DownsampledSeries();
  readonly riskRatio = new DownsampledSeries();
  private lastMid = NaN;

  readonly observer: ExchangeObserver = {
    onView: (now, bid, ask) => {
      if (bid === undefined || ask === undefined) return;
      const mid = (bid + ask) / 2;
      if (mid === this.lastMid) return;
      this.lastMid = mid;
      this.mid.add(now, mid);
    },
  };

  watchRisk(risk: RiskMonitor, clock: Clock): void {
    risk.onSample((s) => this.riskRatio.add(clock.now(), s.ratio));
  }
}
