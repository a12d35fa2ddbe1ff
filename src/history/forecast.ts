import { MS_PER_HOUR } from '../store/polls.js';
import { civilTimeAt, weekdayOf } from '../util/zoned-time.js';
import { WEEKDAYS } from './heatmap.js';
import { cellsOfHours, type WeekCells } from './week-cells.js';

/** The horizons, in hours, that `stats` and the status page give a chance for. */
export const FORECAST_HORIZONS = [1, 6, 24] as const;
/** How far ahead the most likely next window is looked for: one week, so every weekday x hour cell comes once. */
export const NEXT_WINDOW_HOURS = 168;

/** The chance that a key becomes available within the next `hours` hours. */
export interface Chance {
  hours: number;
  /** 0..1. */
  chance: number;
  /** How many of those hours fall in a weekday x hour cell the history observed (fractional where now cuts an hour). */
  hoursWithData: number;
}

/** The upcoming hour in which the key most likely becomes free first. */
export interface NextWindow {
  /** Epoch ms of the start of that hour. */
  at: number;
  /** 0..1: the share of that hour's past occurrences in which the key was free at some point. */
  chance: number;
}

/** What the history says about when a key comes back; the model assumes hours independent of each other. */
export interface Forecast {
  /** Hours of the history with at least one poll: 0 means there was nothing to forecast from. */
  observedHours: number;
  /** Whether the key was free in any observed hour. */
  everAvailable: boolean;
  /** One per FORECAST_HORIZONS, in that order. */
  within: Chance[];
  /** Null when no upcoming hour was ever free. */
  next: NextWindow | null;
}

interface HourAhead {
  start: number;
  /** Its weekday x hour cell, an index into the week's counters. */
  cell: number;
}

/**
 * A forecaster for one instant and timezone: the upcoming hours are placed on the weekday x hour grid once, then
 * each key's week (its hours folded onto that grid, week-cells.ts) is read against them.
 *
 * Per cell, q = the share of its observed occurrences (hours with polls) in which the key was free at some point.
 * The chance within N hours is 1 - PRODUCT over the hours overlapping [now, now + N h) of (1 - q x overlap), which
 * treats hours as independent (a key that was free at 03:00 is not taken to be more likely free at 04:00) and spreads
 * q evenly over an hour that now cuts. A cell without observations counts as never free; `hoursWithData` says how
 * many hours had any. The current state is not an input: the numbers say what the history alone expects.
 */
export function forecaster(timezone: string, now: number): (week: WeekCells) => Forecast {
  const firstHour = Math.floor(now / MS_PER_HOUR);
  const count = Math.ceil(now / MS_PER_HOUR) + NEXT_WINDOW_HOURS - firstHour;
  const span = cellsOfHours(firstHour, count, timezone);
  const ahead = Array.from({ length: count }, (_, index): HourAhead => ({
    start: (firstHour + index) * MS_PER_HOUR,
    cell: span.cells[firstHour + index - span.firstHour]!,
  }));
  const upcoming = ahead.filter((hour) => hour.start >= now);
  return (week) => {
    const shareOf = (hour: HourAhead): number | null => {
      const observed = week.observedHours[hour.cell]!;
      return observed ? week.freeHours[hour.cell]! / observed : null;
    };
    return {
      observedHours: week.totals.observedHours,
      everAvailable: week.totals.freeHours > 0,
      within: FORECAST_HORIZONS.map((horizon) => chanceWithin(ahead, shareOf, now, horizon)),
      next: mostLikelyNext(upcoming, shareOf),
    };
  };
}

function chanceWithin(ahead: readonly HourAhead[], shareOf: (hour: HourAhead) => number | null, now: number, hours: number): Chance {
  const end = now + hours * MS_PER_HOUR;
  let neverFree = 1;
  let hoursWithData = 0;
  for (const hour of ahead) {
    if (hour.start >= end) break;
    const overlap = (Math.min(end, hour.start + MS_PER_HOUR) - Math.max(now, hour.start)) / MS_PER_HOUR;
    const share = shareOf(hour);
    if (overlap <= 0 || share === null) continue;
    hoursWithData += overlap;
    neverFree *= 1 - share * overlap;
  }
  return { hours, chance: 1 - neverFree, hoursWithData };
}

/**
 * The upcoming hour in which the key most likely becomes free first: the highest q x (chance it was not free in any
 * hour before), the earliest of equals. Taking the highest q alone would name Wednesday's certain 03:00 over
 * Tuesday's 80 % one and let the user sleep through the likelier first chance.
 */
function mostLikelyNext(upcoming: readonly HourAhead[], shareOf: (hour: HourAhead) => number | null): NextWindow | null {
  let best: NextWindow | null = null;
  let bestFirst = 0;
  let notYet = 1;
  for (const hour of upcoming) {
    const share = shareOf(hour) ?? 0;
    if (share * notYet > bestFirst) {
      best = { at: hour.start, chance: share };
      bestFirst = share * notYet;
    }
    notYet *= 1 - share;
    if (notYet === 0) break;
  }
  return best;
}

/** A chance in percent as text that never rounds to certainty or to impossibility it is not: `<1%`, `37%`, `>99%`. */
export function formatChance(percent: number): string {
  const rounded = Math.round(percent);
  if (percent > 0 && rounded === 0) return '<1%';
  if (percent < 100 && rounded === 100) return '>99%';
  return `${rounded}%`;
}

/** `Tue 03:00` in the timezone, with the caller's weekday names (Monday first). */
export function formatWeekdayTime(epochMs: number, timezone: string, weekdays: readonly string[] = WEEKDAYS): string {
  const local = civilTimeAt(Math.floor(epochMs / 1000), timezone);
  return `${weekdays[weekdayOf(local)]} ${String(local.hour).padStart(2, '0')}:${String(local.minute).padStart(2, '0')}`;
}
