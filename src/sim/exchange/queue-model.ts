/**
 * How the quantity ahead of a resting order evolves, as hftbacktest models it for L2 (market-by-price)
 * data. The exchange asks the model at three moments: when the order arrives, when a trade prints at
 * its price, and when its level's quantity changes. Quantities are lots; the estimate of the quantity
 * ahead may be fractional (it is an expectation), fills are whole lots. See docs/exchange-model.md.
 */
export interface QueueModel {
  readonly name: string;
  /** Quantity ahead of a new order joining a level that holds `levelQty`: the back of the queue. */
  onArrival(levelQty: number): number;
  /**
   * The level went from `prevQty` to `newQty`; `tradedQty` lots traded at this price since the last
   * change (already taken off the quantity ahead, so they must not count twice). Returns the new
   * quantity ahead, never negative and never more than `newQty`.
   */
  onLevelChange(ahead: number, prevQty: number, newQty: number, tradedQty: number): number;
}

/**
 * `risk_averse`: only trades at the order's price move it forward; every cancellation is assumed to be
 * behind it, except that the quantity ahead can never exceed what the level holds (a level shrinking
 * below it clamps it).
 */
export const riskAverseQueue: QueueModel = {
  name: 'risk_averse',
  onArrival: (levelQty) => levelQty,
  onLevelChange: (ahead, _prev, newQty) => Math.max(0, Math.min(ahead, newQty)),
};

/**
 * hftbacktest's `Probability`: the probability that a decrease of the level happened behind the order,
 * f(back) / (f(back) + f(front)). The share taken from ahead of the order is one minus it.
 */
export type QueueShapeFn = (x: number) => number;

export function probBehind(f: QueueShapeFn, front: number, back: number): number {
  const fb = f(back);
  const p = fb / (fb + f(front));
  // hftbacktest treats an infinite value as 1 (all behind); 0/0 (nothing ahead or behind) is 1 here too.
  return Number.isFinite(p) ? p : 1;
}

/**
 * A probabilistic model (hftbacktest's ProbQueueModel): a decrease `chg` of the level not explained by
 * trades is split between the quantity ahead (front) and behind (back = prevQty - front); the part
 * taken from ahead is (1 - p) * chg, and whatever exceeds the quantity behind also comes from ahead.
 * An increase never moves the order (new orders join behind it).
 */
export function probabilisticQueue(name: string, f: QueueShapeFn): QueueModel {
  return {
    name,
    onArrival: (levelQty) => levelQty,
    onLevelChange(ahead, prevQty, newQty, tradedQty) {
      const chg = prevQty - newQty - tradedQty;
      if (chg <= 0) return Math.max(0, Math.min(ahead, newQty));
      const front = ahead;
      const back = Math.max(0, prevQty - front);
      const p = probBehind(f, front, back);
      const est = front - (1 - p) * chg + Math.min(0, back - p * chg);
      return Math.max(0, Math.min(est, newQty));
    },
  };
}

/** `power`: f(x) = x^n. n = 1 splits a decrease in proportion to the quantities ahead and behind. */
export const powerQueue = (n: number): QueueModel => probabilisticQueue(`power(${n})`, (x) => x ** n);

/** `log`: f(x) = ln(1 + x). */
export const logQueue = (): QueueModel => probabilisticQueue('log', (x) => Math.log1p(x));

export type QueueModelSpec = { readonly model: 'risk_averse' } | { readonly model: 'power'; readonly n: number } | { readonly model: 'log' };

export function createQueueModel(spec: QueueModelSpec): QueueModel {
  switch (spec.model) {
    case 'risk_averse':
      return riskAverseQueue;
    case 'power':
      return powerQueue(spec.n);
    case 'log':
      return logQueue();
  }
}
