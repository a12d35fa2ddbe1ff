import { MS_PER_HOUR } from '../store/polls.js';
import type { HourSeries } from '../store/weekly-rollup.js';
import { civilTimeAt, weekdayOf } from '../util/zoned-time.js';

/** Weekday (Monday first) x hour of day. */
export const WEEK_CELLS = 7 * 24;

/** Hours remembered per timezone: ten years of history, 88 KB; a wider span is converted each time, not kept. */
const MAX_KNOWN_HOURS = 10 * 366 * 24;

/** A run of consecutive epoch hours and the cell each falls in: cells[i] is that of hour firstHour + i. */
interface KnownCells {
  firstHour: number;
  cells: Uint8Array;
}

const known = new Map<string, KnownCells>();

/**
 * The cells (weekday x 24 + hour, in `timezone`) of the epoch hours [firstHour, firstHour + count). An Intl
 * conversion costs microseconds and `stats` folds the same 720 hours for every key, so each hour is converted
 * once per process and the fold's inner loop reads a flat array.
 */
export function cellsOfHours(firstHour: number, count: number, timezone: string): KnownCells {
  const cached = known.get(timezone);
  if (cached && firstHour >= cached.firstHour && firstHour + count <= cached.firstHour + cached.cells.length) return cached;
  const start = cached ? Math.min(firstHour, cached.firstHour) : firstHour;
  const end = cached ? Math.max(firstHour + count, cached.firstHour + cached.cells.length) : firstHour + count;
  const keep = end - start <= MAX_KNOWN_HOURS;
  const span = keep ? { firstHour: start, cells: new Uint8Array(end - start) } : { firstHour, cells: new Uint8Array(count) };
  const spanEnd = span.firstHour + span.cells.length;
  if (cached && keep) {
    span.cells.set(cached.cells, cached.firstHour - span.firstHour);
    convertHours(span, span.firstHour, cached.firstHour, timezone);
    convertHours(span, cached.firstHour + cached.cells.length, spanEnd, timezone);
  } else {
    convertHours(span, span.firstHour, spanEnd, timezone);
  }
  if (keep) known.set(timezone, span);
  return span;
}

/**
 * Fills the cells of hours [from, to) a day at a time: where a day's last hour is as many cells on from its first
 * as hours, the offset did not change in between (no timezone changes its offset and back within a day) and the
 * hours between are counted on; only a day with a change is converted hour by hour.
 */
function convertHours(span: KnownCells, from: number, to: number, timezone: string): void {
  for (let dayStart = from; dayStart < to; dayStart += 24) {
    const last = Math.min(to, dayStart + 24) - 1;
    const first = convert(dayStart, timezone);
    const steady = (first + last - dayStart) % WEEK_CELLS === convert(last, timezone);
    for (let hour = dayStart; hour <= last; hour++) {
      span.cells[hour - span.firstHour] = steady ? (first + hour - dayStart) % WEEK_CELLS : convert(hour, timezone);
    }
  }
}

function convert(epochHour: number, timezone: string): number {
  const local = civilTimeAt((epochHour * MS_PER_HOUR) / 1000, timezone);
  return weekdayOf(local) * 24 + local.hour;
}

/** A key's hours summed per weekday x hour cell (index weekday * 24 + hour) of a timezone. */
export interface WeekCells {
  polls: Float64Array;
  available: Float64Array;
  /** Hours with at least one poll. */
  observedHours: Float64Array;
  /** Of those, the hours with at least one poll that found it available. */
  freeHours: Float64Array;
  /** Each counter summed over the whole week. */
  totals: { polls: number; available: number; observedHours: number; freeHours: number };
}

/** Folds a key's hourly counters onto the week of `timezone`; hours without polls are no data and add nothing. */
export function foldWeek(series: HourSeries, timezone: string): WeekCells {
  const cells: WeekCells = {
    polls: new Float64Array(WEEK_CELLS),
    available: new Float64Array(WEEK_CELLS),
    observedHours: new Float64Array(WEEK_CELLS),
    freeHours: new Float64Array(WEEK_CELLS),
    totals: { polls: 0, available: 0, observedHours: 0, freeHours: 0 },
  };
  const { totals } = cells;
  const { polls, available } = series;
  const span = cellsOfHours(series.firstHour, polls.length, timezone);
  const offset = series.firstHour - span.firstHour;
  for (let index = 0; index < polls.length; index++) {
    const count = polls[index]!;
    if (count === 0) continue;
    const cell = span.cells[offset + index]!;
    const free = available[index]!;
    cells.polls[cell]! += count;
    cells.available[cell]! += free;
    cells.observedHours[cell]! += 1;
    totals.polls += count;
    totals.available += free;
    totals.observedHours += 1;
    if (free > 0) {
      cells.freeHours[cell]! += 1;
      totals.freeHours += 1;
    }
  }
  return cells;
}
