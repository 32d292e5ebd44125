// Lint rules that keep the numbers honest: the bot (src/core) and the simulator (src/sim) never read the
// wall clock or unseeded randomness, the bot never imports the simulator, and neither imports src/live
// (shadow mode: the only code allowed the wall clock, besides the CLI).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const forbiddenTime = [
  { name: 'setTimeout', message: 'Use the injected Clock: src/core and src/sim run on virtual time.' },
  { name: 'setInterval', message: 'Use the injected Clock: src/core and src/sim run on virtual time.' },
  { name: 'setImmediate', message: 'Use the injected Clock: src/core and src/sim run on virtual time.' },
  { name: 'performance', message: 'No wall clock in src/core or src/sim.' },
];
const forbiddenSyntax = [
  { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'No wall clock: use Clock.now().' },
  { selector: "NewExpression[callee.name='Date']", message: 'No wall clock: use Clock.now().' },
  { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'Use a seeded seedrandom stream.' },
  { selector: "MemberExpression[object.name='process'][property.name='hrtime']", message: 'No wall clock.' },
  { selector: "MemberExpression[object.name='globalThis'][property.name=/^(Date|performance|setTimeout|setInterval|setImmediate)$/]", message: 'No wall clock.' },
];

const forbiddenModules = ['timers', 'node:timers', 'timers/promises', 'node:timers/promises', 'perf_hooks', 'node:perf_hooks'].map((name) => ({
  name,
  message: 'No wall-clock timers in src/core or src/sim: use the injected Clock.',
}));

export default tseslint.config(
  { ignores: ['node_modules/**', '.stryker-tmp/**', 'reports/**', 'dist/**', 'out/**', 'bench/results/**', 'coverage/**', 'tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/sim/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', ...forbiddenTime],
      'no-restricted-syntax': ['error', ...forbiddenSyntax],
      'no-restricted-imports': [
        'error',
        { paths: forbiddenModules, patterns: [{ group: ['**/live/**', '**/live'], message: 'src/sim must not import src/live (the wall clock).' }] },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: forbiddenModules,
          patterns: [{ group: ['**/sim/**', '**/sim', '**/cli/**', '**/live/**', '**/live'], message: 'src/core must not know about the simulator, shadow mode or the CLI.' }],
        },
      ],
    },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.js', 'stryker/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
