import { describe, expect, it } from 'vitest';
import { availabilityGrid, renderGrid } from '../../src/history/heatmap.js';
import { median, windowStats } from '../../src/history/windows.js';
import { formatLocalTime } from '../../src/util/time-format.js';
import { formatDuration, parseDuration } from '../../src/util/duration.js';
import { weekOf } from '../helpers/hour-series.js';
import { cellsOfHours } from '../../src/history/week-cells.js';
import { civilTimeAt, weekdayOf } from '../../src/util/zoned-time.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

describe('windowStats', () => {
  const since = 1_000 * HOUR;
  const now = since + 24 * HOUR;
  it('counts available windows clipped to the period, and how long cards took to come back', () => {
    const transitions = [
      { to: 'available' as const, at: since - 2 * HOUR }, // already available when the period starts
      { to: 'soldout' as const, at: since + HOUR },
      { to: 'available' as const, at: since + 3 * HOUR },
      { to: 'soldout' as const, at: since + 3 * HOUR + 30 * MINUTE },
      { to: 'available' as const, at: since + 10 * HOUR }, // still open at `now`
    ];
    expect(windowStats(transitions, since, now)).toEqual({
      windows: 3,
      medianWindowMs: HOUR,
      longestWindowMs: 14 * HOUR,
      medianTimeToReturnMs: (2 * HOUR + 6.5 * HOUR) / 2,
    });
  });

  it('has no windows for a key that stayed sold out', () => {
    expect(windowStats([{ to: 'soldout', at: since - HOUR }], since, now)).toEqual({
      windows: 0,
      medianWindowMs: null,
      longestWindowMs: null,
      medianTimeToReturnMs: null,
    });
  });

  it('takes the middle of an odd list and the mean of the two middles of an even one', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

describe('availabilityGrid', () => {
  it('places hourly counters by weekday and hour of the given timezone', () => {
    // 2026-11-23 is a Monday; 16:00 UTC is 00:00 Tuesday in Shanghai.
    const hour = Date.parse('2026-11-23T16:00:00Z') / HOUR;
    const grid = availabilityGrid(weekOf([{ hour, polls: 4, available: 3 }], 'Asia/Shanghai'));
    expect(grid[1]![0]).toBe(0.75);
    expect(grid.flat().filter((cell) => cell !== null)).toHaveLength(1);
    expect(availabilityGrid(weekOf([{ hour, polls: 4, available: 3 }], 'UTC'))[0]![16]).toBe(0.75);
  });

  it('places every hour in its cell across a DST change, however the hours known so far were asked for', () => {
    const BERLIN = 'Europe/Berlin';
    // 2026-03-29 02:00 CET becomes 03:00 CEST: the Sunday has 23 hours.
    const first = Date.parse('2026-03-27T00:00:00Z') / HOUR;
    const direct = (hour: number) => {
      const local = civilTimeAt((hour * HOUR) / 1000, BERLIN);
      return weekdayOf(local) * 24 + local.hour;
    };
    // Asked for in pieces after, before and inside what is known, as the forecast and each key's fold ask.
    for (const [from, count] of [[first + 40, 10], [first + 60, 50], [first, 30], [first + 20, 100]] as const) {
      const span = cellsOfHours(from, count, BERLIN);
      const cells = Array.from({ length: count }, (_, index) => span.cells[from + index - span.firstHour]);
      expect(cells).toEqual(Array.from({ length: count }, (_, index) => direct(from + index)));
    }
    // Saturday 23:00 UTC is Sunday 00:00 CET; Sunday 01:00 UTC is already 03:00 CEST.
    const cellOf = (iso: string) => {
      const hour = Date.parse(iso) / HOUR;
      const span = cellsOfHours(hour, 1, BERLIN);
      return span.cells[hour - span.firstHour];
    };
    expect(cellOf('2026-03-28T23:00:00Z')).toBe(6 * 24);
    expect(cellOf('2026-03-29T01:00:00Z')).toBe(6 * 24 + 3);
  });

  it('renders darker blocks for more availability, a dot for never and a blank for no data', () => {
    const grid = Array.from({ length: 7 }, () => new Array<number | null>(24).fill(null));
    grid[0]!.splice(0, 5, 1, 0.6, 0.3, 0.1, 0);
    const lines = renderGrid(grid, false).split('\n');
    expect(lines[1]).toBe(`Mon  █▓▒░·${' '.repeat(19)}`);
    expect(renderGrid(grid, true)).toContain('\u001b[32m█');
  });
});

describe('time and duration formatting', () => {
  it('shows wall-clock time in the zone', () => {
    expect(formatLocalTime(Date.parse('2026-11-24T21:50:07Z'), 'Asia/Shanghai')).toBe('2026-11-25 05:50:07');
  });
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['7d', 604_800_000],
    ['250ms', 250],
    ['soon', null],
    ['5', null],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  it.each([
    [45_000, '45s'],
    [12 * MINUTE, '12m'],
    [3 * HOUR + 5 * MINUTE, '3h 5m'],
    [52 * HOUR, '2d 4h'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
