import { expect, it } from 'vitest';
import { recordOutcome } from './outcome.js';
import { historyCrash } from './scenarios/history-crash.js';

it('history-crash: 50 daemons killed with kill -9 mid-write leave an intact file with every committed transition', async () => {
  const outcome = await historyCrash({ runs: 50, lanes: 2, watches: 8, seed: 13 });
  recordOutcome(outcome);
  expect(outcome.failures).toEqual([]);
});
