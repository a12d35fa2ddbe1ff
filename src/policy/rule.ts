import type { z } from 'zod';

/** What a rule reads from an instance; times are unix seconds, 0 meaning "not known". */
export interface RuleInstance {
  startTime: number;
}

/** A configured rule, ready to answer: when should this instance stop? */
export interface StopRule {
  /** The policy key of its kind, e.g. `dailyAt`. */
  readonly kind: string;
  /** How plan output describes it: `daily at 23:30 (Asia/Shanghai)`. */
  readonly summary: string;
  /**
   * The stop time the rule asks for, in unix seconds. It may be in the past: the instance is then overdue, and the
   * planner stops it as soon as the API allows. Null when the instance does not say enough yet (no StartTime).
   */
  stopTime(instance: RuleInstance, now: number): number | null;
}

/**
 * One kind of stop rule. A policy chooses a kind by setting the kind's `key`; `fields` are the policy keys the kind
 * owns (its key among them) with their validation, so each kind validates its own settings. Adding a kind is one
 * file in rules/ and one line in rules/index.ts.
 */
export interface RuleKind<Shape extends z.ZodRawShape = z.ZodRawShape> {
  readonly key: string;
  readonly fields: Shape;
  /** Builds the rule from its validated fields (the key is always present). */
  compile(settings: z.output<z.ZodObject<Shape>>): StopRule;
}

/** Declares a rule kind with its settings' types inferred from `fields`. */
export function defineRuleKind<Shape extends z.ZodRawShape>(kind: RuleKind<Shape>): RuleKind<Shape> {
  return kind;
}
