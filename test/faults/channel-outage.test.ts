import { expect, it } from 'vitest';
import { recordOutcome } from './outcome.js';
import { channelOutage } from './scenarios/channel-outage.js';

// The small subset: one short outage (one failed attempt each), delivered by the first retry 5 s later.
it('channel-outage (subset): one short outage of each kind loses, duplicates and reorders nothing', async () => {
  const outcome = await channelOutage({ outages: 1, outageMs: 3_000, flipEveryMs: 1_200, upMs: 1_000, drainTimeoutMs: 15_000 });
  recordOutcome(outcome);
  expect(outcome.failures).toEqual([]);
}, 30_000);
