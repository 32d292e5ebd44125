// The scenario JSON Schema (scenario.schema.json) for editors: generated from the zod schema, committed,
// and never stricter than the loader: every bundled scenario passes it, and so does the README's example.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { parseDuration } from '../../src/sim/scenario/duration.ts';
import { DURATION_PATTERN, scenarioJsonSchema, scenarioJsonSchemaText } from '../../src/sim/scenario/json-schema.ts';
import { parseScenario } from '../../src/sim/scenario/load-scenario.ts';
import { repoRoot, scenarioFiles } from '../support/run.ts';

const SCHEMA_LINE = '# yaml-language-server: $schema=../scenario.schema.json';
const committed = (): string => readFileSync(join(repoRoot, 'scenario.schema.json'), 'utf8');
// zod reads a JSON Schema back into a validator: an editor's view of a file, independent of the loader.
const editorCheck = (): z.ZodType => z.fromJSONSchema(scenarioJsonSchema() as Parameters<typeof z.fromJSONSchema>[0]);
type Obj = Record<string, unknown>;
type ScenarioYaml = Obj & { strategy: Obj; market: Obj; exchange: { latency: Obj } };
const burst = (): ScenarioYaml => parse(readFileSync(join(repoRoot, 'scenarios', 'burst.yaml'), 'utf8')) as ScenarioYaml;

describe('scenario.schema.json', () => {
  it('is the schema the code generates (regenerate it with `npm run schema:update`)', () => {
    const fresh = scenarioJsonSchemaText();
    // A plain toBe would print 140 kB of JSON: say what to do instead.
    if (committed() !== fresh) {
      expect.fail('scenario.schema.json is out of date with src/sim/scenario/schema.ts: run `npm run schema:update` and commit the result');
    }
  });

  it('describes the input form a scenario author writes: durations as strings, defaults optional', () => {
    const schema = JSON.parse(committed()) as {
      $schema: string;
      required: string[];
      properties: { seed: { default: number }; strategy: { anyOf: [unknown, { oneOf: { properties: Record<string, unknown>; required: string[] }[] }] } };
    };
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.required).toContain('market');
    expect(schema.required).not.toContain('seed');
    expect(schema.properties.seed.default).toBe(1);
    // The strategy is a user module or a built-in; the ladder (the default) needs no kind.
    const [ladder, as] = schema.properties.strategy.anyOf[1].oneOf;
    expect(ladder!.properties.refresh).toMatchObject({ type: 'string', pattern: DURATION_PATTERN });
    expect(ladder!.required).not.toContain('kind');
    expect(as!.required).toContain('kind');
  });

  it.each(scenarioFiles())('scenarios/%s starts with the yaml-language-server line and passes the schema', (file) => {
    const text = readFileSync(join(repoRoot, 'scenarios', file), 'utf8');
    expect(text.split('\n')[0]).toBe(SCHEMA_LINE);
    const result = editorCheck().safeParse(parse(text));
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it("the README's full scenario example starts with the line, loads, and passes the schema", () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    // The complete scenarios among the yaml blocks: those with a top-level name.
    const examples = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((t) => /^name: /m.test(t));
    expect(examples.length).toBeGreaterThan(0);
    for (const text of examples) {
      expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=scenario.schema.json');
      expect(parseScenario(text, join(repoRoot, 'my-scenario.yaml')).name).toBeTruthy();
      expect(editorCheck().safeParse(parse(text)).error?.issues ?? []).toEqual([]);
    }
  });

  it('refuses what the loader refuses for its shape: unknown fields, wrong types, bad durations, a missing section', () => {
    const check = editorCheck();
    const cases: [string, (s: ScenarioYaml) => void][] = [
      ['unknown top-level field', (s) => (s.nmae = 'x')],
      ['unknown nested field', (s) => (s.strategy.spred_bps = 2)],
      ['duration as a number', (s) => (s.strategy.refresh = 2)],
      ['duration without a unit', (s) => (s.strategy.refresh = '2')],
      ['missing risk', (s) => delete s.risk],
      ['unknown market source', (s) => (s.market.source = 'live_feed')],
      ['unknown latency distribution', (s) => (s.exchange.latency.feed = { dist: 'gamma', ms: 1 })],
    ];
    for (const [what, change] of cases) {
      const s = burst();
      change(s);
      expect(check.safeParse(s).success, what).toBe(false);
      expect(() => parseScenario(JSON.stringify(s)), what).toThrow();
    }
  });
});

describe('the duration pattern', () => {
  const re = new RegExp(DURATION_PATTERN);
  it('accepts what the duration parser reads', () => {
    for (const d of ['0ms', '500us', '250ms', '1.5s', '10 m', '1h', '0.001ms']) {
      expect(re.test(d), d).toBe(true);
      expect(() => parseDuration(d)).not.toThrow();
    }
  });
  it('refuses what the parser refuses for its syntax', () => {
    for (const d of ['5', 's', '-1s', '1.s', '.5s', '5 sec', '1e3ms', ' 5s', '5s ', '5S']) {
      expect(re.test(d), d).toBe(false);
      expect(() => parseDuration(d), d).toThrow();
    }
  });
});
