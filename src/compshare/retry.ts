import { ClientClosedError, CompshareError, HttpStatusError, RetCodeError } from './errors.js';

/** The gateway's two ways of saying "too many requests". */
const RATE_LIMITED_RETCODE = 153;
const RATE_LIMITED_HTTP_STATUS = 429;

/** Platform RetCodes that say "try again later": gateway timeout, gateway error, unavailable, rate limited. */
const TRANSIENT_RETCODES = new Set([110, 130, 150, RATE_LIMITED_RETCODE]);
const TRANSIENT_HTTP_STATUSES = new Set([RATE_LIMITED_HTTP_STATUS, 500, 502, 503, 504]);

/**
 * How long a rate-limit answer holds back every caller of the client, and the least a retry of that call waits:
 * the gateway counts requests per second, so the second that refused one is spent and retrying within it would only
 * earn another 153. The lowered rate (AdaptiveRate) applies from the end of the hold.
 */
export const RATE_LIMIT_PENALTY_MS = 1_000;

/**
 * The one place that decides transient vs permanent (compshare-api.md, Decision). Business errors such as
 * 226604 are answers, not hiccups, and creating is never repeated: a lost Create answer is resolved by listing.
 */
export function isRetryable(action: string, error: CompshareError): boolean {
  if (action.startsWith('Create') || error instanceof ClientClosedError) return false;
  if (error instanceof RetCodeError) return TRANSIENT_RETCODES.has(error.retCode);
  if (error instanceof HttpStatusError) return TRANSIENT_HTTP_STATUSES.has(error.status);
  return error.kind === 'network' || error.kind === 'timeout';
}

/** RetCode 153 or HTTP 429: the gateway wants fewer requests from this account, not just another try. */
export function isRateLimited(error: CompshareError): boolean {
  if (error instanceof RetCodeError) return error.retCode === RATE_LIMITED_RETCODE;
  return error instanceof HttpStatusError && error.status === RATE_LIMITED_HTTP_STATUS;
}

export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5_000 };

/** Exponential backoff with full jitter, capped: a crowd of clients does not retry in lockstep. */
export function backoffDelayMs(policy: RetryPolicy, retryNumber: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryNumber);
  return Math.floor(random() * ceiling);
}

/** The wait before retrying after `error`: the backoff, but never less than the rate-limit penalty after one. */
export function retryDelayMs(policy: RetryPolicy, retryNumber: number, error: CompshareError, random: () => number): number {
  const backoff = backoffDelayMs(policy, retryNumber, random);
  return isRateLimited(error) ? Math.max(backoff, RATE_LIMIT_PENALTY_MS) : backoff;
}
