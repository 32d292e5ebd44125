import type { Micros } from '../../core/clock.ts';
import { InvariantError } from '../../core/errors.ts';
import type { RandomStream } from '../clock/rng.ts';

/** Bot to exchange. */
export const ENTRY_OPS = ['place', 'cancel', 'query'] as const;
/** Exchange to bot; `ack` covers accepted, rejected, canceled, cancel_rejected and heartbeat messages. */
export const RESPONSE_OPS = ['ack', 'fill', 'query'] as const;
/** Market data: one kind of message. */
export const FEED_OPS = ['book'] as const;

export type EntryOp = (typeof ENTRY_OPS)[number];
export type ResponseOp = (typeof RESPONSE_OPS)[number];
export type FeedOp = (typeof FEED_OPS)[number];
export type Direction = 'entry' | 'response' | 'feed';

/**
 * `fifo`: one connection (TCP, websocket), a message never overtakes the one sent before it.
 * `independent`: every message travels on its own (REST), so a cancel may arrive before its order.
 */
export type Ordering = 'fifo' | 'independent';

export interface BurstSpec {
  /** Lag-1 correlation of the Gaussian AR(1) behind the draws, in [0, 1). */
  readonly phi: number;
}

export interface RateScalingSpec {
  /** The draw is multiplied by 1 + (messages in the last second) / reference_rate_per_s. */
  readonly reference_rate_per_s: number;
}

interface Modifiers {
  readonly burst?: BurstSpec | undefined;
  readonly rate_scaling?: RateScalingSpec | undefined;
}

/** A latency distribution in milliseconds, as the scenario gives it (empirical files already loaded). */
export type LatencySpec = Modifiers &
  (
    | { readonly dist: 'constant'; readonly ms: number }
    | { readonly dist: 'uniform'; readonly min_ms: number; readonly max_ms: number }
    | { readonly dist: 'lognormal'; readonly median_ms: number; readonly sigma: number }
    | { readonly dist: 'empirical'; readonly samples_ms: readonly number[] }
  );

/** One direction: the spec for every op without its own, per-op overrides, and the delivery ordering. */
export type DirectionConfig<Op extends string, S = LatencySpec> = {
  readonly ordering: Ordering;
  readonly default: S;
} & { readonly [K in Op]?: S | undefined };

export interface LatencyChannelsConfig<S = LatencySpec> {
  readonly entry: DirectionConfig<EntryOp, S>;
  readonly response: DirectionConfig<ResponseOp, S>;
  readonly feed: DirectionConfig<FeedOp, S>;
}

/** The exchange's message count in the second before `now`. */
export type MessageRate = (now: Micros) => number;

/** A latency distribution; draws are integer microseconds from the given seeded stream. */
export interface LatencyModel {
  /** One latency for a message sent at `now`, drawn afresh on every call. */
  sample(now: Micros): Micros;
  /**
   * `sample` in two parts, for a connection that draws one path delay per send instant: `draw()` is the
   * random delay of the path in µs (unrounded, before load scaling), `load(now)` the rate-scaling factor of
   * one message sent at `now`; `sample(now)` is `round(draw() * load(now))`. Absent when every message
   * carries its own delay (a recorded feed latency).
   */
  readonly parts?: PathParts;
  /** True when every draw is zero: there is no network to speak of. */
  readonly isZero: boolean;
}

export interface PathParts {
  draw(): number;
  load(now: Micros): number;
}

const US_PER_MS = 1000;

export function createLatencyModel(spec: LatencySpec, rng: RandomStream, messageRate?: MessageRate): LatencyModel {
  requireSane(spec);
  const draw = spec.burst && spec.dist !== 'constant' ? burstDraw(spec, spec.burst.phi, rng) : directDraw(spec, rng);
  const scale = spec.rate_scaling && rateScale(spec.rate_scaling, messageRate);
  const bound = upperBoundUs(spec);
  return {
    isZero: bound === 0 || (scale === undefined && Math.round(bound) === 0),
    sample: scale === undefined ? () => toMicros(draw()) : (now) => toMicros(draw() * scale(now)),
    parts: { draw, load: scale ?? (() => 1) },
  };
}

/** The schema guarantees these; a violation here would silently turn into NaN draws. */
function requireSane(spec: LatencySpec): void {
  if (spec.dist === 'empirical' && spec.samples_ms.length === 0) {
    throw new InvariantError('latency: an empirical distribution needs at least one sample');
  }
  const phi = spec.burst?.phi;
  if (phi !== undefined && !(phi >= 0 && phi < 1)) throw new InvariantError(`latency: burst.phi must be in [0, 1), got ${phi}`);
}

