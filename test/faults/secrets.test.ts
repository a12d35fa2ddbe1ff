import { expect, it } from 'vitest';
import { recordOutcome } from './outcome.js';
import { secrets } from './scenarios/secrets.js';

// The same run with fewer flips: every place is still searched (the provision comes with the first flip).
it('secrets (subset): no secret in any log line, state file, delivered message, CLI output or HTTP answer', async () => {
  const outcome = await secrets({ flips: 2, waitMs: 15_000 });
  recordOutcome(outcome);
  expect(outcome.failures).toEqual([]);
}, 120_000);
