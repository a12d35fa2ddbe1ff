import { z } from 'zod';
import { quote } from './message.js';
import { unknownKeysProblem } from './unknown-keys.js';
import { parseDuration } from '../util/duration.js';
import { isTimeZone } from '../util/zoned-time.js';

/** Building blocks every config section shares, so each section file reads the same and errors read alike. */

/** A mapping that rejects keys it does not know, so a misspelt key is an error instead of a silent default. */
export function section<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? unknownKeysProblem(issue.keys, Object.keys(shape)) : undefined,
  });
}

export const text = z.string().min(1);
export const positiveInt = z.number().int().positive();

/** `30s`, `5m`, `2h`, `1d`: read once here, so the rest of the program sees milliseconds. */
export const duration = z.string().transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', input: value, message: `expected a duration like 30s, 5m or 2h (found ${quote(value)})` });
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
