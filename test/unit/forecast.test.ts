import { describe, expect, it } from 'vitest';
import { forecaster } from '../../src/history/forecast.js';
import type { WeekCells } from '../../src/history/week-cells.js';
import { weekOf } from '../helpers/hour-series.js';
import { civilTimeAt, epochOfCivilTime, weekdayOf } from '../../src/util/zoned-time.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** `days` days of hourly counters up to `now`, 12 polls an hour, some of them available where `free` says so. */
function history(now: number, days: number, timezone: string, free: (local: ReturnType<typeof civilTimeAt>, at: number) => boolean): WeekCells {
  const last = Math.floor(now / HOUR) - 1;
  const hours = Array.from({ length: days * 24 }, (_, index) => {
    const hour = last - days * 24 + 1 + index;
    const at = hour * HOUR;
    return { hour, polls: 12, available: free(civilTimeAt(at / 1000, timezone), at) ? 3 : 0 };
  });
  return weekOf(hours, timezone);
}

const local = (timezone: string, year: number, month: number, day: number, hour: number, minute = 0) =>
  epochOfCivilTime({ year, month, day, hour, minute }, timezone) * 1000;

describe('forecaster', () => {
  const SHANGHAI = 'Asia/Shanghai';
  // Tuesday 2026-12-01 12:00 in Shanghai.
  const noon = local(SHANGHAI, 2026, 12, 1, 12);

  it('forecasts a key free every night at 03:00 for 03:00, likely within 24 h and not within the next hour', () => {
    // One Tuesday night it did not come: Tuesday's 03:00 is likely, not certain.
    const missed = [local(SHANGHAI, 2026, 11, 17, 3)];
    const hours = history(noon, 30, SHANGHAI, (time, at) => time.hour === 3 && !missed.includes(at));
    const result = forecaster(SHANGHAI, noon)(hours);
    expect(result).toMatchObject({ observedHours: 720, everAvailable: true });
    const [oneHour, sixHours, day] = result.within;
    expect(oneHour).toEqual({ hours: 1, chance: 0, hoursWithData: 1 });
    expect(sixHours).toEqual({ hours: 6, chance: 0, hoursWithData: 6 });
    expect(day).toEqual({ hours: 24, chance: 1, hoursWithData: 24 });
    expect(result.next).toEqual({ at: local(SHANGHAI, 2026, 12, 2, 3), chance: 1 });
    // At Monday noon the next 03:00 is a Tuesday one: 4 of its 5 nights were free, and it comes before Wednesday's.
    const monday = forecaster(SHANGHAI, noon - DAY)(hours);
    expect(monday.within[2]!.chance).toBe(0.8);
    expect(monday.next).toEqual({ at: local(SHANGHAI, 2026, 12, 1, 3), chance: 0.8 });
  });

  it('gives a key never free 0 everywhere and no next window, with every hour observed', () => {
    const result = forecaster(SHANGHAI, noon)(history(noon, 30, SHANGHAI, () => false));
    expect(result).toEqual({
      observedHours: 720,
      everAvailable: false,
      within: [
        { hours: 1, chance: 0, hoursWithData: 1 },
        { hours: 6, chance: 0, hoursWithData: 6 },
        { hours: 24, chance: 0, hoursWithData: 24 },
      ],
      next: null,
    });
  });

  it('says there was nothing to forecast from for a key without data, also for hours without polls', () => {
    const empty = { observedHours: 0, everAvailable: false, next: null };
    expect(forecaster(SHANGHAI, noon)(weekOf([], SHANGHAI))).toMatchObject(empty);
    const unpolled = [{ hour: Math.floor(noon / HOUR) - 24, polls: 0, available: 0 }];
    const result = forecaster(SHANGHAI, noon)(weekOf(unpolled, SHANGHAI));
    expect(result).toMatchObject(empty);
    expect(result.within.map((chance) => [chance.chance, chance.hoursWithData])).toEqual([[0, 0], [0, 0], [0, 0]]);
  });

  it('counts only the part of an hour that is still ahead, and looks for the next window from the next full hour', () => {
    const UTC = 'UTC';
    const at13 = Date.UTC(2026, 11, 1, 13);
    // Free on Tuesdays (as 2026-12-01 is) at 13:00.
    const hours = history(at13 - HOUR, 14, UTC, (time) => time.hour === 13 && weekdayOf(time) === 1);
    const halfPastTwelve = forecaster(UTC, at13 - HOUR / 2)(hours);
    expect(halfPastTwelve.within[0]).toEqual({ hours: 1, chance: 0.5, hoursWithData: 1 });
    expect(halfPastTwelve.next).toEqual({ at: at13, chance: 1 });
    const halfPastOne = forecaster(UTC, at13 + HOUR / 2)(hours);
    expect(halfPastOne.within[0]!.chance).toBe(0.5);
    // 13:00 today has begun: the next whole 13:00 of that weekday is a week later.
    expect(halfPastOne.next).toEqual({ at: at13 + 7 * DAY, chance: 1 });
  });

  it('combines the hours of a horizon as independent chances', () => {
    const UTC = 'UTC';
    const now = Date.UTC(2026, 11, 1, 0);
    // Two weeks; free at 01:00 and 02:00 in the first only: each of those cells was free in 1 of its 2 occurrences.
    const hours = history(now, 14, UTC, (time, at) => (time.hour === 1 || time.hour === 2) && at < now - 7 * DAY);
    const result = forecaster(UTC, now)(hours);
    expect(result.within[0]!.chance).toBe(0);
    expect(result.within[1]!.chance).toBe(1 - 0.5 * 0.5);
    expect(result.next).toEqual({ at: now + HOUR, chance: 0.5 });
  });

  it('keeps the wall-clock hour through a DST change (Europe/Berlin)', () => {
    const BERLIN = 'Europe/Berlin';
    const atNine = (time: ReturnType<typeof civilTimeAt>) => time.hour === 9;
    // Saturday 2026-10-24 12:00 CEST; the clocks go back overnight, so Sunday's 09:00 is 08:00 UTC, not 07:00.
    const saturday = local(BERLIN, 2026, 10, 24, 12);
    const before = forecaster(BERLIN, saturday)(history(saturday, 28, BERLIN, atNine));
    expect(before.next).toEqual({ at: Date.UTC(2026, 9, 25, 8), chance: 1 });
    expect(before.within[2]!.chance).toBe(1);
    // A history across the change still puts every day's free hour on 09:00.
    const sunday = local(BERLIN, 2026, 11, 1, 12);
    const across = forecaster(BERLIN, sunday)(history(sunday, 28, BERLIN, atNine));
    expect(across.next).toEqual({ at: Date.UTC(2026, 10, 2, 8), chance: 1 });
    expect(across.within[1]!.chance).toBe(0);
  });
});
