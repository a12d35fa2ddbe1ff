import { expect, it } from 'vitest';
import { recordOutcome } from './outcome.js';
import { apiResponseFuzz } from './scenarios/api-response-fuzz.js';

// Issue 13: API response fuzzing: a typed error, no crash, no state change, bounded memory.
it('api-response-fuzz: every odd answer, two polls each, 50 MB bodies', async () => {
  const outcome = await apiResponseFuzz({ repeats: 2, hugeBytes: 50 * 1024 * 1024, timeoutMs: 1_000 });
  recordOutcome(outcome);
  expect(outcome.failures).toEqual([]);
});
