import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/sim/scenario/load-scenario.ts';
import { checkDataFiles, dataFiles } from '../../src/sim/sweep/data-files.ts';
import { writeSweepScenarios } from '../support/sweep-fixture.ts';

const tmp = mkdtempSync(join(tmpdir(), 'mmsim-data-files-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the data files a queued run carries', () => {
  it('names the strategy module by its path relative to the working directory and its sha256; a worker checks both', async () => {
    const { failing } = writeSweepScenarios(tmp);
    const files = await dataFiles(await loadScenario(failing), failing, tmp);
    expect(files).toEqual([{ path: 'fail-on-book.js', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(await checkDataFiles(files, tmp)).toBeUndefined();
    expect(await checkDataFiles(files, join(tmp, 'elsewhere'))).toMatch(/fail-on-book\.js: missing here \(ENOENT\)/);
    writeFileSync(join(tmp, 'fail-on-book.js'), 'export default () => ({});\n');
    expect(await checkDataFiles(files, tmp)).toMatch(/fail-on-book\.js: differs from the coordinator's/);
  });

  it('finds no data file in a synthetic scenario with constant latencies', async () => {
    const { calm } = writeSweepScenarios(tmp);
    expect(await dataFiles(await loadScenario(calm), calm, tmp)).toEqual([]);
  });
});
