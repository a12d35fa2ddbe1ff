import { civilTimeAt } from './zoned-time.js';

/** What a time prints as when it is not one Date can show (NaN, Infinity, beyond ±8.64e15 ms). */
export const INVALID_TIME_TEXT = 'invalid time';

/** Date's own limit: 100,000,000 days either side of 1970. */
const MAX_DATE_MS = 8.64e15;

/**
 * `2026-11-24 21:50:07` in the given IANA timezone: what a user compares with the clock on the wall. A value no
 * clock can show prints as `invalid time` instead of throwing, so one bad timestamp cannot stop a whole listing.
 */
export function formatLocalTime(epochMs: number, timezone: string): string {
  if (!Number.isFinite(epochMs) || Math.abs(epochMs) > MAX_DATE_MS) return INVALID_TIME_TEXT;
  const t = civilTimeAt(Math.floor(epochMs / 1000), timezone);
  const two = (value: number) => String(value).padStart(2, '0');
  return `${t.year}-${two(t.month)}-${two(t.day)} ${two(t.hour)}:${two(t.minute)}:${two(t.second)}`;
}
