import { expect, it } from 'vitest';
import { recordOutcome } from './outcome.js';
import { pollFaultMix } from './scenarios/poll-fault-mix.js';

// Issue 13: 10,000 polls with a mix of injected faults: 0 false transitions, 0 crashes, polling never stops.
it('poll-fault-mix: 10,000 polls through 5xx, hangs, malformed bodies, RetCode storms and latency', async () => {
  const outcome = await pollFaultMix({ polls: 10_000, watches: 200, stormEveryMs: 10_000, stormMs: 2_000, windowMs: 10_000 });
  recordOutcome(outcome);
  expect(outcome.failures).toEqual([]);
});
