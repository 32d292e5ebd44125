import { z } from 'zod';
import { durationSchema, positiveDurationSchema } from './duration.ts';
import { latencyConfigSchema } from './latency-schema.ts';
import { LIMITS as L, inRange, intInRange } from './ranges.ts';
import { bps, probability, usd } from './schema-fields.ts';

const fee = inRange(-L.feeBps, L.feeBps, 'bps; no venue charges or pays 1 %');

/** `risk_averse`, `log`, or `{ model: power, n }` (the string forms are shorthand for `{ model: ... }`). */
const queueModelSchema = z.union([
  z
    .enum(['risk_averse', 'log', 'power'])
    .refine((m) => m !== 'power', { message: 'power needs its exponent: {model: power, n: 3}' })
    .transform((model) => ({ model: model as 'risk_averse' | 'log' })),
  z.discriminatedUnion('model', [
    z.strictObject({ model: z.literal('risk_averse') }),
    z.strictObject({ model: z.literal('log') }),
    z.strictObject({ model: z.literal('power'), n: inRange(0, L.queuePower, 'an exponent', { minExclusive: true }) }),
  ]),
]);

const rateLimitSchema = z.strictObject({
  max_requests: intInRange(1, L.requests, 'requests per window'),
  window: positiveDurationSchema,
  include_cancels: z.boolean().default(false),
  /** Refused requests within `ban_window` that trigger a ban; 0 never bans. */
  ban_after: intInRange(0, L.requests, 'refusals').default(0),
  ban_window: positiveDurationSchema.prefault('10s'),
  ban_duration: positiveDurationSchema.prefault('30s'),
});

export const exchangeSchema = z.strictObject({
  latency: latencyConfigSchema,
  fees: z.strictObject({ maker_bps: fee, taker_bps: fee }),
  min_size_lots: intInRange(1, L.lots, 'lots').default(1),
  min_notional_usd: usd(0).default(0),
  price_band_bps: bps(true).optional(),
  rate_limit: rateLimitSchema.optional(),
  margin: z
    .strictObject({ balance_usd: usd(), leverage: inRange(0, L.leverage, 'no venue lends more', { minExclusive: true }) })
    .optional(),
  queue_model: queueModelSchema.prefault('risk_averse'),
  /** Session heartbeat and book snapshot interval; 0 sends none. */
  heartbeat: durationSchema.prefault('1s'),
});

const window = { at: durationSchema, duration: positiveDurationSchema };
export const faultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('disconnect'), ...window }),
  z.strictObject({ kind: z.literal('latency_spike'), ...window, factor: inRange(1, L.spikeFactor, 'beyond that the link is down: use a disconnect fault') }),
  z.strictObject({ kind: z.literal('reject_storm'), ...window, probability }),
  z.strictObject({ kind: z.literal('feed_freeze'), ...window }),
  z.strictObject({ kind: z.literal('ack_loss'), ...window, probability }),
  z.strictObject({ kind: z.literal('list_responses'), ...window }),
]);
