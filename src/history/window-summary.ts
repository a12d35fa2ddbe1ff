import { MS_PER_HOUR } from '../store/polls.js';
import type { ClosedWindow } from '../store/recent-windows.js';
import type { HourCounter } from '../store/stats.js';
import { medianOfSorted, quantileOfSorted, sortedCopy } from './windows.js';

/** What an available alert tells about its key's last `days` days: how long it stays free, and when. */
export interface RecentHistory {
  days: number;
  /** Available windows that ended in the period; 0 means this is the first one seen in it. */
  windows: number;
  /** Median and nearest-rank p90 of those windows' lengths (ms); null when there were none. */
  medianWindowMs: number | null;
  p90WindowMs: number | null;
  /** On how many of the `days` days before it was free at this hour of day at least once. */
  freeAtThisHourDays: number;
  /** On how many of them it was polled at this hour at all: the days the count above is out of. */
  observedAtThisHourDays: number;
}

/**
 * The recent history of a key as of `at`: its windows that ended in the `days` days before (a window still open
 * is not counted: its length is not known yet), and its hourly counters at the epoch hours `hour(at) - 24k`,
 * k = 1..days (rows at other hours are ignored).
 */
export function recentHistory(
  windows: readonly ClosedWindow[],
  sameHourRows: readonly HourCounter[],
  at: number,
  days: number,
): RecentHistory {
  const since = at - days * 24 * MS_PER_HOUR;
  // A window that ends before it began was recorded across a wall clock stepping back: it has no length to give.
  const lengths = windows
    .filter((window) => window.end >= since && window.end <= at && window.end >= window.start)
    .map((window) => window.end - window.start);
  // One sort for both figures: a key that flaps all week has thousands of windows, and this runs on every flip.
  const sorted = sortedCopy(lengths);
  const hour = Math.floor(at / MS_PER_HOUR);
  const daysBefore = new Set(Array.from({ length: days }, (_, index) => hour - 24 * (index + 1)));
  const observed = sameHourRows.filter((row) => daysBefore.has(row.hour) && row.polls > 0);
  return {
    days,
    windows: lengths.length,
    medianWindowMs: sorted.length === 0 ? null : medianOfSorted(sorted),
    p90WindowMs: sorted.length === 0 ? null : quantileOfSorted(sorted, 0.9),
    freeAtThisHourDays: observed.filter((row) => row.available > 0).length,
    observedAtThisHourDays: observed.length,
  };
}
