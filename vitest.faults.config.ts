import { defineConfig } from 'vitest/config';

/**
 * `npm run faults`: every fault scenario at full size (test/faults/*.faults.ts), one PASS/FAIL line each at the end;
 * never part of `npm test`, which runs a small subset of each (test/faults/*.test.ts).
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.faults.ts'],
    globalSetup: ['test/faults/global-setup.ts'],
    testTimeout: 900_000,
    hookTimeout: 60_000,
    // Scenarios spawn daemons and count what they did; two at a time keeps a 2-core machine from timing them out.
    maxWorkers: 2,
  },
});
