import { describe, expect, it } from 'vitest';
import { formatLocalTime, INVALID_TIME_TEXT } from '../../src/util/time-format.js';
import { isSaneTime } from '../../src/util/sane-time.js';

describe('formatLocalTime', () => {
  it('prints a time no clock can show as "invalid time" instead of throwing', () => {
    for (const epochMs of [8e18, Number.POSITIVE_INFINITY, Number.NaN, -8.7e15]) {
      expect(formatLocalTime(epochMs, 'Asia/Shanghai')).toBe(INVALID_TIME_TEXT);
    }
    expect(formatLocalTime(8.64e15, 'UTC')).toBe('275760-09-13 00:00:00');
  });
});

describe('isSaneTime', () => {
  it('takes whole seconds from 2000-01-01 up to 2100-01-01 only', () => {
    expect(isSaneTime(Date.parse('2000-01-01T00:00:00Z') / 1000)).toBe(true);
    expect(isSaneTime(Date.parse('2099-12-31T23:59:59Z') / 1000)).toBe(true);
    for (const seconds of [Date.parse('2100-01-01T00:00:00Z') / 1000, 946_684_799, 1_773_000_000.5, 8e15, Number.NaN]) {
      expect(isSaneTime(seconds)).toBe(false);
    }
  });
});
