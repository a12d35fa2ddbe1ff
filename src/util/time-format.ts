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
  return `${t.year}-${two(t.month)}-${two(t.day)} ${two(t.hour)}:${two(t.minute)}:${two(t.second)}`;
}

/** `2026-12-02T03:00:00+08:00`: the local time with its UTC offset, for JSON that scripts parse. */
export function formatLocalIsoTime(epochMs: number, timezone: string): string {
  if (!Number.isFinite(epochMs) || Math.abs(epochMs) > MAX_DATE_MS) return INVALID_TIME_TEXT;
  const seconds = Math.floor(epochMs / 1000);
  const t = civilTimeAt(seconds, timezone);
  const offsetMinutes = Math.round((Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) / 1000 - seconds) / 60);
  const offset = `${offsetMinutes < 0 ? '-' : '+'}${two(Math.floor(Math.abs(offsetMinutes) / 60))}:${two(Math.abs(offsetMinutes) % 60)}`;
  return `${t.year}-${two(t.month)}-${two(t.day)}T${two(t.hour)}:${two(t.minute)}:${two(t.second)}${offset}`;
}

function two(value: number): string {
  return String(value).padStart(2, '0');
}
