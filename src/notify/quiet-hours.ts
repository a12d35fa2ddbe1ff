import { civilTimeAt } from '../util/zoned-time.js';

export interface QuietHours {
  /** "HH:MM" wall-clock times; a window may wrap midnight (23:00 to 08:00). */
  from: string;
  to: string;
  timezone: string;
}

const MINUTES_PER_DAY = 1440;

/**
 * When the quiet window that contains `now` ends (epoch ms), or null when `now` is outside it. Computed in minutes of
 * the wall clock, so a DST jump inside the window can shift the end by its size (zones such as Asia/Shanghai have none).
 */
export function quietUntil(quiet: QuietHours, now: number): number | null {
  const start = minutesOf(quiet.from);
  const end = minutesOf(quiet.to);
  const clock = civilTimeAt(Math.floor(now / 1000), quiet.timezone);
  const minute = clock.hour * 60 + clock.minute;
  const inside = start <= end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return null;
  const minutesLeft = (end - minute + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  const msIntoMinute = clock.second * 1000 + (now % 1000);
  return now + minutesLeft * 60_000 - msIntoMinute;
}

function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}
