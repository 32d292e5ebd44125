import { z } from 'zod';
import type { DirectionConfig, EntryOp, FeedOp, Ordering, ResponseOp } from '../exchange/latency-model.ts';
import { LIMITS, inRange } from './ranges.ts';

/**
 * `exchange.latency` in a scenario: three directions, each either one distribution for every
 * operation or a `default` plus per-operation overrides. `ordering` (default `fifo`) sits beside the
 * distribution's own fields or beside `default`.
 *
 *   latency:
 *     entry:                      # bot to exchange; ops: place, cancel, query
 *       default: { dist: lognormal, median_ms: 4, sigma: 0.4, burst: { phi: 0.9 } }
 *       cancel: { dist: constant, ms: 2 }
 *       ordering: independent     # REST: a cancel may overtake its order
 *     response:                   # exchange to bot; ops: ack, fill, query
 *       dist: empirical
 *       file: data/response-latency.csv   # relative to the scenario file
 *       column: latency_ms                # optional: a CSV with a header row
 *       rate_scaling: { reference_rate_per_s: 2000 }
 *     feed:                       # market data: a single distribution only
 *       { dist: uniform, min_ms: 1, max_ms: 3, ordering: fifo }
 *
 * Distributions: `constant {ms}`, `uniform {min_ms, max_ms}`, `lognormal {median_ms, sigma}`,
 * `empirical {samples_ms: [...]}` or `empirical {file, column?}`; each takes optional
 * `burst: {phi}` (0 <= phi < 1) and `rate_scaling: {reference_rate_per_s}`.
 *
 * The parsed value is normalised to `{ ordering, default, <op>? }` per direction, whichever form the
 * YAML used; empirical `file` entries are loaded afterwards by `resolveEmpiricalFiles`.
 */

const ms = inRange(0, LIMITS.latencyMs, 'ms; beyond a minute the link is down: use a disconnect fault');

const modifiers = {
  burst: z.strictObject({ phi: z.number().min(0).lt(1) }).optional(),
  rate_scaling: z
    .strictObject({ reference_rate_per_s: inRange(LIMITS.referenceRateMin, LIMITS.referenceRateMax, 'messages per second') })
    .optional(),
};

const orderingSchema = z.enum(['fifo', 'independent']);

const constantSchema = z.strictObject({ dist: z.literal('constant'), ms, ...modifiers });
const uniformSchema = z.strictObject({ dist: z.literal('uniform'), min_ms: ms, max_ms: ms, ...modifiers });
const lognormalSchema = z.strictObject({
  dist: z.literal('lognormal'),
  median_ms: ms,
  sigma: inRange(0, LIMITS.lognormalSigma, 'a sigma of 3 puts the 99.99th percentile 70,000x above the median; use an empirical distribution for heavier tails'),
  ...modifiers,
});
const empiricalSchema = z.strictObject({
  dist: z.literal('empirical'),
  samples_ms: z.array(ms).min(1).optional(),
  file: z.string().min(1).optional(),
  column: z.string().min(1).optional(),
  ...modifiers,
});

function checkUniform(s: { min_ms: number; max_ms: number }, ctx: z.RefinementCtx): void {
  if (s.min_ms > s.max_ms) {
    ctx.addIssue({ code: 'custom', path: ['max_ms'], message: `must be >= min_ms (${s.min_ms}), was ${s.max_ms}` });
  }
}

/** The one-in-a-billion draw (z = 6) must stay within an hour, or a long run's latencies overflow. */
function checkLognormal(s: { median_ms: number; sigma: number }, ctx: z.RefinementCtx): void {
  if (ctx.issues.length > 0) return; // a field out of range is the error to show
  const tail = s.median_ms * Math.exp(6 * s.sigma);
  if (tail > LIMITS.lognormalTailMs) {
    ctx.addIssue({
      code: 'custom',
      path: ['sigma'],
      message: `with median_ms ${s.median_ms}, sigma ${s.sigma} puts the one-in-a-billion latency at ${tail.toExponential(2)} ms, above an hour: lower sigma or median_ms`,
    });
  }
}

function checkEmpirical(s: { samples_ms?: number[] | undefined; file?: string | undefined; column?: string | undefined }, ctx: z.RefinementCtx): void {
  if (s.samples_ms === undefined && s.file === undefined) {
    ctx.addIssue({ code: 'custom', path: [], message: 'an empirical distribution needs samples_ms (a list) or file (a CSV path)' });
  }
  if (s.samples_ms !== undefined && s.file !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['file'], message: 'give samples_ms or file, not both' });
  }
  if (s.column !== undefined && s.file === undefined) {
    ctx.addIssue({ code: 'custom', path: ['column'], message: 'column only applies to a CSV file' });
  }
}

export const latencySpecSchema = z.discriminatedUnion('dist', [
  constantSchema,
  uniformSchema.superRefine(checkUniform),
  lognormalSchema.superRefine(checkLognormal),
  empiricalSchema.superRefine(checkEmpirical),
]);
export type LatencySpecConfig = z.output<typeof latencySpecSchema>;

const optionalSpec = latencySpecSchema.optional();

const withOrdering = { ordering: orderingSchema.optional() };

/** A direction given as one distribution for every op: `{ dist: ..., ordering? }`. */
const singleForm = z.discriminatedUnion('dist', [
  constantSchema.extend(withOrdering),
  uniformSchema.extend(withOrdering).superRefine(checkUniform),
  lognormalSchema.extend(withOrdering).superRefine(checkLognormal),
  empiricalSchema.extend(withOrdering).superRefine(checkEmpirical),
]);

type SingleForm = z.output<typeof singleForm>;
type PerOpForm<Op extends string> = { ordering?: Ordering | undefined; default: LatencySpecConfig } & { [K in Op]?: LatencySpecConfig | undefined };

function normalize<Op extends string>(form: SingleForm | PerOpForm<Op>): DirectionConfig<Op, LatencySpecConfig> {
  if ('dist' in form) {
    const { ordering, ...spec } = form;
    return { ordering: ordering ?? 'fifo', default: spec } as DirectionConfig<Op, LatencySpecConfig>;
  }
  return { ...form, ordering: form.ordering ?? 'fifo' };
}

// No transform inside the union's branches: a branch whose only problems are unknown keys or failed
// refinements is then chosen outright, so `{ default: ..., fill: ... }` on entry reports "unknown field
// fill" and `{ dist: constant, ms: -1 }` reports ms, not a mismatch with the other form. The
// single-spec form comes first because, when both forms fail equally, it is the likelier intent.
const entrySchema = z
  .union([
    singleForm,
    z.strictObject({ default: latencySpecSchema, place: optionalSpec, cancel: optionalSpec, query: optionalSpec, ...withOrdering }),
  ])
  .transform((form) => normalize<EntryOp>(form));

const responseSchema = z
  .union([
    singleForm,
    z.strictObject({ default: latencySpecSchema, ack: optionalSpec, fill: optionalSpec, query: optionalSpec, ...withOrdering }),
  ])
  .transform((form) => normalize<ResponseOp>(form));

const feedSchema = singleForm.transform((form) => normalize<FeedOp>(form));

export const latencyConfigSchema = z.strictObject({ entry: entrySchema, response: responseSchema, feed: feedSchema });

/** `exchange.latency` after parsing: every direction as `{ ordering, default, <op>? }`. */
export type LatencyConfig = z.output<typeof latencyConfigSchema>;
