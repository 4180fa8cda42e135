import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 1_200_000,
    pool: 'forks',
    // Two cores: the end-to-end tests run real builds, so keep file parallelism low.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
