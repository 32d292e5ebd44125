import seedrandom from 'seedrandom';

/**
 * One named, seeded random stream. Each component draws from its own stream derived from the scenario
 * seed and the component's name, so turning on a fault never shifts the market's path.
 */
export class RandomStream {
  private readonly prng: seedrandom.PRNG;
  private spareNormal = NaN;

  constructor(seed: string, readonly name: string) {
    this.prng = seedrandom.alea(`mmsim/${seed}/${name}`);
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.prng();
  }

  /** Uniform in (0, 1]: safe under a logarithm. */
  uniformOpen(): number {
    return 1 - this.prng();
  }

  bernoulli(p: number): boolean {
    return this.prng() < p;
  }

  /** Standard normal (Box-Muller, both values used). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = NaN;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniformOpen()));
    const theta = 2 * Math.PI * this.prng();
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -Math.log(this.uniformOpen()) * mean;
  }

  /** Lognormal with the given median and log-space sigma. */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
}

// Each stream is seeded by its own name: a stream added at the end never shifts the others' draws.
export const STREAM_NAMES = [
  'market', 'trades', 'latency_entry', 'latency_response', 'latency_feed', 'faults', 'strategy',
  // The synthetic order flow's components (order-flow.ts).
  'market_arrivals', 'market_sizes', 'market_signs', 'market_levels',
] as const;
export type StreamName = (typeof STREAM_NAMES)[number];

export type Streams = Record<StreamName, RandomStream>;

export function createStreams(seed: string): Streams {
  return Object.fromEntries(STREAM_NAMES.map((n) => [n, new RandomStream(seed, n)])) as Streams;
}