const toMicros = (us: number): Micros => Math.max(0, Math.round(us));

/** Independent draws, in microseconds. Constant and lognormal draw exactly as earlier versions did. */
function directDraw(spec: LatencySpec, rng: RandomStream): () => number {
  switch (spec.dist) {
    case 'constant': {
      const us = spec.ms * US_PER_MS;
      return () => us;
    }
    case 'uniform': {
      const minUs = spec.min_ms * US_PER_MS;
      const spanUs = (spec.max_ms - spec.min_ms) * US_PER_MS;
      return () => minUs + spanUs * rng.uniform();
    }
    case 'lognormal': {
      const medianUs = spec.median_ms * US_PER_MS;
      return () => rng.lognormal(medianUs, spec.sigma);
    }
    case 'empirical': {
      const samplesUs = spec.samples_ms.map((ms) => ms * US_PER_MS);
      return () => samplesUs[Math.floor(rng.uniform() * samplesUs.length)]!;
    }
  }
}

/**
 * Correlated draws through a Gaussian copula: a stationary AR(1) z_t, stepped once per draw, mapped
 * through the distribution's quantile at Phi(z_t). The marginal distribution is unchanged; large draws
 * cluster. For the lognormal the map is median * exp(sigma * z), an AR(1) on the log latency.
 */
function burstDraw(spec: Exclude<LatencySpec, { dist: 'constant' }>, phi: number, rng: RandomStream): () => number {
  const ar = new GaussianAr1(phi, rng);
  const quantile = quantileOfNormal(spec);
  return () => quantile(ar.next());
}

/** The distribution's quantile function composed with the normal CDF: z -> F^-1(Phi(z)), in microseconds. */
function quantileOfNormal(spec: Exclude<LatencySpec, { dist: 'constant' }>): (z: number) => number {
  switch (spec.dist) {
    case 'uniform': {
      const minUs = spec.min_ms * US_PER_MS;
      const spanUs = (spec.max_ms - spec.min_ms) * US_PER_MS;
      return (z) => minUs + spanUs * normalCdf(z);
    }
    case 'lognormal': {
      const medianUs = spec.median_ms * US_PER_MS;
      return (z) => medianUs * Math.exp(spec.sigma * z);
    }
    case 'empirical': {
      const sortedUs = spec.samples_ms.map((ms) => ms * US_PER_MS).sort((a, b) => a - b);
      const n = sortedUs.length;
      // Phi(z) rounds to exactly 1 far in the upper tail.
      return (z) => sortedUs[Math.min(n - 1, Math.floor(normalCdf(z) * n))]!;
    }
  }
}

/** z_t = phi * z_{t-1} + sqrt(1 - phi^2) * eps_t, started from its stationary law N(0, 1). */
class GaussianAr1 {
  private z = NaN;
  private readonly innovationScale: number;

  constructor(
    private readonly phi: number,
    private readonly rng: RandomStream,
  ) {
    this.innovationScale = Math.sqrt(1 - phi * phi);
  }

  next(): number {
    const eps = this.rng.normal();
    this.z = Number.isNaN(this.z) ? eps : this.phi * this.z + this.innovationScale * eps;
    return this.z;
  }
}

/**
 * Standard normal CDF via the complementary error function (Numerical Recipes' Chebyshev fit, relative
 * error below 1.2e-7 everywhere, so the tails keep their precision).
 */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -1.26551223 +
    t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const erfcX = t * Math.exp(-x * x + poly);
  return z >= 0 ? 1 - 0.5 * erfcX : 0.5 * erfcX;
}

function rateScale(spec: RateScalingSpec, messageRate: MessageRate | undefined): (now: Micros) => number {
  if (messageRate === undefined) throw new InvariantError('latency: rate_scaling needs the exchange message rate');
  const ref = spec.reference_rate_per_s;
  return (now) => {
    const rate = messageRate(now);
    if (!(rate >= 0)) throw new InvariantError(`latency: message rate must be >= 0, got ${rate}`);
    return 1 + rate / ref;
  };
}

/** The largest draw before rate scaling, in microseconds (Infinity when unbounded). */
function upperBoundUs(spec: LatencySpec): number {
  switch (spec.dist) {
    case 'constant':
      return spec.ms * US_PER_MS;
    case 'uniform':
      return spec.max_ms * US_PER_MS;
    case 'lognormal':
      return spec.median_ms === 0 ? 0 : spec.sigma === 0 ? spec.median_ms * US_PER_MS : Infinity;
    case 'empirical':
      return spec.samples_ms.reduce((max, ms) => Math.max(max, ms), 0) * US_PER_MS;
  }
}

