import type { RuleKind } from '../rule.js';
import { dailyAt } from './daily-at.js';
import { deadline } from './deadline.js';
import { maxRuntime } from './max-runtime.js';

/** Every kind of stop rule; adding one is one file in this folder and one line here. */
export const ruleKinds: readonly RuleKind[] = [dailyAt, maxRuntime, deadline];
