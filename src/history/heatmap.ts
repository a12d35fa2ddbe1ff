import { WEEK_CELLS, type WeekCells } from './week-cells.js';

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** availability[weekday][hour] in 0..1, or null where no poll fell into that cell. */
export type Grid = Array<Array<number | null>>;

/** A grid of per-cell shares `part[cell] / whole[cell]`, null where `whole` is 0. */
function shareGrid(part: ArrayLike<number>, whole: ArrayLike<number>): Grid {
  const grid: Grid = [];
  for (let day = 0; day < WEEK_CELLS / 24; day++) {
    const row: Array<number | null> = [];
    for (let cell = day * 24; cell < day * 24 + 24; cell++) row.push(whole[cell] ? part[cell]! / whole[cell]! : null);
    grid.push(row);
  }
  return grid;
}

/** The share of polls that found the key available, per weekday x hour of day. */
export function availabilityGrid(cells: WeekCells): Grid {
  return shareGrid(cells.available, cells.polls);
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
