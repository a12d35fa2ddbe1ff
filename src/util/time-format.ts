import { civilTimeAt } from './zoned-time.js';

/** `2026-11-24 21:50:07` in the given IANA timezone: what a user compares with the clock on the wall. */
export function formatLocalTime(epochMs: number, timezone: string): string {
  const t = civilTimeAt(Math.floor(epochMs / 1000), timezone);
  const two = (value: number) => String(value).padStart(2, '0');
  return `${t.year}-${two(t.month)}-${two(t.day)} ${two(t.hour)}:${two(t.minute)}:${two(t.second)}`;
}
