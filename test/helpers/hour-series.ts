import { foldWeek, type WeekCells } from '../../src/history/week-cells.js';
import type { HourCounter } from '../../src/store/stats.js';
import type { HourSeries } from '../../src/store/weekly-rollup.js';

/** The series of hourly counters given as rows (any order, gaps allowed), as the store's reader returns them. */
export function seriesOf(counters: readonly HourCounter[]): HourSeries {
  if (counters.length === 0) return { firstHour: 0, polls: new Uint32Array(0), available: new Uint32Array(0) };
  const firstHour = Math.min(...counters.map((counter) => counter.hour));
  const length = Math.max(...counters.map((counter) => counter.hour)) - firstHour + 1;
  const series = { firstHour, polls: new Uint32Array(length), available: new Uint32Array(length) };
  for (const { hour, polls, available } of counters) {
    series.polls[hour - firstHour] = polls;
    series.available[hour - firstHour] = available;
  }
  return series;
}

/** Hourly counters folded onto the week of `timezone`, as stats and the status page fold them. */
export function weekOf(counters: readonly HourCounter[], timezone: string): WeekCells {
  return foldWeek(seriesOf(counters), timezone);
}
