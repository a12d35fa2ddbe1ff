/**
 * The instants (unix seconds) this program takes for real times: 2000-01-01T00:00:00Z up to, not including,
 * 2100-01-01T00:00:00Z. No instance, API answer or deadline it meets lies outside, and arithmetic on anything inside
 * stays far from the limits of Date, so a value outside is a broken one, never a time to act on.
 */
export const SANE_TIME_RANGE = { from: 946_684_800, to: 4_102_444_800 } as const;

/** How messages name the range. */
export const SANE_TIME_RANGE_TEXT = 'between 2000-01-01 and 2100-01-01';

/** Whether `seconds` is a whole number of unix seconds within SANE_TIME_RANGE. */
export function isSaneTime(seconds: number): boolean {
  return Number.isInteger(seconds) && seconds >= SANE_TIME_RANGE.from && seconds < SANE_TIME_RANGE.to;
}
