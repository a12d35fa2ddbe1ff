import { describe, expect, it } from 'vitest';
import { RATE_LIMIT_PENALTY_MS, backoffDelayMs, isRateLimited, isRetryable, retryDelayMs } from '../../src/compshare/retry.js';
import {
  ClientClosedError,
  HttpStatusError,
  MalformedResponseError,
  NetworkError,
  RetCodeError,
  TimeoutError,
  type CompshareError,
} from '../../src/compshare/errors.js';

const check = 'CheckCompShareResourceCapacity';

describe('isRetryable', () => {
  const table: Array<[string, CompshareError, boolean]> = [
    ['gateway timeout 110', new RetCodeError(check, 110, '', 'u'), true],
    ['gateway error 130', new RetCodeError(check, 130, '', 'u'), true],
    ['service unavailable 150', new RetCodeError(check, 150, '', 'u'), true],
    ['rate limited 153', new RetCodeError(check, 153, '', 'u'), true],
    ['signature error 171', new RetCodeError(check, 171, '', 'u'), false],
    ['bad param 230', new RetCodeError(check, 230, '', 'u'), false],
    ['resources not enough 226604', new RetCodeError(check, 226604, '', 'u'), false],
    ['arrears 226601', new RetCodeError(check, 226601, '', 'u'), false],
    ['HTTP 429', new HttpStatusError(check, 429, undefined), true],
    ['HTTP 500', new HttpStatusError(check, 500, undefined), true],
    ['HTTP 502', new HttpStatusError(check, 502, undefined), true],
    ['HTTP 503', new HttpStatusError(check, 503, undefined), true],
    ['HTTP 504', new HttpStatusError(check, 504, undefined), true],
    ['HTTP 400', new HttpStatusError(check, 400, undefined), false],
    ['HTTP 403', new HttpStatusError(check, 403, undefined), false],
    ['HTTP 302 (a redirect is not followed)', new HttpStatusError(check, 302, undefined), false],
    ['connection refused', new NetworkError(check, 'ECONNREFUSED'), true],
    ['timeout', new TimeoutError(check, 1000), true],
    ['malformed body', new MalformedResponseError(check, 'not JSON', 'u'), false],
    ['client closed', new ClientClosedError(check), false],
  ];
  it.each(table)('%s -> %s', (_label, error, expected) => {
    expect(isRetryable(check, error)).toBe(expected);
  });

  it('never retries a Create action, even on a transient error', () => {
    for (const [, error] of table) expect(isRetryable('CreateCompShareInstance', error)).toBe(false);
  });
});

describe('isRateLimited', () => {
  it.each([
    ['RetCode 153', new RetCodeError(check, 153, '', 'u'), true],
    ['HTTP 429', new HttpStatusError(check, 429, undefined), true],
    ['RetCode 150', new RetCodeError(check, 150, '', 'u'), false],
    ['HTTP 503', new HttpStatusError(check, 503, undefined), false],
    ['timeout', new TimeoutError(check, 1000), false],
  ] as const)('%s -> %s', (_label, error, expected) => {
    expect(isRateLimited(error)).toBe(expected);
  });
});

describe('retryDelayMs', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 10_000 };
  it('waits at least the rate-limit penalty after a rate-limit answer', () => {
    expect(retryDelayMs(policy, 0, new RetCodeError(check, 153, '', 'u'), () => 0)).toBe(RATE_LIMIT_PENALTY_MS);
    expect(retryDelayMs(policy, 0, new HttpStatusError(check, 429, undefined), () => 0.5)).toBe(RATE_LIMIT_PENALTY_MS);
    expect(retryDelayMs(policy, 6, new HttpStatusError(check, 429, undefined), () => 0.5)).toBe(3200);
  });

  it('is the plain backoff after any other transient error', () => {
    expect(retryDelayMs(policy, 0, new HttpStatusError(check, 503, undefined), () => 0.5)).toBe(50);
  });
});

describe('errors', () => {
  it('name the request of a timeout or network error when the headers had arrived', () => {
    expect(new TimeoutError(check, 1000, 'req-1').message).toBe(`${check} failed: no answer within 1000 ms (request req-1)`);
    expect(new NetworkError(check, 'ECONNRESET', 'req-2').requestUuid).toBe('req-2');
  });
});

describe('backoffDelayMs', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  it('grows exponentially under full jitter and is capped', () => {
    expect(backoffDelayMs(policy, 0, () => 0.999)).toBe(99);
    expect(backoffDelayMs(policy, 2, () => 0.999)).toBe(399);
    expect(backoffDelayMs(policy, 10, () => 0.999)).toBe(999);
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(0);
  });
});
