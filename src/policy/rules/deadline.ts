import { z } from 'zod';
import { quote } from '../../config/message.js';
import { isSaneTime, SANE_TIME_RANGE_TEXT } from '../../util/sane-time.js';
import { defineRuleKind } from '../rule.js';

/** A UTC offset is required: without one the same text means different instants on different machines. */
const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Unix seconds of an ISO time with an offset, or undefined when it is not one (or names a day that does not exist). */
export function parseDeadline(text: string): number | undefined {
  const match = ISO_WITH_OFFSET.exec(text);
  if (!match) return undefined;
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  // Date.parse rolls 2026-02-30 over into March; a typo in a deadline must not.
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return Math.floor(Date.parse(text) / 1000);
}

/** `deadline: "2026-03-01T18:00:00+08:00"`: one fixed instant for every instance the policy selects. */
export const deadline = defineRuleKind({
  key: 'deadline',
  fields: {
    deadline: z
      .string()
      .refine((text) => parseDeadline(text) !== undefined, {
        error: (issue) =>
          `expected an ISO time with a UTC offset, e.g. "2026-03-01T18:00:00+08:00" (found ${quote(String(issue.input))})`,
        abort: true,
      })
      .refine((text) => isSaneTime(parseDeadline(text)!), {
        error: (issue) => `expected a deadline ${SANE_TIME_RANGE_TEXT} (found ${quote(String(issue.input))})`,
      }),
  },
  compile(settings) {
    const at = parseDeadline(settings.deadline)!;
    return {
      kind: 'deadline',
      summary: `deadline ${settings.deadline}`,
      stopTime: () => at,
    };
  },
});
