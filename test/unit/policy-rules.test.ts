import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RuleKind, StopRule } from '../../src/policy/rule.js';
import { ruleKinds } from '../../src/policy/rules/index.js';
import { dailyAt, LATE_GRACE_SECONDS } from '../../src/policy/rules/daily-at.js';
import { maxRuntime } from '../../src/policy/rules/max-runtime.js';
import { deadline, parseDeadline } from '../../src/policy/rules/deadline.js';

/** Unix seconds of an ISO time. */
const at = (iso: string): number => Date.parse(iso) / 1000;

/** Through the kind's own validation, as the config does it. */
function daily(settings: z.input<z.ZodObject<typeof dailyAt.fields>>): StopRule {
  return dailyAt.compile(z.object(dailyAt.fields).parse(settings));
}

describe('dailyAt', () => {
  // 2026-03-10 is a Tuesday.
  const noonShanghai = at('2026-03-10T12:00:00+08:00');
  const runningSinceMorning = { startTime: at('2026-03-10T09:00:00+08:00') };

  it.each([
    ['Asia/Shanghai by default', { dailyAt: '23:30' }, '2026-03-10T23:30:00+08:00'],
    ['UTC', { dailyAt: '23:30', timezone: 'UTC' }, '2026-03-10T23:30:00Z'],
    ['a time already past today in that zone: tomorrow', { dailyAt: '09:30' }, '2026-03-11T09:30:00+08:00'],
    // Noon in Shanghai is 04:00 UTC: 02:00 UTC has passed there, so the next one is the 11th.
    ['the zone decides the date, not the machine', { dailyAt: '02:00', timezone: 'UTC' }, '2026-03-11T02:00:00Z'],
    ['single-digit hour (noon in Shanghai is 04:00 UTC)', { dailyAt: '7:05', timezone: 'UTC' }, '2026-03-10T07:05:00Z'],
  ])('%s', (_case, settings, expected) => {
    expect(daily(settings).stopTime(runningSinceMorning, noonShanghai)).toBe(at(expected));
  });

  it('crosses midnight: 00:30 asked at 23:00 is the next calendar day', () => {
    const lateEvening = at('2026-03-10T23:00:00+08:00');
    expect(daily({ dailyAt: '00:30' }).stopTime({ startTime: lateEvening - 60 }, lateEvening)).toBe(at('2026-03-11T00:30:00+08:00'));
  });

  it('crosses a month and a year boundary', () => {
    const newYearsEve = at('2026-12-31T23:50:00+08:00');
    expect(daily({ dailyAt: '08:00' }).stopTime({ startTime: newYearsEve - 60 }, newYearsEve)).toBe(at('2027-01-01T08:00:00+08:00'));
  });

  it.each([
    ['only Fridays: Tuesday waits until Friday', ['fri'], '2026-03-13T20:00:00+08:00'],
    ['today listed', ['tue'], '2026-03-10T20:00:00+08:00'],
    ['day names in any case', ['Thu', 'WED'], '2026-03-11T20:00:00+08:00'],
    ['only Mondays: next week', ['mon'], '2026-03-16T20:00:00+08:00'],
  ])('days: %s', (_case, days, expected) => {
    expect(daily({ dailyAt: '20:00', days }).stopTime(runningSinceMorning, noonShanghai)).toBe(at(expected));
  });

  it('days: weekdays only, asked on a Saturday night, is Monday', () => {
    const saturdayNight = at('2026-03-14T21:00:00+08:00');
    const rule = daily({ dailyAt: '20:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] });
    expect(rule.stopTime({ startTime: saturdayNight - 3 * 3600 }, saturdayNight)).toBe(at('2026-03-16T20:00:00+08:00'));
  });

  it('days are read in the policy zone: Monday 01:00 in Shanghai is still Sunday in UTC', () => {
    const mondayEarlyShanghai = at('2026-03-16T01:00:00+08:00');
    const rule = daily({ dailyAt: '23:00', timezone: 'UTC', days: ['sun'] });
    expect(rule.stopTime({ startTime: mondayEarlyShanghai - 60 }, mondayEarlyShanghai)).toBe(at('2026-03-15T23:00:00Z'));
  });

  describe('a time that just passed while the instance ran', () => {
    const rule = daily({ dailyAt: '23:30' });
    const justAfter = at('2026-03-10T23:40:00+08:00');

    it('is honoured (the instance is overdue)', () => {
      expect(rule.stopTime(runningSinceMorning, justAfter)).toBe(at('2026-03-10T23:30:00+08:00'));
    });

    it('is not, when the instance was started after it (the user started it on purpose)', () => {
      expect(rule.stopTime({ startTime: at('2026-03-10T23:35:00+08:00') }, justAfter)).toBe(at('2026-03-11T23:30:00+08:00'));
    });

    it('is not, once the grace period is over', () => {
      const later = at('2026-03-10T23:30:00+08:00') + LATE_GRACE_SECONDS + 60;
      expect(rule.stopTime(runningSinceMorning, later)).toBe(at('2026-03-11T23:30:00+08:00'));
    });

    it('is not, for an instance still starting (no StartTime yet)', () => {
      expect(rule.stopTime({ startTime: 0 }, justAfter)).toBe(at('2026-03-11T23:30:00+08:00'));
    });
  });

  it('says what it does', () => {
    expect(daily({ dailyAt: '7:05', days: ['fri', 'mon'] }).summary).toBe('daily at 07:05 (Asia/Shanghai) on mon, fri');
  });
});

describe('maxRuntimeHours', () => {
  const now = at('2026-03-10T12:00:00+08:00');
  it('stops N hours after StartTime, whatever the time now', () => {
    const rule = maxRuntime.compile({ maxRuntimeHours: 8 });
    expect(rule.stopTime({ startTime: now - 3600 }, now)).toBe(now + 7 * 3600);
    expect(rule.stopTime({ startTime: now - 9 * 3600 }, now)).toBe(now - 3600);
    expect(rule.summary).toBe('8h after start');
  });

  it('takes fractions of an hour', () => {
    expect(maxRuntime.compile({ maxRuntimeHours: 1.5 }).stopTime({ startTime: now }, now)).toBe(now + 5400);
  });

  it('names no time for an instance without a StartTime, rather than counting from now', () => {
    expect(maxRuntime.compile({ maxRuntimeHours: 2 }).stopTime({ startTime: 0 }, now)).toBeNull();
  });
});

describe('deadline', () => {
  it('is one fixed instant, for any instance at any time', () => {
    const rule = deadline.compile({ deadline: '2026-03-01T18:00:00+08:00' });
    expect(rule.stopTime({ startTime: 1 }, 2)).toBe(at('2026-03-01T10:00:00Z'));
    expect(rule.stopTime({ startTime: 0 }, at('2027-01-01T00:00:00Z'))).toBe(at('2026-03-01T10:00:00Z'));
  });

  it.each([
    ['2026-03-01T18:00:00+08:00', at('2026-03-01T10:00:00Z')],
    ['2026-03-01T18:00Z', at('2026-03-01T18:00:00Z')],
    ['2026-03-01T18:00:00.5-05:00', at('2026-03-01T23:00:00Z')],
    ['2026-03-01T18:00:00', undefined],
    ['2026-02-30T18:00:00Z', undefined],
    ['2026-03-01 18:00:00Z', undefined],
    ['tomorrow', undefined],
  ])('parseDeadline(%s)', (text, expected) => {
    expect(parseDeadline(text)).toBe(expected);
  });
});

describe('rule kind registry', () => {
  const folder = new URL('../../src/policy/rules/', import.meta.url);
  const files = readdirSync(folder).filter((file) => file.endsWith('.ts') && file !== 'index.ts');
  const isRuleKind = (value: unknown): value is RuleKind =>
    typeof value === 'object' && value !== null && 'key' in value && 'compile' in value;

  it('registers exactly one kind per file in src/policy/rules', async () => {
    const exported: RuleKind[] = [];
    for (const file of files) {
      const module = (await import(new URL(file, folder).href)) as Record<string, unknown>;
      const kinds = Object.values(module).filter(isRuleKind);
      expect(kinds, file).toHaveLength(1);
      exported.push(...kinds);
    }
    expect(new Set(ruleKinds)).toEqual(new Set(exported));
    expect(ruleKinds).toHaveLength(files.length);
  });

  it('gives every field to one kind only, and each kind owns its key', () => {
    const fields = ruleKinds.flatMap((kind) => Object.keys(kind.fields));
    expect(new Set(fields).size).toBe(fields.length);
    for (const kind of ruleKinds) expect(Object.keys(kind.fields)).toContain(kind.key);
  });
});
