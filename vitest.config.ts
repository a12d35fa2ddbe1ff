import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Most files wait on child daemons, schedules and loopback servers rather than the CPU: three at a time on two
    // cores cut the suite's wall time from about 4 min to 2-2.5 without a test racing for CPU it needs.
    maxWorkers: 3,
  },
});
