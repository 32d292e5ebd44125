import { createHash } from 'node:crypto';

/**
 * The seed of soak iteration i: the first 48 bits of sha256("mmsim-soak/<soak seed>/<i>"). It depends
 * on nothing but the two numbers, so an iteration gives the same result whether it runs first, last,
 * or again after a resume; neighbouring iterations get unrelated seeds.
 */
export function iterationSeed(soakSeed: number, iteration: number): number {
  return createHash('sha256').update(`mmsim-soak/${soakSeed}/${iteration}`).digest().readUIntBE(0, 6);
}
