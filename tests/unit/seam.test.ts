// The seam that makes this a simulator (docs: DESIGN.md, "The seam"): src/core never imports the simulator
// or the CLI, and neither src/core nor src/sim reads the wall clock, schedules real timers or draws unseeded
// randomness. This test scans the sources itself, and also proves that the ESLint rules enforcing the same
// thing really fire, so neither guard can silently become a no-op.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The last non-blank character before `index`, or '' at the start of the text. */
function previousSignificant(out: readonly string[], index: number): { char: string; word: string } {
  let k = index - 1;
  while (k >= 0 && /\s/.test(out[k] ?? '')) k--;
  if (k < 0) return { char: '', word: '' };
  let start = k;
  while (start > 0 && /[\w$]/.test(out[start - 1] ?? '')) start--;
  return { char: out[k] ?? '', word: /[\w$]/.test(out[k] ?? '') ? out.slice(start, k + 1).join('') : '' };
}

const REGEX_AFTER_CHARS = new Set([...'(,=:[!&|?{};+-*%<>~^']);
const REGEX_AFTER_WORDS = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'instanceof', 'yield', 'await']);

/**
 * Replaces comments by spaces, and with `blankLiterals` also the contents of string, template and regex
 * literals (keeping their delimiters and `${...}` code), so that offsets and line numbers are unchanged.
 * A small hand-written scanner: enough for this code base, not a full TypeScript lexer.
 */
