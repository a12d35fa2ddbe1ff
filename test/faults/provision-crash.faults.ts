import { expect, it } from 'vitest';
import { recordOutcome } from './outcome.js';
import { provisionCrash } from './scenarios/provision-crash.js';

it('provision-crash: 100 runs killed with kill -9 at random points of a grab leave 0 duplicate instances', async () => {
  const outcome = await provisionCrash({ runs: 100, lanes: 2 });
  recordOutcome(outcome);
  expect(outcome.failures).toEqual([]);
});
