import { expect, it } from 'vitest';
import { recordOutcome } from './outcome.js';
import { secrets } from './scenarios/secrets.js';

it('secrets: no key, password, token or secret in any log line, state file, delivered message, CLI output or HTTP answer', async () => {
  const outcome = await secrets({ flips: 6, waitMs: 30_000 });
  recordOutcome(outcome);
  expect(outcome.failures).toEqual([]);
}, 300_000);
