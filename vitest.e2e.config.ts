import { defineConfig } from 'vitest/config';

// End-to-end tests: a real `sijill serve` process driven in Debian's Chromium.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
