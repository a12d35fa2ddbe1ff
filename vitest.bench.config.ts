import { defineConfig } from 'vitest/config';

/** `npm run bench`: measurements printed as one table at the end and written to test/bench/results.json; never part of `npm test`. */
export default defineConfig({
  test: {
    include: ['test/bench/**/*.bench.ts'],
    globalSetup: ['test/bench/global-setup.ts'],
    testTimeout: 600_000,
    fileParallelism: false,
  },
});
