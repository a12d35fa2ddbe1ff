import { z } from 'zod';
import { clockTime, timezone } from '../../config/fields.js';
import { defineRuleKind, type RuleInstance } from '../rule.js';
import { civilTimeAt, epochOfCivilTime, weekdayOf } from '../../util/zoned-time.js';

/** The zone a `dailyAt` time is read in unless the policy names one. */
export const DEFAULT_POLICY_TIMEZONE = 'Asia/Shanghai';

/** Monday first, as `days` lists them. */
export const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/**
 * A daily time that passed less than this long ago, while the instance was already running, is still the one to
 * honour: the reconcile that would have set it may have run moments too late (or the daemon was down), and the
 * instance is then overdue rather than free to run until tomorrow.
 */
export const LATE_GRACE_SECONDS = 3_600;

/** `dailyAt: "23:30"`, read in `timezone`, on `days` only when given. */
export const dailyAt = defineRuleKind({
  key: 'dailyAt',
  fields: {
    dailyAt: clockTime,
    timezone: timezone.optional(),
    // `Mon` and `mon` mean the same day.
    days: z
      .array(z.preprocess((day) => (typeof day === 'string' ? day.toLowerCase() : day), z.enum(DAY_NAMES)))
      .min(1)
      .max(DAY_NAMES.length)
      .optional(),
  },
  compile(settings) {
    const [hour, minute] = settings.dailyAt.split(':').map(Number) as [number, number];
    const timeZone = settings.timezone ?? DEFAULT_POLICY_TIMEZONE;
    const days = new Set(settings.days ?? DAY_NAMES);
    const onDays = settings.days ? ` on ${DAY_NAMES.filter((day) => days.has(day)).join(', ')}` : '';
    const occurrences = (now: number): { previous: number | undefined; next: number } => {
      const today = civilTimeAt(now, timeZone);
      let previous: number | undefined;
      // A week back and a week ahead always holds an allowed day on each side of now.
      for (let offset = -7; offset <= 8; offset++) {
        const date = { year: today.year, month: today.month, day: today.day + offset };
        if (!days.has(DAY_NAMES[weekdayOf(date)]!)) continue;
        const at = epochOfCivilTime({ ...date, hour, minute }, timeZone);
        if (at > now) return { previous, next: at };
        previous = at;
      }
      throw new Error('dailyAt: no allowed day within a week (days is never empty)');
    };
    return {
      kind: 'dailyAt',
      summary: `daily at ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')} (${timeZone})${onDays}`,
      stopTime(instance: RuleInstance, now: number): number {
        const { previous, next } = occurrences(now);
        const runningSince = instance.startTime > 0 ? instance.startTime : now;
        const missed = previous !== undefined && previous > runningSince && now - previous <= LATE_GRACE_SECONDS;
        return missed ? previous : next;
      },
    };
  },
});
