import { expect, it } from 'vitest';
import { recordOutcome } from './outcome.js';
import { historyCrash } from './scenarios/history-crash.js';

it('history-crash (subset): 3 daemons killed with kill -9 mid-write leave an intact file with every committed transition', async () => {
  const outcome = await historyCrash({ runs: 3, lanes: 1, watches: 8, seed: 7 });
  recordOutcome(outcome);
  expect(outcome.failures).toEqual([]);
}, 60_000);
