/**
 * How the quantity ahead of a resting order evolves. The exchange asks the model at three moments:
 * when the order arrives, when a trade prints at its price, and when its level's quantity falls
 * without a trade (cancellations). Quantities are integer lots.
 */
export interface QueueModel {
  readonly name: string;
  /** Quantity ahead of a new order joining a level that holds `levelQty`. */
  onArrival(levelQty: number): number;
  /** A level shrank from `prevQty` to `newQty` without a trade; returns the new quantity ahead. */
  onLevelDecrease(ahead: number, prevQty: number, newQty: number): number;
}

/**
 * `risk_averse`: the order joins at the back of the level and only trades at its price move it
 * forward; cancellations are assumed to happen behind it, except that the quantity ahead can never
 * exceed what the level holds (a level shrinking below it clamps it).
 */
export const riskAverseQueue: QueueModel = {
  name: 'risk_averse',
  onArrival: (levelQty) => levelQty,
  onLevelDecrease: (ahead, _prev, newQty) => Math.min(ahead, newQty),
};
