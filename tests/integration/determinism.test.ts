import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runFile } from '../support/run.ts';

describe('determinism', () => {
  it('burst.yaml gives byte-identical report.json twice in one process and once in a child process', async () => {
    const first = await runFile('burst.yaml');
    const second = await runFile('burst.yaml');
    expect(second.reportJson).toBe(first.reportJson);
    expect(second.metricsText).toBe(first.metricsText);

    const out = mkdtempSync(join(tmpdir(), 'mmsim-det-'));
    try {
      // Another process, another time zone and locale, another working directory.
      execFileSync(process.execPath, [join(repoRoot, 'bin', 'mmsim.js'), 'sim', join(repoRoot, 'scenarios', 'burst.yaml'), '--out', out, '--quiet'], {
        cwd: tmpdir(),
        env: { ...process.env, TZ: 'Pacific/Chatham', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' },
        stdio: 'pipe',
      });
      expect(readFileSync(join(out, 'report.json'), 'utf8')).toBe(first.reportJson);
      expect(readFileSync(join(out, 'metrics.prom'), 'utf8')).toBe(first.metricsText);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('another seed gives different numbers', async () => {
    const a = await runFile('burst.yaml', 1);
    const b = await runFile('burst.yaml', 2);
    expect(b.report.execution.digest).not.toBe(a.report.execution.digest);
    expect(b.report.summary).not.toEqual(a.report.summary);
  });
});
