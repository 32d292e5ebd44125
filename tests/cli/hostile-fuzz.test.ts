// Fuzz: a valid scenario (calm.yaml, cut to 20 s) with one to three fields replaced by hostile values
// (wrong types, extreme magnitudes, path-like names, special files as recordings). Every run must end
// with exit 0, 1 or 2 within a time bound, print no stack trace, and write nothing outside its output
// folder. Most runs go through `main` in this process (what bin/mmsim.js calls), a few through the binary.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { mmsim as mmsimChild } from '../support/cli.ts';
import { repoRoot } from '../support/run.ts';

const BOUND_MS = 20_000;

/** calm.yaml, 20 s long, with an event limit that keeps any accepted mutation short. */
const BASE = (() => {
  const doc = parse(readFileSync(join(repoRoot, 'scenarios', 'calm.yaml'), 'utf8')) as Record<string, unknown>;
  (doc.market as { phases: { duration: string }[] }).phases[0]!.duration = '20s';
  delete doc.expect;
  return { ...doc, run: { max_events: 2_000_000 } };
})();

type Path = (string | number)[];

/** Every path into the base document (leaves and containers), except run.max_events (a long run on request is no bug). */
function paths(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [...(prefix.length > 0 ? [prefix] : []), ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}
const PATHS = paths(BASE).filter((p) => p.join('.') !== 'run.max_events');

let tmp = '';
let fifo = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mmsim-fuzz-'));
  fifo = join(tmp, 'fifo');
  execFileSync('mkfifo', [fifo]);
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const numbers = fc.constantFrom(0, -1, 0.5, 1e-300, 1e20, 1e300, -1e300, 2 ** 53, Infinity, -Infinity, NaN, 1e9, 59_999);
const strings = fc.constantFrom('', '..', '../../x', '/tmp/x', 'a/b', 'x'.repeat(500), '1us', '0s', '1e9h', 'NaN', '__proto__', '-5ms');
const types = fc.constantFrom<unknown>(null, true, [], {}, [1, 2], { a: 1 });
const hostile = fc.oneof(numbers, strings, types);

/** A recording that is not one: special files, folders, paths out of the sandbox. */
const replay = fc.constantFrom('/dev/zero', '/dev/urandom', 'FIFO', '.', '../../x.gz', 'missing.gz').map((path) => ({
  source: 'replay',
  format: 'binance_usdm',
  path,
  symbol: 'BTCUSDT',
}));

const mutation = fc.oneof(
  { weight: 6, arbitrary: fc.record({ path: fc.constantFrom(...PATHS), value: hostile }) },
  { weight: 1, arbitrary: fc.record({ path: fc.constant<Path>(['name']), value: strings }) },
  { weight: 1, arbitrary: fc.record({ path: fc.constant<Path>(['market']), value: replay }) },
  { weight: 1, arbitrary: fc.record({ path: fc.constant<Path>(['variants']), value: strings.map((name) => [{ name, set: { seed: 2 } }]) }) },
);

/** The base with each mutation applied (a path through a replaced container is skipped). */
function mutate(mutations: readonly { path: Path; value: unknown }[]): Record<string, unknown> {
  const doc = structuredClone(BASE) as Record<string, unknown>;
  for (const { path, value } of mutations) {
    let node: unknown = doc;
    for (const seg of path.slice(0, -1)) node = typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[seg] : undefined;
    if (typeof node !== 'object' || node === null) continue;
    const v = typeof value === 'object' && value !== null && (value as { path?: string }).path === 'FIFO' ? { ...value, path: fifo } : value;
    (node as Record<PropertyKey, unknown>)[path[path.length - 1]!] = v;
  }
  return doc;
}

let n = 0;
function sandbox(doc: Record<string, unknown>): { root: string; cwd: string; file: string; out: string } {
  const root = join(tmp, `run-${++n}`);
  const cwd = join(root, 'a', 'b');
  mkdirSync(cwd, { recursive: true });
  const file = join(cwd, 's.yaml');
  writeFileSync(file, stringify(doc));
  return { root, cwd, file, out: join(cwd, 'o') };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

function expectContained(s: { root: string; file: string }, outDir: string): void {
  const stray = listFiles(s.root).filter((f) => f !== s.file && !f.startsWith(`${outDir}/`));
  expect(stray.map((f) => relative(s.root, f))).toEqual([]);
}

/** `main(args)` in this process, with stdout and stderr captured. */
async function inProcess(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const capture = (append: (s: string) => void) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
      return true;
    }) as typeof process.stdout.write;
  vi.spyOn(process.stdout, 'write').mockImplementation(capture(() => {}));
  vi.spyOn(process.stderr, 'write').mockImplementation(capture((s) => (stderr += s)));
  try {
    return { code: await main(args), stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

function expectCalmEnd(code: number, stderr: string, ms: number, doc: unknown): void {
  const context = `${stringify(doc)}\nstderr: ${stderr}`;
  expect([0, 1, 2], context).toContain(code);
  expect(ms, context).toBeLessThan(BOUND_MS);
  expect(stderr, context).not.toMatch(/^\s+at /m);
  expect(stderr, context).not.toMatch(/Fatal|FATAL|Segmentation|heap out of memory/);
}

describe('fuzz: mutated scenarios end calmly and write only into their output folder', () => {
  it('in process: exit 0, 1 or 2, no stack trace, nothing outside --out', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const doc = mutate(mutations);
        const s = sandbox(doc);
        const start = performance.now();
        const { code, stderr } = await inProcess(['sim', s.file, '--out', s.out, '--quiet']);
        expectCalmEnd(code, stderr, performance.now() - start, doc);
        expectContained(s, s.out);
      }),
      { numRuns: 40, seed: 16, endOnFailure: true },
    );
  });

  it('the binary, without --out: the default folder stays under the working directory', { timeout: 240_000 }, async () => {
    const samples = fc.sample(fc.array(mutation, { minLength: 1, maxLength: 2 }), { numRuns: 4, seed: 1616 });
    // A name made to climb out of the working directory, whatever the samples hold.
    samples.push([{ path: ['name'], value: '../../x' }]);
    for (const mutations of samples) {
      const doc = mutate(mutations);
      const s = sandbox(doc);
      const start = performance.now();
      const run = await mmsimChild(['sim', s.file, '--quiet'], { cwd: s.cwd, timeoutMs: 60_000 });
      expectCalmEnd(run.code, run.stderr, performance.now() - start, doc);
      expectContained(s, join(s.cwd, 'out'));
    }
  });
});
