import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

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
    // The agent desktop runs in the browser (and its tests in jsdom).
    files: ['packages/agent-desktop/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The Flex plugin runs inside Flex in the browser (and its tests in jsdom).
    files: ['packages/flex-plugin/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
