import { z } from 'zod';
import { defineRuleKind, type RuleInstance } from '../rule.js';

/** A year: longer caps are typos, and stop times computed from them would leave the range of real times. */
export const MAX_RUNTIME_HOURS = 8_760;

/** `maxRuntimeHours: 8`: stop eight hours after the instance (last) started. */
export const maxRuntime = defineRuleKind({
  key: 'maxRuntimeHours',
  fields: {
    maxRuntimeHours: z.number().positive().max(MAX_RUNTIME_HOURS),
  },
  compile({ maxRuntimeHours }) {
    return {
      kind: 'maxRuntimeHours',
      summary: `${maxRuntimeHours}h after start`,
      stopTime(instance: RuleInstance): number | null {
        // Without a StartTime there is nothing to count from. Counting from "now" instead would move the stop later
        // at every reconcile, and an instance that never reports one would never stop.
        return instance.startTime > 0 ? instance.startTime + Math.round(maxRuntimeHours * 3_600) : null;
      },
    };
  },
});
