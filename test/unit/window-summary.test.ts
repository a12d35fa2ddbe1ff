import { describe, expect, it } from 'vitest';
import { recentHistory } from '../../src/history/window-summary.js';
import { quantile } from '../../src/history/windows.js';
import { durationParts } from '../../src/util/duration.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** An hour boundary plus 20 minutes, so "this hour" is `HOUR_AT`. */
const AT = 500_000 * HOUR + 20 * MINUTE;
const HOUR_AT = 500_000;

/** A window of `minutes` that sold out `endedAgo` before AT. */
const window = (minutes: number, endedAgo: number) => ({ start: AT - endedAgo - minutes * MINUTE, end: AT - endedAgo });

describe('recentHistory: window lengths', () => {
  it('gives the median and the nearest-rank p90 of the windows that ended in the last 7 days', () => {
    const windows = [1, 2, 3, 3, 4, 5, 8, 12, 30].map((minutes, index) => window(minutes, (index + 1) * HOUR));
    expect(recentHistory(windows, [], AT, 7)).toMatchObject({ days: 7, windows: 9, medianWindowMs: 4 * MINUTE, p90WindowMs: 30 * MINUTE });
    const ten = [...windows, window(60, 30 * MINUTE)];
    expect(recentHistory(ten, [], AT, 7)).toMatchObject({ windows: 10, medianWindowMs: 4.5 * MINUTE, p90WindowMs: 30 * MINUTE });
  });

  it('leaves out windows that ended more than 7 days ago, even when they began inside a longer one', () => {
    const windows = [window(5, 7 * DAY + MINUTE), window(10, 7 * DAY), window(20, 2 * DAY)];
    expect(recentHistory(windows, [], AT, 7)).toMatchObject({ windows: 2, medianWindowMs: 15 * MINUTE, p90WindowMs: 20 * MINUTE });
  });

  it('leaves out a window that "ended" before it began, which a wall clock stepping back records', () => {
    const backwards = { start: AT - HOUR, end: AT - 2 * HOUR };
    expect(recentHistory([window(10, DAY), backwards], [], AT, 7)).toMatchObject({ windows: 1, medianWindowMs: 10 * MINUTE, p90WindowMs: 10 * MINUTE });
  });

  it('has no lengths ("first time seen") when no window ended in the period', () => {
    expect(recentHistory([window(5, 8 * DAY)], [], AT, 7)).toEqual({
      days: 7,
      windows: 0,
      medianWindowMs: null,
      p90WindowMs: null,
      freeAtThisHourDays: 0,
      observedAtThisHourDays: 0,
    });
  });
});

describe('recentHistory: free at this hour', () => {
  const day = (k: number, polls: number, available: number) => ({ hour: HOUR_AT - 24 * k, polls, available });

  it('counts the days before on which the key was free at this hour, out of those it was polled at it', () => {
    const rows = [day(1, 360, 12), day(2, 360, 0), day(3, 360, 1), day(5, 0, 0), day(7, 10, 10)];
    expect(recentHistory([], rows, AT, 7)).toMatchObject({ freeAtThisHourDays: 3, observedAtThisHourDays: 4 });
  });

  it('ignores rows of other hours: today, 8 days ago, or an hour off', () => {
    const rows = [{ hour: HOUR_AT, polls: 5, available: 5 }, day(8, 5, 5), { hour: HOUR_AT - 25, polls: 5, available: 5 }];
    expect(recentHistory([], rows, AT, 7)).toMatchObject({ freeAtThisHourDays: 0, observedAtThisHourDays: 0 });
  });
});

describe('quantile and duration parts', () => {
  it('takes the nearest rank, always one of the values', () => {
    expect(quantile([5, 1, 3], 0.9)).toBe(5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([], 0.9)).toBeNull();
  });

  it('cuts a duration into its one or two largest units, as every language shows it', () => {
    expect(durationParts(45_000)).toEqual([[45, 's']]);
    expect(durationParts(12 * MINUTE + 20_000)).toEqual([[12, 'm']]);
    expect(durationParts(3 * HOUR + 5 * MINUTE)).toEqual([[3, 'h'], [5, 'm']]);
    expect(durationParts(2 * DAY + 4 * HOUR + 59 * MINUTE)).toEqual([[2, 'd'], [4, 'h']]);
  });
});
