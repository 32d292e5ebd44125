// The package as a user gets it (DESIGN.md, "Package"): `npm pack`, then `npm install <tarball>` into an
// empty folder, and there the bin, the README's import example and the published types. One install
// for the whole file: 10-20 s with a warm npm cache (npm ci leaves one), longer on a cold one.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/run.ts';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cmd: string, args: readonly string[], cwd: string, timeout = 120_000): Promise<Run> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd, timeout, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr: err && typeof err.code !== 'number' ? `${err.message}\n${stderr}` : stderr });
    });
  });
}

const ok = (r: Run, what: string): Run => {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  return r;
};

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
const golden = readFileSync(join(repoRoot, 'tests', 'golden', 'burst.report.json'), 'utf8');

/** The README's example of the package API: the js block under "Using mmsim as a library". */
function readmeExample(): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Using mmsim as a library'));
  const block = section && /```js\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('README.md has no ```js block under "## Using mmsim as a library"');
  return block[1]!;
}

let tmp = '';
let app = '';
let tarball = '';

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'mmsim-pack-'));
  // --ignore-scripts: vitest's globalSetup has just brought dist/ up to date; a prepare run here would
  // rewrite it under the CLI tests that run beside this file. `npm ci` runs prepare itself.
  ok(await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', tmp], repoRoot), 'npm pack');
  tarball = join(tmp, readdirSync(tmp).find((f) => f.endsWith('.tgz'))!);
  app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'mmsim-user', private: true, type: 'module' }));
  // The registry only for what the npm cache lacks: the dependencies are the package's own, resolved anew.
  ok(await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], app, 170_000), 'npm install <tarball>');
}, 180_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships the compiled code, the scenarios, docs and the schema, and no sources, tests, bench or CI files', async () => {
    const listing = ok(await run('tar', ['-tzf', tarball], tmp), 'tar -t').stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    expect(listing).toEqual(expect.arrayContaining(['package.json', 'README.md', 'bin/mmsim.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'scenario.schema.json', 'scenarios/burst.yaml', 'docs/replay.md']));
    const unexpected = listing.filter((f) => !/^(package\.json|README\.md|bin\/mmsim\.js|scenario\.schema\.json|(dist|scenarios|docs|examples)\/.+)$/.test(f));
    expect(unexpected).toEqual([]);
    // TypeScript sources only as the examples a user copies (examples/strategies/*.ts), never the project's own.
    expect(listing.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('examples/'))).toEqual([]);
    expect(listing).toEqual(expect.arrayContaining(['examples/strategies/join-touch.ts', 'examples/strategies/skewed-ladder.ts']));
    expect(listing).not.toContain('dist/.tsbuildinfo');
  });

  it('npx mmsim runs a bundled scenario from the installed package, and writes the golden report', async () => {
    const r = ok(await run('npx', ['--no', '--', 'mmsim', 'sim', 'node_modules/mmsim/scenarios/burst.yaml', '--out', 'out/burst', '--quiet'], app), 'npx mmsim sim');
    expect(r.stdout).toBe('');
    expect(readFileSync(join(app, 'out', 'burst', 'report.json'), 'utf8') === golden).toBe(true);
    expect(ok(await run('npx', ['--no', '--', 'mmsim', '--version'], app), 'npx mmsim --version').stdout).toBe(`${pkg.version}\n`);
  });

  it("the README's import example runs there: import { runScenario, loadScenario } from 'mmsim'", async () => {
    copyFileSync(join(app, 'node_modules', 'mmsim', 'scenarios', 'burst.yaml'), join(app, 'my-scenario.yaml'));
    writeFileSync(join(app, 'example.js'), readmeExample());
    const r = ok(await run(process.execPath, ['example.js'], app), 'node example.js');
    const report = JSON.parse(golden) as { summary: { maker_fill_rate: number }; pnl: { net_bps: number } };
    expect(r.stdout).toBe(`${report.summary.maker_fill_rate} ${report.pnl.net_bps}\n`);
    expect(readFileSync(join(app, 'report.json'), 'utf8') === golden).toBe(true);
  });

  it('its types resolve for a TypeScript user: the report is typed, not any', async () => {
    writeFileSync(
      join(app, 'check.ts'),
      [
        "import { loadScenario, runScenario } from 'mmsim';",
        "import type { Report, RunResult } from 'mmsim';",
        "const result: RunResult = await runScenario(await loadScenario('my-scenario.yaml'), { seed: 7 });",
        'const report: Report = result.report;',
        'const rate: number = report.summary.maker_fill_rate;',
        '// @ts-expect-error: a report has no such field (were the types `any`, this line would be an error)',
        'report.summary.no_such_field.toFixed();',
        'export { rate };',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['check.ts'] }),
    );
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    expect(existsSync(tsc)).toBe(true);
    const r = await run(process.execPath, [tsc, '-p', '.'], app);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
