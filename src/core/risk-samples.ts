import { PercentileCollector } from './percentiles.ts';

export type RiskSampleKind = 'fill' | 'interval';

/** The risk ratio sampled after a fill or on the sampling interval, and whether it broke the limit. */
export interface RiskSample {
  readonly kind: RiskSampleKind;
  readonly ratio: number;
  readonly breach: boolean;
}

/** Samples of one kind. */
export class RiskSampleStats {
  readonly ratios = new PercentileCollector();
  breaches = 0;
  max = 0;

  record(ratio: number, breach: boolean): void {
    this.ratios.record(ratio);
    // Stryker disable next-line EqualityOperator: equivalent for > vs >=: an equal ratio stores the same value (the killed <= mutant is ignored with it).
    if (ratio > this.max) this.max = ratio;
    if (breach) this.breaches++;
  }
}
