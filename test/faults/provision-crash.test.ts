import { expect, it } from 'vitest';
import { recordOutcome } from './outcome.js';
import { provisionCrash } from './scenarios/provision-crash.js';

it('provision-crash (subset): 3 grabs killed with kill -9 and restarted leave 0 duplicate instances', async () => {
  const outcome = await provisionCrash({ runs: 3, lanes: 3 });
  recordOutcome(outcome);
  expect(outcome.failures).toEqual([]);
}, 60_000);
