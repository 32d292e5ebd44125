import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InputError } from '../../src/core/errors.ts';
import { durationSchema } from '../../src/sim/scenario/duration.ts';
import { ScenarioError, loadYamlFile, parseYamlWithSchema } from '../../src/sim/scenario/yaml-source.ts';

const latency = z.strictObject({ median_ms: z.number(), p99_ms: z.number().positive().optional() });
const schema = z.strictObject({
  name: z.string(),
  seed: z.number().int().optional(),
  exchange: z.strictObject({
    book: z.strictObject({ spread_bps: z.number(), levels: z.number().int(), tick: z.number().optional() }),
    latency: z.strictObject({ entry: latency, response: latency }),
  }),
  phases: z.array(
    z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('quiet'), duration: durationSchema }),
      z.strictObject({ kind: z.literal('burst'), duration: durationSchema, rate: z.number() }),
    ]),
  ),
});

const VALID = `name: burst
exchange:
  book:
    spread_bps: 2
    levels: 10
  latency:
    entry: { median_ms: 5 }
    response:
      median_ms: 3
      p99_ms: 20
phases:
  - kind: quiet
    duration: 5s
  - kind: burst
    duration: 250ms
    rate: 40
`;

function failure(text: string, file = 'scenarios/x.yaml'): ScenarioError {
  try {
    parseYamlWithSchema(text, file, schema);
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('expected a ScenarioError');
}

describe('parseYamlWithSchema', () => {
  it('returns the validated, transformed value', () => {
    const value = parseYamlWithSchema(VALID, 'x.yaml', schema);
    expect(value.phases).toEqual([
      { kind: 'quiet', duration: 5_000_000 },
      { kind: 'burst', duration: 250_000, rate: 40 },
    ]);
    expect(value.exchange.latency.response.p99_ms).toBe(20);
  });

  it('reports a YAML syntax error with file:line:col and no code frame', () => {
    const err = failure('name: a\nexchange:\n  book: [1, 2\n  latency: 3\n');
    expect(err).toBeInstanceOf(InputError);
    expect(err.code).toBe('INVALID_SCENARIO');
    expect(err.message).toMatch(/^scenarios\/x\.yaml:\d+:\d+: \S.*$/);
    expect(err.message).not.toContain('\n');
    expect(err.file).toBe('scenarios/x.yaml');
    expect(err.line).toBeGreaterThanOrEqual(3);
  });

  it('reports a bad indent at its line', () => {
    const err = failure('name: a\nexchange:\n  book: 1\n latency: 2\n');
    expect(err.message).toBe('scenarios/x.yaml:4:1: All mapping items must start at the same column');
    expect([err.line, err.column]).toEqual([4, 1]);
  });

  it('rejects duplicate keys', () => {
    const err = failure('name: a\nseed: 1\nname: b\n');
    expect(err.message).toBe('scenarios/x.yaml:3:1: Map keys must be unique (duplicate key "name")');
  });

  it('rejects an empty file and a file with only comments', () => {
    expect(failure('').message).toBe('scenarios/x.yaml: the file is empty');
    expect(failure('# nothing here\n\n').message).toBe('scenarios/x.yaml: the file is empty');
  });

  it('reports an unresolved alias as a scenario error', () => {
    expect(failure('name: *nope\n').message).toMatch(/^scenarios\/x\.yaml: .*alias/i);
  });

  it('points at a wrong type deep in a nested object and shows the seen value', () => {
    const err = failure(VALID.replace('entry: { median_ms: 5 }', 'entry: { median_ms: "5ms" }'));
    expect(err.message).toBe('scenarios/x.yaml:7:25: exchange.latency.entry.median_ms: expected number, was "5ms"');
    expect(err).toMatchObject({ line: 7, column: 25, path: 'exchange.latency.entry.median_ms' });
  });

  it('points at a bad value inside an array with an indexed path', () => {
    const err = failure(VALID.replace('duration: 250ms', 'duration: 250'));
    expect(err.message).toBe(
      'scenarios/x.yaml:15:15: phases[1].duration: expected a duration such as "250ms", "5s" or "10m", was 250',
    );
  });

  it('points a missing required field at the key of its parent', () => {
    const err = failure(VALID.replace('    median_ms: 3\n', ''));
    expect(err.message).toBe(
      'scenarios/x.yaml:8:5: exchange.latency.response.median_ms: missing required field (expected number)',
    );
  });

  it('lists the allowed fields for an unknown key and points at the key', () => {
    const err = failure(VALID.replace('spread_bps: 2', 'spred_bps: 2'));
    expect(err.message.split('\n')).toEqual([
      'scenarios/x.yaml:3:3: exchange.book.spread_bps: missing required field (expected number)',
      'scenarios/x.yaml:4:5: exchange.book: unknown field "spred_bps" (allowed: spread_bps, levels, tick)',
    ]);
  });

  it('names the allowed fields of the matching union member', () => {
    const err = failure(VALID.replace('    rate: 40\n', '    rate: 40\n    burst_size: 3\n'));
    expect(err.message).toBe(
      'scenarios/x.yaml:17:5: phases[1]: unknown field "burst_size" (allowed: kind, duration, rate)',
    );
  });

  it('explains a bad discriminator', () => {
    const err = failure(VALID.replace('kind: quiet', 'kind: calm'));
    expect(err.message).toBe('scenarios/x.yaml:12:11: phases[0].kind: expected one of "quiet", "burst", was "calm"');
  });

  it('truncates long seen values', () => {
    const err = failure(VALID.replace('levels: 10', `levels: ${'x'.repeat(100)}`));
    expect(err.message).toBe(`scenarios/x.yaml:5:13: exchange.book.levels: expected number, was "${'x'.repeat(36)}...`);
  });

  it('keeps a clear zod message and adds the seen value', () => {
    const err = failure(VALID.replace('p99_ms: 20', 'p99_ms: -1'));
    expect(err.message).toBe('scenarios/x.yaml:10:15: exchange.latency.response.p99_ms: expected number to be >0, was -1');
  });

  it('lists several problems in file order, at most five, then a count', () => {
    const text = `name: 7
seed: 1.5
exchange:
  book: { spread_bps: x, levels: 2, extra: 1 }
  latency: 3
phases: {}
bogus: true
`;
    const lines = failure(text).message.split('\n');
    expect(lines).toEqual([
      'scenarios/x.yaml:1:7: name: expected string, was 7',
      'scenarios/x.yaml:2:7: seed: expected integer, was 1.5',
      'scenarios/x.yaml:4:23: exchange.book.spread_bps: expected number, was "x"',
      'scenarios/x.yaml:4:37: exchange.book: unknown field "extra" (allowed: spread_bps, levels, tick)',
      'scenarios/x.yaml:5:12: exchange.latency: expected object, was 3',
      'and 2 more problems',
    ]);
  });

  it('reports a document that is not a mapping', () => {
    expect(failure('just a string\n').message).toBe('scenarios/x.yaml:1:1: expected object, was "just a string"');
  });
});

describe('loadYamlFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'yaml-source-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads and validates a file', async () => {
    const file = join(dir, 'ok.yaml');
    await writeFile(file, VALID);
    await expect(loadYamlFile(file, schema)).resolves.toMatchObject({ name: 'burst' });
  });

  it('names the file in validation errors', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, VALID.replace('name: burst', 'name: 1'));
    await expect(loadYamlFile(file, schema)).rejects.toThrow(`${file}:1:7: name: expected string, was 1`);
  });

  it('reports a missing file without a stack trace in the message', async () => {
    const file = join(dir, 'missing.yaml');
    const err: unknown = await loadYamlFile(file, schema).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).message).toBe(`${file}: cannot read file (ENOENT: no such file or directory)`);
  });

  it('reports a directory as unreadable', async () => {
    await expect(loadYamlFile(dir, schema)).rejects.toThrow(`${dir}: cannot read file (EISDIR: illegal operation on a directory)`);
  });
});
