import { CompshareError, HttpStatusError, RetCodeError } from './errors.js';

/** Platform RetCodes that say "try again later": gateway timeout, gateway error, unavailable, rate limited. */
const TRANSIENT_RETCODES = new Set([110, 130, 150, 153]);
const TRANSIENT_HTTP_STATUSES = new Set([429, 500, 502, 503, 504]);

/**
 * The one place that decides transient vs permanent (compshare-api.md, Decision). Business errors such as
 * 226604 are answers, not hiccups, and creating is never repeated: a lost Create answer is resolved by listing.
 */
export function isRetryable(action: string, error: CompshareError): boolean {
  if (action.startsWith('Create')) return false;
  if (error instanceof RetCodeError) return TRANSIENT_RETCODES.has(error.retCode);
  if (error instanceof HttpStatusError) return TRANSIENT_HTTP_STATUSES.has(error.status);
  return error.kind === 'network' || error.kind === 'timeout';
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
