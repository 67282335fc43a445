import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/** The workspace packages: none may import another's sources (`src/`) instead of its exports. */
const PACKAGES = ['core', 'voice-engine', 'server', 'agent-desktop'];
const crossPackageSources = {
  group: PACKAGES.flatMap((p) => [`**/${p}/src`, `**/${p}/src/**`, `@pause-recording/${p}/src`, `@pause-recording/${p}/src/**`]),
  message:
    "Import another package through its exports ('@pause-recording/<name>' or a listed subpath like '@pause-recording/voice-engine/audio'), never its src/ files.",
};
/** Test code (harnesses, fixtures, setup) lives in each package's test/ folder: tests may import it, shipped code never. */
const testTree = {
  regex: '(^|/)test(/|$)',
  message: 'Shipped code never imports the test tree (test/): only tests (x.test.ts, test/**) may.',
};
/** Every package's shipped code: its src/ minus the unit tests beside it. */
const SHIPPED = ['packages/*/src/**/*.{ts,tsx}'];
const TESTS = ['**/*.test.{ts,tsx}'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/data/**', '**/coverage/**', 'test-results/**', 'playwright-report/**', 'packages/flex-plugin/build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  {
    // Type-aware rules: a promise nobody awaits or handles is a failure nobody sees.
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './packages/agent-desktop/tsconfig.json', './packages/flex-plugin/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    // Import boundaries between the packages (the README's "which way they depend").
    files: ['packages/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', { patterns: [crossPackageSources] }] },
  },
  {
    files: SHIPPED,
    ignores: TESTS,
    rules: { 'no-restricted-imports': ['error', { patterns: [crossPackageSources, testTree] }] },
  },
  {
    // The agent desktop runs in the browser (and its tests in jsdom).
    files: ['packages/agent-desktop/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    // The desktop's shipped code is browser code: nothing from Node, nothing from the server side.
    files: ['packages/agent-desktop/src/**/*.{ts,tsx}'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            crossPackageSources,
            testTree,
            { regex: '^node:', message: 'The agent desktop runs in the browser: no Node built-ins.' },
            {
              group: ['@pause-recording/server', '@pause-recording/server/**', '@pause-recording/voice-engine', '@pause-recording/voice-engine/**'],
              message: 'The agent desktop talks to the server over HTTP; it imports only @pause-recording/core.',
            },
          ],
          paths: ['fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'url', 'util', 'stream', 'events', 'buffer', 'process'].map(
            (name) => ({
              name,
              message: 'The agent desktop runs in the browser: no Node built-ins.',
            }),
          ),
        },
      ],
    },
  },
  {
    // The Flex plugin runs inside Flex in the browser (and its tests in jsdom).
    files: ['packages/flex-plugin/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
