import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
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
          include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
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
          include: ['src/**/*.test.{ts,tsx}'],
          setupFiles: ['src/test-setup.ts'],
        },
      },
      {
        extends: true,
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
        test: {
          // The Flex plugin inside the real @twilio/flex-ui (React 17) in jsdom, network blocked.
          name: 'flex-plugin',
          environment: 'jsdom',
          root: 'packages/flex-plugin',
          include: ['src/**/*.test.{ts,tsx}'],
          exclude: ['src/**/*.contract.test.ts', 'src/**/*.node.test.ts', '**/node_modules/**'],
          setupFiles: ['src/test-support/setup-flex.ts'],
        },
      },
    ],
  },
});
