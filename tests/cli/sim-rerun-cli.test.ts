// Running `mmsim sim` again into the same folder replaces the earlier run: a newcomer is told so on
// stderr (once, before the run), and a first run into a fresh folder says nothing of the kind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mmsim } from '../support/cli.ts';

let tmp = '';
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mmsim-rerun-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('mmsim sim into a folder that holds an earlier run', () => {
  it('says "replacing the earlier run in DIR" on the second run only, and not with --quiet', async () => {
    const out = join(tmp, 'calm');
    const first = await mmsim(['sim', 'scenarios/calm.yaml', '--out', out]);
    expect(first.code).toBe(0);
    expect(first.stderr).not.toMatch(/replacing/);
    const second = await mmsim(['sim', 'scenarios/calm.yaml', '--out', out]);
    expect(second.code).toBe(0);
    expect(second.stderr).toBe(`replacing the earlier run in ${out}\n`);
    const quiet = await mmsim(['sim', 'scenarios/calm.yaml', '--out', out, '--quiet']);
    expect(quiet.stderr).toBe('');
  });
});
