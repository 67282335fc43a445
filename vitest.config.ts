import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Engine tests run real clocks and child processes: keep them from starving each other on 2 cores.
    maxWorkers: 2,
  },
});
