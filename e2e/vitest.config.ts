import { defineConfig } from 'vitest/config';

// Browser tests: run by `npm run test:e2e` after a build, one file at a time (one Chromium, one server).
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ['**/*.e2e.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
