import { defineConfig } from 'vitest/config';

// Tests that disturb shared services (restarting PostgreSQL): run alone, after the main suite.
export default defineConfig({
  test: {
    include: ['test/**/*.serial.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // Builds the word-vector cache once before the forks start (it takes ~25 s the first time).
    globalSetup: ['test/setup/word-vectors.ts'],
    fileParallelism: false,
  },
});
