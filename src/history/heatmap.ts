import { MS_PER_HOUR } from '../store/polls.js';
import type { HourCounter } from '../store/stats.js';
import { civilTimeAt, weekdayOf } from '../util/zoned-time.js';

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** Epoch hours remembered per timezone before the memo starts over: a year of hours, a few hundred KB. */
const MAX_MEMO_HOURS = 9_000;
const cellMemo = new Map<string, Map<number, number>>();

/**
 * The grid cell (weekday x 24 + hour of day) an epoch hour falls in. Every key of `stats` and the status page folds
 * the same 720 hours of the period, and an Intl conversion costs microseconds, so each hour is converted once.
 */
export function cellOfHour(epochHour: number, timezone: string): number {
  let memo = cellMemo.get(timezone);
  if (memo === undefined || memo.size >= MAX_MEMO_HOURS) {
    memo = new Map();
    cellMemo.set(timezone, memo);
  }
  let cell = memo.get(epochHour);
  if (cell === undefined) {
    const local = civilTimeAt((epochHour * MS_PER_HOUR) / 1000, timezone);
    cell = weekdayOf(local) * 24 + local.hour;
    memo.set(epochHour, cell);
  }
  return cell;
}

/** availability[weekday][hour] in 0..1, or null where no poll fell into that cell. */
export type Grid = Array<Array<number | null>>;

/** Folds hourly counters into a weekday x hour-of-day grid in the given timezone. */
export function availabilityGrid(hours: readonly HourCounter[], timezone: string): Grid {
  const polls = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  const available = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  for (const counter of hours) {
    const cell = cellOfHour(counter.hour, timezone);
    const weekday = Math.floor(cell / 24);
    const hour = cell % 24;
    polls[weekday]![hour]! += counter.polls;
    available[weekday]![hour]! += counter.available;
  }
  return polls.map((row, day) => row.map((count, hour) => (count ? available[day]![hour]! / count : null)));
}

const SHADES = ['·', '░', '▒', '▓', '█'] as const;

/**
 * Block characters, darker = more often available; `·` means never available, a blank means no data.
 * Colour (green to red) only when asked, i.e. on a terminal without NO_COLOR.
 */
export function renderGrid(grid: Grid, colour: boolean): string {
  const header = `     ${Array.from({ length: 24 }, (_, hour) => (hour % 3 === 0 ? String(hour).padEnd(3) : '')).join('')}`;
  const rows = grid.map((row, day) => `${WEEKDAYS[day]}  ${row.map((value) => cell(value, colour)).join('')}`);
  return [header.trimEnd(), ...rows].join('\n');
}

function cell(value: number | null, colour: boolean): string {
  if (value === null) return ' ';
  const shade = value === 0 ? SHADES[0] : SHADES[Math.min(4, 1 + Math.floor(value * 4))]!;
  if (!colour) return shade;
  const code = value >= 0.5 ? 32 : value > 0 ? 33 : 31;
  return `\u001b[${code}m${shade}\u001b[0m`;
}
