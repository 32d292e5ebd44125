import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import { loadLatencySamplesCsv, resolveEmpiricalFiles } from '../../src/sim/exchange/latency-samples.ts';
import { latencyConfigSchema, latencySpecSchema } from '../../src/sim/scenario/latency-schema.ts';
import { parseYamlWithSchema } from '../../src/sim/scenario/yaml-source.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures');
const fixture = (name: string) => join(FIXTURES, 'latency', name);

const constant = { dist: 'constant', ms: 1 };
const config = (over: Record<string, unknown>) => ({ entry: constant, response: constant, feed: constant, ...over });

/** The issues of a failed parse as `path: code`. */
function problems(input: unknown): string[] {
  const result = latencyConfigSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.join('.')}: ${i.code}`);
}

function yamlError(text: string): string {
  try {
    parseYamlWithSchema(text, 'scenario.yaml', latencyConfigSchema);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the YAML to be rejected');
}

describe('latencyConfigSchema: accepted shapes', () => {
  it('normalises the single-spec form to { ordering, default }', () => {
    const parsed = latencyConfigSchema.parse(
      config({ entry: { dist: 'lognormal', median_ms: 4, sigma: 0.5, burst: { phi: 0.9 }, ordering: 'independent' } }),
    );
    expect(parsed.entry).toEqual({ ordering: 'independent', default: { dist: 'lognormal', median_ms: 4, sigma: 0.5, burst: { phi: 0.9 } } });
    expect(parsed.feed).toEqual({ ordering: 'fifo', default: constant });
  });

  it('keeps the per-op form, ordering defaulting to fifo', () => {
    const parsed = latencyConfigSchema.parse(
      config({
        entry: { default: constant, cancel: { dist: 'uniform', min_ms: 1, max_ms: 1 } },
        response: { default: constant, fill: { dist: 'empirical', samples_ms: [1, 2] }, ordering: 'independent' },
      }),
    );
    expect(parsed.entry).toEqual({ ordering: 'fifo', default: constant, cancel: { dist: 'uniform', min_ms: 1, max_ms: 1 } });
    expect(parsed.response.ordering).toBe('independent');
    expect(parsed.response.fill).toEqual({ dist: 'empirical', samples_ms: [1, 2] });
  });

  it('accepts every distribution with both modifiers', () => {
    const modifiers = { burst: { phi: 0 }, rate_scaling: { reference_rate_per_s: 0.5 } };
    for (const spec of [
      { dist: 'constant', ms: 0 },
      { dist: 'uniform', min_ms: 0, max_ms: 3 },
      { dist: 'lognormal', median_ms: 2, sigma: 0 },
      { dist: 'empirical', samples_ms: [0] },
      { dist: 'empirical', file: 'x.csv', column: 'ms' },
    ]) {
      expect(latencySpecSchema.safeParse({ ...spec, ...modifiers }).success).toBe(true);
    }
  });
});

describe('latencyConfigSchema: rejected input', () => {
  it.each([
    ['a negative ms', config({ entry: { dist: 'constant', ms: -1 } }), 'entry.ms: too_small'],
    ['a negative per-op sigma', config({ entry: { default: constant, cancel: { dist: 'lognormal', median_ms: 1, sigma: -0.1 } } }), 'entry.cancel.sigma: too_small'],
    ['min_ms above max_ms', config({ feed: { dist: 'uniform', min_ms: 3, max_ms: 1 } }), 'feed.max_ms: custom'],
    ['phi = 1', config({ response: { default: { ...constant, burst: { phi: 1 } } } }), 'response.default.burst.phi: too_big'],
    ['a negative phi', config({ entry: { ...constant, burst: { phi: -0.1 } } }), 'entry.burst.phi: too_small'],
    ['a zero reference rate', config({ entry: { ...constant, rate_scaling: { reference_rate_per_s: 0 } } }), 'entry.rate_scaling.reference_rate_per_s: too_small'],
    ['an op of another direction', config({ entry: { default: constant, fill: constant } }), 'entry: unrecognized_keys'],
    ['per-op form on the feed', config({ feed: { default: constant } }), 'feed.dist: invalid_union'],
    ['an unknown key beside a spec', config({ response: { ...constant, median_ms: 3 } }), 'response: unrecognized_keys'],
    ['an empty sample list', config({ entry: { dist: 'empirical', samples_ms: [] } }), 'entry.samples_ms: too_small'],
    ['a negative sample', config({ entry: { dist: 'empirical', samples_ms: [1, -2] } }), 'entry.samples_ms.1: too_small'],
    ['neither samples nor file', config({ entry: { dist: 'empirical' } }), 'entry: custom'],
    ['both samples and file', config({ entry: { dist: 'empirical', samples_ms: [1], file: 'a.csv' } }), 'entry.file: custom'],
    ['a column without a file', config({ entry: { dist: 'empirical', samples_ms: [1], column: 'ms' } }), 'entry.column: custom'],
  ])('%s', (_, input, expected) => {
    expect(problems(input)).toEqual([expected]);
  });

  it('rejects an unknown distribution on its dist field', () => {
    const result = latencySpecSchema.safeParse({ dist: 'gamma', shape: 2 });
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.code])).toEqual([['dist', 'invalid_union']]);
  });

  it('names the field in YAML messages, whichever direction form was meant', () => {
    const rest = 'response: { dist: constant, ms: 1 }\nfeed: { dist: constant, ms: 1 }\n';
    expect(yamlError(`entry: { dist: gamma }\n${rest}`)).toBe(
      'scenario.yaml:1:16: entry.dist: expected one of "constant", "uniform", "lognormal", "empirical", was "gamma"',
    );
    expect(yamlError(`entry: { default: { dist: constant, ms: 1 }, fill: { dist: constant, ms: 2 } }\n${rest}`)).toBe(
      'scenario.yaml:1:46: entry: unknown field "fill" (allowed: default, place, cancel, query, ordering)',
    );
    expect(yamlError(`entry: { dist: lognormal, median: 5, sigma: 0.4 }\n${rest}`)).toMatch(/^scenario\.yaml:1:\d+: entry\.median_ms: missing required field/);
    expect(yamlError(`entry: { default: { dist: lognormal, median_ms: 5 } }\n${rest}`)).toMatch(/entry\.default\.sigma: missing required field/);
    // A bad enum value aborts both forms, so zod reports a union failure; the loader picks the closer form.
    expect(yamlError(`entry: { dist: constant, ms: 1, ordering: lifo }\n${rest}`)).toBe(
      'scenario.yaml:1:43: entry.ordering: expected one of "fifo", "independent", was "lifo"',
    );
  });
});

describe('loadLatencySamplesCsv', () => {
  it('reads one number per row, skipping blank lines and comments', () => {
    expect(loadLatencySamplesCsv(fixture('plain.csv'))).toEqual([1.5, 2, 3.25, 4]);
  });

  it('detects a header row from a non-numeric first cell', () => {
    expect(loadLatencySamplesCsv(fixture('header.csv'))).toEqual([1, 2.5, 3]);
  });

  it('reads a named column of a header row, ignoring trailing comments', () => {
    expect(loadLatencySamplesCsv(fixture('columns.csv'), 'rtt_ms')).toEqual([4.5, 5, 6.25]);
    expect(loadLatencySamplesCsv(fixture('columns.csv'), 'ts_us')).toEqual([100, 200, 300]);
  });

  it('reports a bad cell with its line number', () => {
    expect(() => loadLatencySamplesCsv(fixture('bad-cell.csv'))).toThrow(new InputError(`${fixture('bad-cell.csv')}:6: expected a latency in ms, was "12ms"`));
    expect(() => loadLatencySamplesCsv(fixture('negative.csv'))).toThrow(`${fixture('negative.csv')}:3: a latency cannot be negative, was -0.5`);
    expect(() => loadLatencySamplesCsv(fixture('columns.csv'), 'venue')).toThrow(`${fixture('columns.csv')}:2: expected a latency in ms (column "venue"), was "a"`);
  });

  it('reports a missing column, a column of a headerless file, an empty file and a missing file', () => {
    expect(() => loadLatencySamplesCsv(fixture('columns.csv'), 'latency')).toThrow(
      `${fixture('columns.csv')}: no column "latency" in the header row (columns: ts_us, venue, rtt_ms)`,
    );
    expect(() => loadLatencySamplesCsv(fixture('plain.csv'), 'ms')).toThrow(/no column "ms"/);
    expect(() => loadLatencySamplesCsv(fixture('empty.csv'))).toThrow(`${fixture('empty.csv')}: no latency samples (the file is empty)`);
    expect(() => loadLatencySamplesCsv(fixture('header-only.csv'))).toThrow(`${fixture('header-only.csv')}: no latency samples (only a header row)`);
    const missing = fixture('no-such-file.csv');
    expect(() => loadLatencySamplesCsv(missing)).toThrow(InputError);
    expect(() => loadLatencySamplesCsv(missing)).toThrow(`${missing}: cannot read file (ENOENT: no such file or directory)`);
  });
});

describe('resolveEmpiricalFiles', () => {
  it('replaces every file by its samples, relative to the scenario directory, keeping modifiers', () => {
    const parsed = latencyConfigSchema.parse(
      config({
        entry: { default: constant, cancel: { dist: 'empirical', file: 'latency/columns.csv', column: 'rtt_ms', burst: { phi: 0.5 } } },
        feed: { dist: 'empirical', file: 'latency/plain.csv', ordering: 'independent' },
      }),
    );
    const resolved = resolveEmpiricalFiles(parsed, FIXTURES);
    expect(resolved.entry).toEqual({ ordering: 'fifo', default: constant, cancel: { dist: 'empirical', samples_ms: [4.5, 5, 6.25], burst: { phi: 0.5 } } });
    expect(resolved.feed).toEqual({ ordering: 'independent', default: { dist: 'empirical', samples_ms: [1.5, 2, 3.25, 4] } });
    expect(resolved.response).toEqual(parsed.response);
  });

  it('names the CSV file when it cannot be read', () => {
    const parsed = latencyConfigSchema.parse(config({ feed: { dist: 'empirical', file: 'latency/missing.csv' } }));
    expect(() => resolveEmpiricalFiles(parsed, FIXTURES)).toThrow(`${join(FIXTURES, 'latency/missing.csv')}: cannot read file`);
  });
});
