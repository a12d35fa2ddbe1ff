import { expect, it } from 'vitest';
import { recordOutcome } from './outcome.js';
import { pollFaultMix } from './scenarios/poll-fault-mix.js';

// The small subset of `npm run faults`' poll-fault-mix: 150 polls, a 153 storm every 2 s.
it('poll-fault-mix (subset): 150 polls through mixed faults, no false transition, no crash, no stall', async () => {
  const outcome = await pollFaultMix({ polls: 150, watches: 30, stormEveryMs: 2_000, stormMs: 1_000, windowMs: 10_000 });
  recordOutcome(outcome);
  expect(outcome.failures).toEqual([]);
}, 60_000);
