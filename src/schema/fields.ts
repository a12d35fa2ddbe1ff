import { z } from 'zod';
import { quote } from './message.js';
import { unknownKeysProblem } from './unknown-keys.js';
import { parseDuration } from '../util/duration.js';
import { isTimeZone } from '../util/zoned-time.js';

/** Building blocks every config section shares, so each section file reads the same and errors read alike. */

/**
 * The longest wait Node's timers can express (2^31-1 ms, about 24.8 days); a longer one fires at once. Every
 * duration and timeout in the config stays within it.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A mapping that rejects keys it does not know, so a misspelt key is an error instead of a silent default. */
export function section<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? unknownKeysProblem(issue.keys, Object.keys(shape)) : undefined,
  });
}

export const text = z.string().min(1);

/** Names of watches, policies and provisioners end up in ids, logs, metrics labels and `--flag NAME`: plain only. */
export const PLAIN_NAME_PATTERN = /^[A-Za-z0-9._-]+$/;

/** A mapping from plain names (what `kind` says they are, for the message) to entries of `entry`. */
export function namedRecord<Entry extends z.ZodType>(entry: Entry, kind: string) {
  return z.record(z.string(), entry).superRefine((entries, ctx) => {
    for (const name of Object.keys(entries)) {
      if (!PLAIN_NAME_PATTERN.test(name)) {
        const message = `${kind} names may contain only letters, digits, ".", "_" and "-" (found ${quote(name)})`;
        ctx.addIssue({ code: 'custom', path: [name], input: name, message });
      }
    }
  });
}

/** A whole number from `min` to `max`: every count in the config has a ceiling, so no value can overflow later. */
export function intBetween(min: number, max: number) {
  // The bounds first, aborting: `.int()` would add its own "at most 2^53-1" to a huge value's one problem.
  return z.number().min(min, { abort: true }).max(max, { abort: true }).int();
}

/** A timeout given in milliseconds, at most as long as a timer can wait. */
export const timerMs = intBetween(1, MAX_TIMER_MS);

/** `30s`, `5m`, `2h`, `1d`: read once here, so the rest of the program sees milliseconds (at most MAX_TIMER_MS). */
export const duration = z.string().transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', input: value, message: `expected a duration like 30s, 5m or 2h (found ${quote(value)})` });
    return z.NEVER;
  }
  if (ms > MAX_TIMER_MS) {
    const message = `must be at most ${MAX_TIMER_MS}ms, about 24.8 days, the longest a timer can wait (found ${quote(value)})`;
    ctx.addIssue({ code: 'custom', input: value, message });
    return z.NEVER;
  }
  return ms;
});

/** An IANA zone name such as Asia/Shanghai or UTC, checked against the runtime's zone database. */
export const timezone = z.string().refine((zone) => isTimeZone(zone), {
  error: (issue) => `unknown timezone ${quote(String(issue.input))} (expected an IANA name such as Asia/Shanghai or UTC)`,
});

const TIME_OF_DAY = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** A wall-clock time "HH:MM". A refine, not .regex(): the config's messages describe format issues by format name. */
export const clockTime = z.string().refine((value) => TIME_OF_DAY.test(value), {
  error: (issue) => `expected a time of day as "HH:MM", e.g. "23:30" (found ${quote(String(issue.input))})`,
});
