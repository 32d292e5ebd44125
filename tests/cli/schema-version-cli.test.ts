// `mmsim schema` and `mmsim --version` on the compiled CLI (DESIGN.md, "Command line").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchemaText } from '../../src/sim/scenario/json-schema.ts';
import { mmsim } from '../support/cli.ts';
import { repoRoot } from '../support/run.ts';

describe('mmsim schema', () => {
  it('prints the scenario JSON Schema, the one the code generates', async () => {
    const run = await mmsim(['schema']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout === scenarioJsonSchemaText()).toBe(true);
  });

  it('takes no arguments', async () => {
    const run = await mmsim(['schema', 'scenarios/burst.yaml']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
  });
});

describe('mmsim --version', () => {
  it("prints package.json's version and nothing else", async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(await mmsim(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});