function stripSource(text: string, blankLiterals: boolean): string {
  const out = [...text];
  const n = out.length;
  const blank = (from: number, to: number, always = false) => {
    if (!always && !blankLiterals) return;
    for (let k = from; k < to && k < n; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  /** Scans template text from `i` (just after '`' or the '}' of an expression); returns where code resumes. */
  const templateChunk = (i: number): { next: number; open: boolean } => {
    let k = i;
    while (k < n) {
      const c = out[k];
      if (c === '\\') k += 2;
      else if (c === '`' || (c === '$' && out[k + 1] === '{')) {
        blank(i, k);
        return c === '`' ? { next: k + 1, open: false } : { next: k + 2, open: true };
      } else k++;
    }
    blank(i, n);
    return { next: n, open: false };
  };
  const templateDepth: number[] = []; // one brace counter per template expression we are inside
  let i = 0;
  while (i < n) {
    const c = out[i];
    const d = out[i + 1];
    if (c === '/' && d === '/') {
      let end = text.indexOf('\n', i);
      if (end < 0) end = n;
      blank(i, end, true);
      i = end;
    } else if (c === '/' && d === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? n : close + 2;
      blank(i, end, true);
      i = end;
    } else if (c === '"' || c === "'") {
      let k = i + 1;
      while (k < n && out[k] !== c && out[k] !== '\n') k += out[k] === '\\' ? 2 : 1;
      blank(i + 1, k);
      i = k + 1;
    } else if (c === '`') {
      const chunk = templateChunk(i + 1);
      if (chunk.open) templateDepth.push(0);
      i = chunk.next;
    } else if (c === '{' && templateDepth.length > 0) {
      templateDepth[templateDepth.length - 1]! += 1;
      i++;
    } else if (c === '}' && templateDepth.length > 0) {
      if (templateDepth[templateDepth.length - 1] === 0) {
        templateDepth.pop();
        const chunk = templateChunk(i + 1);
        if (chunk.open) templateDepth.push(0);
        i = chunk.next;
      } else {
        templateDepth[templateDepth.length - 1]! -= 1;
        i++;
      }
    } else if (c === '/') {
      const prev = previousSignificant(out, i);
      const isRegex = prev.word ? REGEX_AFTER_WORDS.has(prev.word) : prev.char === '' || REGEX_AFTER_CHARS.has(prev.char);
      if (!isRegex) {
        i++;
        continue;
      }
      let k = i + 1;
      let inClass = false;
      while (k < n && out[k] !== '\n') {
        const r = out[k];
        if (r === '/' && !inClass) break;
        if (r === '[') inClass = true;
        else if (r === ']') inClass = false;
        k += r === '\\' ? 2 : 1;
      }
      blank(i + 1, k);
      i = k + 1;
    } else {
      i++;
    }
  }
  return out.join('');
}

const lineAt = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

const FORBIDDEN_CALLS: ReadonlyArray<readonly [RegExp, string]> = [
  [/(?<![\w$])Date\s*\.\s*now\b/g, 'Date.now'],
  [/(?<![\w$.])new\s+(?:globalThis\s*\.\s*)?Date\s*\(/g, 'new Date('],
  [/(?<![\w$])performance\s*\.\s*now\b/g, 'performance.now'],
  [/(?<![\w$])Math\s*\.\s*random\b/g, 'Math.random'],
  [/(?<![\w$])process\s*\.\s*hrtime\b/g, 'process.hrtime'],
  // Bare timers and timers on the global object; a method of the same name on another object is fine.
  [/(?<![\w$.])setTimeout\b|(?<![\w$])(?:globalThis|global)\s*\.\s*setTimeout\b/g, 'setTimeout'],
  [/(?<![\w$.])setInterval\b|(?<![\w$])(?:globalThis|global)\s*\.\s*setInterval\b/g, 'setInterval'],
  [/(?<![\w$.])setImmediate\b|(?<![\w$])(?:globalThis|global)\s*\.\s*setImmediate\b/g, 'setImmediate'],
];

/** Node modules that only give access to real time. */
const FORBIDDEN_MODULES = new Set(['perf_hooks', 'timers', 'timers/promises'].flatMap((m) => [m, `node:${m}`]));

interface ImportRef {
  specifier: string;
  clause: string;
  offset: number;
}

/** Static imports and re-exports, dynamic `import()` and `require()`, found outside comments and strings. */
function findImports(noComments: string, code: string): ImportRef[] {
  const refs: ImportRef[] = [];
  const patterns = [
    /(?<![\w$.])(?:import|export)\s+(?:type\s+)?([\w$\s{},*]*?\bfrom\s*)?(['"])[^'"\n]*\2/g,
    /(?<![\w$.])(?:import|require)\s*\(\s*()(['"])[^'"\n]*\2/g,
  ];
  for (const pattern of patterns) {
    for (const m of code.matchAll(pattern)) {
      const quoteAt = (m.index ?? 0) + m[0].length - 1;
      const openAt = code.lastIndexOf(m[2] ?? "'", quoteAt - 1);
      refs.push({ specifier: noComments.slice(openAt + 1, quoteAt), clause: noComments.slice(m.index, openAt), offset: m.index ?? 0 });
    }
  }
  return refs;
}

/**
 * Seam violations in one source file, each as `path:line: problem`. `file` is relative to the repository
 * root with forward slashes (`src/core/x.ts`).
 */
function seamViolations(file: string, text: string): string[] {
  const inCore = file.startsWith('src/core/');
  const noComments = stripSource(text, false);
  const code = stripSource(text, true);
  const problems: Array<[number, string]> = [];

  for (const [pattern, name] of FORBIDDEN_CALLS) {
    for (const m of code.matchAll(pattern)) problems.push([m.index ?? 0, `uses ${name} (wall clock or real timers; use the injected Clock / a seeded stream)`]);
  }

  const imports = findImports(noComments, code);
  const importsPromClient = imports.some((r) => r.specifier === 'prom-client');
  for (const ref of imports) {
    if (FORBIDDEN_MODULES.has(ref.specifier)) problems.push([ref.offset, `imports ${ref.specifier} (real time)`]);
    if (ref.specifier === 'prom-client' && /\bSummary\b/.test(ref.clause)) {
      problems.push([ref.offset, "imports prom-client's Summary (its quantiles read the wall clock and are not deterministic)"]);
    }
    const spec = ref.specifier;
    if (/(?:^|\/)live(?:\/|$)/.test(spec) && (spec.startsWith('.') || spec.startsWith('live/'))) {
      problems.push([ref.offset, `imports "${spec}" (src/live, the wall clock: only the CLI may use it)`]);
      continue;
    }
    if (!inCore) continue;
    if (/\/(?:sim|cli)(?:\/|$)/.test(spec) || /^(?:sim|cli)\//.test(spec)) {
      problems.push([ref.offset, `src/core imports "${spec}" (the simulator or the CLI)`]);
    } else if (spec.startsWith('.') || isAbsolute(spec)) {
      const target = resolve(repoRoot, dirname(file), spec);
      const fromCore = relative(join(repoRoot, 'src/core'), target);
      if (fromCore.startsWith('..') || isAbsolute(fromCore)) problems.push([ref.offset, `src/core imports "${spec}", outside src/core`]);
    }
  }
  if (importsPromClient) {
    for (const m of code.matchAll(/\.\s*Summary\b/g)) problems.push([m.index ?? 0, "uses prom-client's Summary"]);
  }

  return problems.sort((a, b) => a[0] - b[0]).map(([offset, what]) => `${file}:${lineAt(text, offset)}: ${what}`);
}

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listTs(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
    .sort();
}

describe('the seam between the bot, the simulator and the CLI', () => {
  const files = ['src/core', 'src/sim'].flatMap((d) => listTs(join(repoRoot, d))).map((f) => relative(repoRoot, f).split(sep).join('/'));

  it('finds the sources it is meant to check', () => {
    expect(files.filter((f) => f.startsWith('src/core/')).length).toBeGreaterThan(3);
    expect(files.filter((f) => f.startsWith('src/sim/')).length).toBeGreaterThan(3);
    expect(files).toContain('src/sim/scenario/schema.ts');
  });

  it('src/core imports nothing from src/sim or src/cli, neither imports src/live, and no file in src/core or src/sim reads real time', () => {
    const violations = files.flatMap((f) => seamViolations(f, readFileSync(join(repoRoot, f), 'utf8')));
    expect(violations).toEqual([]);
  });
});

describe('the seam scanner itself', () => {
  const core = (text: string) => seamViolations('src/core/probe.ts', text);
  const sim = (text: string) => seamViolations('src/sim/probe.ts', text);
  const lines = (found: string[]) => found.map((v) => Number(/^[^:]+:(\d+):/.exec(v)?.[1]));

  it('reports every forbidden global with its line', () => {
    const text = [
      'export const a = Date.now();',
      'export const b = new Date(0);',
      'export const c = performance.now();',
      'export const d = Math.random();',
      'setTimeout(() => {}, 1);',
      'setInterval(() => {}, 1);',
      'setImmediate(() => {});',
      'export const e = process.hrtime.bigint();',
      'export const f = globalThis.Date.now() + globalThis.setTimeout.length;',
    ].join('\n');
    const found = sim(text);
    expect(lines(found)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 9]);
    expect(found[0]).toMatch(/^src\/sim\/probe\.ts:1: uses Date\.now/);
  });

  it('reports imports of the simulator, the CLI, anything outside src/core, timers and Summary', () => {
    const text = [
      "import { VirtualClock } from '../sim/virtual-clock.ts';",
      "import type { SimArgs } from '../cli/sim-command.ts';",
      "export { x } from '../../bench/x.ts';",
      "import {",
      "  Histogram,",
      "  Summary,",
      "} from 'prom-client';",
      "const m = await import('../sim/runner.ts');",
      "import { setTimeout as later } from 'node:timers/promises';",
      "import { Clock } from './clock.ts';",
      "import { z } from 'zod';",
    ].join('\n');
    expect(lines(core(text))).toEqual([1, 2, 3, 4, 8, 9, 9]);
    // The same imports are fine in src/sim, except Summary and real timers.
    expect(lines(sim(text))).toEqual([4, 9, 9]);
  });

  it('reports an import of src/live (the wall clock) from src/core and from src/sim', () => {
    const text = ["import { WallClock } from '../live/wall-clock.ts';", "import type { LiveFeed } from '../../live/live-feed.ts';", "import { x } from './delivery.ts';"].join('\n');
    expect(lines(core(text))).toEqual([1, 2]);
    expect(lines(sim(text))).toEqual([1, 2]);
    expect(sim(text)[0]).toMatch(/src\/live/);
  });

  it('reports Summary through a namespace import of prom-client', () => {
    expect(lines(core("import * as prom from 'prom-client';\n\nnew prom.Summary({ name: 'x', help: 'x' });"))).toEqual([3]);
    expect(core("import type { PnlSummary } from './pnl-tracker.ts';\nexport interface ReportSummary { a: PnlSummary }")).toEqual([]);
  });

  it('ignores comments and string contents, but not code after them', () => {
    const text = [
      '// Date.now() is forbidden here',
      '/* Math.random(),',
      '   setTimeout(f) */ export const url = "http://example.com/x"; export const t = Date.now();',
      "export const msg = 'never call setTimeout(), Math.random() or new Date()';",
      'export const tpl = `Date.now() ${Math.random()} setInterval`;',
      "export const re = /'\\/\\/ Date.now() [/'] /g; export const z = performance.now();",
      'export const half = 1 / 2; export const q = 4 / 2 / Date.now();',
      '/** import { Summary } from "prom-client" and "../sim/x.ts" */',
      "export const s = \"import x from '../sim/x.ts'\";",
      'clock.setTimeout(1); obj.setInterval = 2;',
    ].join('\n');
    expect(lines(core(text))).toEqual([3, 5, 6, 7]);
  });
});

describe('the ESLint rules for the seam', () => {
  const probe = [
    "import { VirtualClock } from '../sim/virtual-clock.ts';", // 1
    'export const a = Date.now();', // 2
    'export const b = Math.random();', // 3
    'setTimeout(() => {}, 1);', // 4
    'export const c = new Date();', // 5
    'export const d = performance.now();', // 6
    'setInterval(() => {}, 1);', // 7
    'export const e = process.hrtime();', // 8
    "import type { SimArgs } from '../cli/sim-command.ts';", // 9
    'export { VirtualClock };', // 10
    'export type { SimArgs };', // 11
    '',
  ].join('\n');

  async function lint(filePath: string) {
    const eslint = new ESLint({ cwd: repoRoot });
    const [result] = await eslint.lintText(probe, { filePath: join(repoRoot, filePath) });
    const errors = (result?.messages ?? []).filter((m) => m.severity === 2);
    return errors.map((m) => `${m.line}:${m.ruleId ?? 'fatal'}`);
  }

  it('fire on a file in src/core for each forbidden global and import', async () => {
    expect(await lint('src/core/__probe__.ts')).toEqual([
      '1:no-restricted-imports',
      '2:no-restricted-syntax',
      '3:no-restricted-syntax',
      '4:no-restricted-globals',
      '5:no-restricted-syntax',
      '6:no-restricted-globals',
      '7:no-restricted-globals',
      '8:no-restricted-syntax',
      '9:no-restricted-imports',
    ]);
  });

  it('fire on src/sim for the globals only: the simulator may import the bot and its own modules', async () => {
    expect(await lint('src/sim/__probe__.ts')).toEqual([
      '2:no-restricted-syntax',
      '3:no-restricted-syntax',
      '4:no-restricted-globals',
      '5:no-restricted-syntax',
      '6:no-restricted-globals',
      '7:no-restricted-globals',
      '8:no-restricted-syntax',
    ]);
  });

  it('leave the CLI alone: it runs on the wall clock by design', async () => {
    expect(await lint('src/cli/__probe__.ts')).toEqual([]);
  });

  it('leave src/live alone too (shadow mode: the wall clock is its job)', async () => {
    expect(await lint('src/live/__probe__.ts')).toEqual([]);
  });

  it('fire on src/sim and src/core importing src/live', async () => {
    const eslint = new ESLint({ cwd: repoRoot });
    const text = "import { WallClock } from '../live/wall-clock.ts';\nexport { WallClock };\n";
    for (const f of ['src/sim/__probe__.ts', 'src/core/__probe__.ts']) {
      const [result] = await eslint.lintText(text, { filePath: join(repoRoot, f) });
      expect((result?.messages ?? []).filter((m) => m.severity === 2).map((m) => `${m.line}:${m.ruleId}`)).toEqual(['1:no-restricted-imports']);
    }
  });
});
