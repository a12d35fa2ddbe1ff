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
      stopTime(instance: RuleInstance, now: number): number {
        // A Starting instance has no StartTime yet; its runtime begins about now.
        const started = instance.startTime > 0 ? instance.startTime : now;
        return started + Math.round(maxRuntimeHours * 3_600);
      },
    };
  },
});
