import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.ts'],
    // *.serial.test.ts disturb shared services; vitest.serial.config.ts runs them alone afterwards.
    exclude: ['**/node_modules/**', 'dist/**', 'test/**/*.serial.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Builds the word-vector cache once before the forks start (it takes ~25 s the first time).
    globalSetup: ['test/setup/word-vectors.ts'],
  },
});
