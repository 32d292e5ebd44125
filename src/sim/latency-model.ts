import type { Micros } from '../core/clock.ts';
import type { RandomStream } from './rng.ts';

export type LatencySpec =
  | { readonly dist: 'constant'; readonly ms: number }
  | { readonly dist: 'lognormal'; readonly median_ms: number; readonly sigma: number };

/** A latency distribution; draws are integer microseconds from the given seeded stream. */
export interface LatencyModel {
  sample(): Micros;
  /** True when every draw is zero: there is no network to speak of. */
  readonly isZero: boolean;
}

export function createLatencyModel(spec: LatencySpec, rng: RandomStream): LatencyModel {
  switch (spec.dist) {
    case 'constant': {
      const us = Math.round(spec.ms * 1000);
      return { sample: () => us, isZero: us === 0 };
    }
    case 'lognormal': {
      const medianUs = spec.median_ms * 1000;
      return { sample: () => Math.round(rng.lognormal(medianUs, spec.sigma)), isZero: medianUs === 0 };
    }
  }
}

/**
 * A network path that delivers in order, like one TCP or websocket connection: a message never
 * overtakes the one sent before it, so a late ack can hold back the fill behind it.
 */
export class OrderedChannel {
  private lastDelivery: Micros = -Infinity;

  constructor(readonly latency: LatencyModel) {}

  deliveryTime(sentAt: Micros): Micros {
    const t = Math.max(sentAt + this.latency.sample(), this.lastDelivery);
    this.lastDelivery = t;
    return t;
  }
}
