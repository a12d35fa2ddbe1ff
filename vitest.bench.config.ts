import { defineConfig } from 'vitest/config';

/** `npm run bench`: measurements printed and written to test/bench/results.json; never part of `npm test`. */
export default defineConfig({
  test: {
    include: ['test/bench/**/*.bench.ts'],
    testTimeout: 600_000,
    fileParallelism: false,
  },
});
