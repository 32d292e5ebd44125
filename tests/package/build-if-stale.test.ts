// scripts/build-if-stale.js, which keeps dist/ current for `npm run sim` and the CLI tests, in a copy
// of the project's build set-up (its tsconfigs, a two-file src/) in a temporary folder.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/run.ts';

let dir = '';

function check(): { code: number | null; rebuilt: boolean; stderr: string } {
  const r = spawnSync(process.execPath, [join(dir, 'scripts', 'build-if-stale.js')], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, rebuilt: /rebuilding dist/.test(r.stderr), stderr: r.stderr };
}

/** Sets a file's modification time `s` seconds into the future, so it is newer than any build. */
function later(file: string, s = 5): void {
  const t = new Date(Date.now() + s * 1000);
  utimesSync(file, t, t);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mmsim-build-'));
  for (const f of ['tsconfig.json', 'tsconfig.build.json', 'scripts/build-if-stale.js']) cpSync(join(repoRoot, f), join(dir, f));
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  mkdirSync(join(dir, 'src', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'src', 'sub', 'answer.ts'), 'export const answer: number = 41;\n');
  writeFileSync(join(dir, 'src', 'index.ts'), "export { answer } from './sub/answer.ts';\n");
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('build-if-stale', () => {
  it('builds a missing dist/, with .ts imports rewritten to .js and declarations beside', () => {
    expect(check()).toMatchObject({ code: 0, rebuilt: true });
    expect(readFileSync(join(dir, 'dist', 'index.js'), 'utf8')).toContain('"./sub/answer.js"');
    expect(existsSync(join(dir, 'dist', 'sub', 'answer.d.ts'))).toBe(true);
  });

  it('does nothing when nothing changed', () => {
    expect(check()).toMatchObject({ code: 0, rebuilt: false });
  });

  it('rebuilds after an edit, and only once', () => {
    const file = join(dir, 'src', 'sub', 'answer.ts');
    writeFileSync(file, 'export const answer: number = 42;\n');
    later(file);
    expect(check()).toMatchObject({ code: 0, rebuilt: true });
    expect(readFileSync(join(dir, 'dist', 'sub', 'answer.js'), 'utf8')).toContain('42');
    expect(check().rebuilt).toBe(false);
  });

  it('treats a touched file as a change but then settles, although tsc emits nothing new', () => {
    later(join(dir, 'src', 'index.ts'), 10);
    expect(check().rebuilt).toBe(true);
    expect(check().rebuilt).toBe(false);
  });

  it('notices a deleted file through its folder, and fails with tsc when the sources do not compile', () => {
    unlinkSync(join(dir, 'src', 'sub', 'answer.ts'));
    later(join(dir, 'src', 'sub'), 15);
    const r = check();
    expect(r).toMatchObject({ code: 1, rebuilt: true });
    expect(r.stderr).toMatch(/the build failed/);
    // A failed build is not marked current: the next check tries again.
    expect(check().rebuilt).toBe(true);
  });
});
