import { z } from 'zod';
import { defineRuleKind, type RuleInstance } from '../rule.js';

/** `maxRuntimeHours: 8`: stop eight hours after the instance (last) started. */
export const maxRuntime = defineRuleKind({
  key: 'maxRuntimeHours',
  fields: {
    maxRuntimeHours: z.number().positive(),
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
