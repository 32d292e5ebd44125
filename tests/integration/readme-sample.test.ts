// The README shows what `npm run sim -- scenarios/burst.yaml` prints; it must be what the golden burst
// report gives (after a behaviour change: regenerate the goldens, then paste the command's output).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.ts';
import { formatSummary } from '../../src/sim/run/summary-format.ts';
import { repoRoot } from '../support/run.ts';

describe('README', () => {
  it("the main job's printed summary is the golden burst report's", () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const block = /```\n(scenario burst {2}seed 42[^]*?)\nwrote out\/burst\/report\.json/.exec(readme);
    expect(block, 'README.md shows the summary of scenarios/burst.yaml').not.toBeNull();
    const golden = JSON.parse(readFileSync(join(repoRoot, 'tests/golden/burst.report.json'), 'utf8')) as Report;
    expect(block![1]).toBe(formatSummary(golden));
  });
});
