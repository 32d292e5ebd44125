import { createHash } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { LoadedScenario } from '../scenario/load-scenario.ts';
import { parseJsonWithSchema } from '../scenario/json-file.ts';
import { readTextInput } from '../scenario/input-file.ts';
import { MAX_ITERATIONS } from './iter-summary.ts';

export const MANIFEST_FILE = 'SOAK_MANIFEST.json';
export const MANIFEST_SCHEMA = 'mmsim/soak@1';

/** What a soak directory is a soak of: a resume only continues the same soak. */
export const manifestSchema = z.object({
  schema: z.literal(MANIFEST_SCHEMA),
  scenario: z.string(),
  variant: z.string().optional(),
  scenario_sha256: z.string(),
  soak_seed: z.number().int().nonnegative(),
  iterations: z.number().int().positive().max(MAX_ITERATIONS, { message: `must be at most ${MAX_ITERATIONS} (the most iterations a soak may have)` }),
  mmsim_version: z.string(),
});
export type SoakManifest = z.output<typeof manifestSchema>;

// Re-exported: the soak and the sweep read the version from here.
export { MMSIM_VERSION } from '../version.ts';

/**
 * sha256 of the validated scenario (the schema's output, with empirical latency samples resolved).
 * Absolute paths of replay files are left out, so moving the checkout does not change it; the
 * scenario's own relative paths are in.
 */
export function scenarioSha256(scenario: LoadedScenario): string {
  const { replayPaths: _absolute, ...rest } = scenario;
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex');
}

export function manifestJson(m: SoakManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

/** The manifest in `dir`, or undefined when there is none; an unreadable one is bad input. */
export async function readManifest(dir: string): Promise<SoakManifest | undefined> {
  const file = join(dir, MANIFEST_FILE);
  const absent = await lstat(file).then(
    () => false,
    (err: NodeJS.ErrnoException) => err.code === 'ENOENT',
  );
  if (absent) return undefined;
  // A directory, FIFO or oversized file in its place is bad input naming it (readTextInput says which).
  const text = await readTextInput(file);
  return parseJsonWithSchema(text, file, manifestSchema, 'INVALID_SOAK');
}
