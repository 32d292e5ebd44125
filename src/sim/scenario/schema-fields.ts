import { z } from 'zod';
import { LIMITS as L, inRange } from './ranges.ts';

/** Field types the scenario's sub-schemas share. */
export const probability = z.number().min(0).max(1);
export const bps = (positive = false) => inRange(0, L.bps, 'bps, that is 100 %', { minExclusive: positive });
export const usd = (min?: number) => inRange(min ?? 0, L.usd, 'USD', { minExclusive: min === undefined });
