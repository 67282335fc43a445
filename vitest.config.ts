import { resolve as resolvePath } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The Flex plugin's tsconfig maps `react` to React 17's *types* for tsc, which vite must not follow
// at run time: its tests resolve the workspace packages' sources by alias instead of tsconfig paths.
const workspaceSources = {
  tsconfigPaths: false,
  alias: [
    { find: /^@pause-recording\/core$/, replacement: resolvePath('packages/core/src/index.ts') },
    { find: /^@pause-recording\/core\/audio-format$/, replacement: resolvePath('packages/core/src/audio-format.ts') },
    { find: /^@pause-recording\/voice-engine$/, replacement: resolvePath('packages/voice-engine/src/index.ts') },
    { find: /^@pause-recording\/voice-engine\/audio$/, replacement: resolvePath('packages/voice-engine/src/audio/index.ts') },
    { find: /^@pause-recording\/server$/, replacement: resolvePath('packages/server/src/index.ts') },
    { find: /^@pause-recording\/server\/test-support$/, replacement: resolvePath('packages/server/test/support/system.ts') },
    { find: /^@pause-recording\/functions\/test-support$/, replacement: resolvePath('packages/functions/test/support/functions.ts') },
  ],
};

export default defineConfig({
  // Workspace packages export compiled dist/ to plain node; tests run their sources (tsconfig.base.json's paths).
  resolve: { tsconfigPaths: true },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Engine tests run real clocks and child processes: keep them from starving each other on 2 cores.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['packages/agent-desktop/**', 'packages/flex-plugin/**', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        plugins: [react()],
        test: {
          // The desktop's components run in a DOM; everything else stays in plain Node.
          name: 'agent-desktop',
          environment: 'jsdom',
          root: 'packages/agent-desktop',
          include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
          setupFiles: ['test/setup.ts'],
        },
      },
      {
        extends: true,
        resolve: workspaceSources,
        test: {
          // The Flex plugin's backends against the real server and engine (Node, real HTTP).
          name: 'flex-plugin-backends',
          environment: 'node',
          root: 'packages/flex-plugin',
          include: ['src/**/*.contract.test.ts', 'src/**/*.node.test.ts'],
        },
      },
      {
        extends: true,
        resolve: workspaceSources,
        test: {
          // The Flex plugin inside the real @twilio/flex-ui (React 17) in jsdom, network blocked.
          name: 'flex-plugin',
          environment: 'jsdom',
          root: 'packages/flex-plugin',
          include: ['src/**/*.test.{ts,tsx}'],
          exclude: ['src/**/*.contract.test.ts', 'src/**/*.node.test.ts', '**/node_modules/**'],
          setupFiles: ['test/support/setup-flex.ts'],
        },
      },
    ],
  },
});
