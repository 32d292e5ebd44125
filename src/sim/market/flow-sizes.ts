import type { RandomStream } from '../clock/rng.ts';
import type { SizeMix } from './synthetic-market.ts';

/** No order, level or cancellation is larger than this many lots. */
export const MAX_LOTS = 1e12;

/** A market order's size in lots: a lognormal body with a Pareto tail of share `tailShare`. */
export function marketSize(r: RandomStream, m: SizeMix): number {
  const x = r.bernoulli(m.tailShare) ? m.tailMin * Math.pow(r.uniformOpen(), -1 / m.tailExponent) : r.lognormal(m.median, m.sigma);
  return Math.min(MAX_LOTS, Math.max(1, Math.round(x)));
}

/** A limit order's (or a cancellation's) size in lots: exponential with mean `meanLots`, at least one lot. */
export function limitSize(r: RandomStream, meanLots: number): number {
  return Math.max(1, Math.round(r.exponential(meanLots)));
}
