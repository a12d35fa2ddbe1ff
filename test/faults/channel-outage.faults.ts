import { expect, it } from 'vitest';
import { recordOutcome } from './outcome.js';
import { channelOutage } from './scenarios/channel-outage.js';

// Each outage outlasts three attempts (at 0, 5 and 15 s of the backoff); the fourth, at 35 s, finds the channel back.
it('channel-outage: channels refusing, answering 500 and hanging for a while, then back: nothing lost, duplicated or reordered', async () => {
  const outcome = await channelOutage({ outages: 2, outageMs: 20_000, flipEveryMs: 1_200, upMs: 3_000, drainTimeoutMs: 40_000 });
  recordOutcome(outcome);
  expect(outcome.failures).toEqual([]);
}, 300_000);