/** The path delay a connection drew for one model at one send instant. */
interface PathSlot {
  readonly model: LatencyModel;
  readonly parts: PathParts | undefined;
  at: Micros;
  drawnUs: number;
}

/**
 * A network path: per-operation latencies and an ordering rule.
 *
 * `fifo` is one connection. Every message sent at the same instant with the same model travels with
 * the same path delay (one draw per model and instant, rate scaling applied per message), so a burst
 * arrives together, in the order it was sent, without taking the largest of several draws. Across
 * instants order is kept: a message never arrives before the one sent before it, which delays it only
 * when its path is faster than the earlier one's (head-of-line blocking). `independent`: one draw per
 * message and no ordering.
 */
export class Channel<Op extends string = string> {
  readonly isZero: boolean;
  private readonly slots: ReadonlyMap<string, PathSlot>;
  private lastDelivery: Micros = -Infinity;

  constructor(
    models: Readonly<Record<Op, LatencyModel>>,
    readonly ordering: Ordering = 'fifo',
  ) {
    // Ops sharing a model share its slot: one draw per instant whichever of them sends first.
    const byModel = new Map<LatencyModel, PathSlot>();
    const slots = new Map<string, PathSlot>();
    for (const [op, model] of Object.entries<LatencyModel>(models)) {
      let slot = byModel.get(model);
      if (slot === undefined) {
        slot = { model, parts: model.parts, at: NaN, drawnUs: 0 };
        byModel.set(model, slot);
      }
      slots.set(op, slot);
    }
    this.slots = slots;
    this.isZero = [...byModel.keys()].every((m) => m.isZero);
  }

  /**
   * When a message of kind `op` sent at `sentAt` arrives. `factor` multiplies the drawn latency (a
   * latency spike). With `fifo` it never arrives before the message sent before it on this channel.
   */
  deliveryTime(sentAt: Micros, op: Op, factor = 1): Micros {
    const slot = this.slots.get(op);
    if (slot === undefined) throw new InvariantError(`no latency model for operation "${op}"`);
    if (this.ordering === 'independent') return sentAt + scaled(slot.model.sample(sentAt), factor);
    const t = Math.max(sentAt + scaled(this.pathLatency(slot, sentAt), factor), this.lastDelivery);
    this.lastDelivery = t;
    return t;
  }

  private pathLatency(slot: PathSlot, sentAt: Micros): Micros {
    const parts = slot.parts;
    if (parts === undefined) return slot.model.sample(sentAt);
    if (slot.at !== sentAt) {
      slot.at = sentAt;
      slot.drawnUs = parts.draw();
    }
    return toMicros(slot.drawnUs * parts.load(sentAt));
  }
}

function scaled(latency: Micros, factor: number): Micros {
  if (factor === 1) return latency;
  if (!(factor >= 0 && Number.isFinite(factor))) throw new InvariantError(`latency factor must be finite and >= 0, got ${factor}`);
  return Math.round(latency * factor);
}

export interface LatencyChannels {
  readonly entry: Channel<EntryOp>;
  readonly response: Channel<ResponseOp>;
  readonly feed: Channel<FeedOp>;
}

/**
 * The three network paths. Ops sharing a direction's default share one model (one draw sequence, one
 * burst state); each override has its own.
 */
export function createChannels(
  config: LatencyChannelsConfig,
  rngs: Readonly<Record<Direction, RandomStream>>,
  messageRate?: MessageRate,
): LatencyChannels {
  return {
    entry: createChannel(config.entry, ENTRY_OPS, rngs.entry, messageRate),
    response: createChannel(config.response, RESPONSE_OPS, rngs.response, messageRate),
    feed: createChannel(config.feed, FEED_OPS, rngs.feed, messageRate),
  };
}

function createChannel<Op extends string>(
  config: DirectionConfig<Op>,
  ops: readonly Op[],
  rng: RandomStream,
  messageRate: MessageRate | undefined,
): Channel<Op> {
  const fallback = createLatencyModel(config.default, rng, messageRate);
  const entries = ops.map((op) => {
    const spec = config[op] as LatencySpec | undefined;
    return [op, spec === undefined ? fallback : createLatencyModel(spec, rng, messageRate)] as const;
  });
  return new Channel(Object.fromEntries(entries) as Record<Op, LatencyModel>, config.ordering);
}
