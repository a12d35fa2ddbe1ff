import { expect, it } from 'vitest';
import { recordOutcome } from './outcome.js';
import { apiResponseFuzz } from './scenarios/api-response-fuzz.js';

// The small subset of `npm run faults`' api-response-fuzz: one of each family of odd answers, once each.
it('api-response-fuzz (subset): wrong types, non-JSON, an endless body and a slow drip each give a typed error', async () => {
  const outcome = await apiResponseFuzz({
    repeats: 1,
    hugeBytes: 20 * 1024 * 1024,
    timeoutMs: 300,
    cases: ['ResourceEnough "yes"', 'numbers as numeric strings', 'HTML error page, 200', 'endless stream', 'slow drip, a byte every 100 ms'],
  });
  recordOutcome(outcome);
  expect(outcome.failures).toEqual([]);
}, 60_000);
