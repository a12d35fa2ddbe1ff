import { z } from 'zod';
import { ruleKinds } from '../policy/rules/index.js';
import type { StopPolicy } from '../policy/plan.js';
import { SELECTOR_FIELDS } from '../policy/select.js';
import { cronProblem } from './cron.js';
import { namedRecord, section } from '../schema/fields.js';
import { quote } from '../schema/message.js';

/** Defaults of the `stopPolicies` section and of `policyReconcile`. */
export const POLICY_DEFAULTS = {
  /** A policy never postpones an earlier stop already set on an instance unless it says `override: true`. */
  override: false,
  /** Every five minutes, at second 0. */
  reconcile: '0 */5 * * * *',
} as const;


const names = z.array(z.string().min(1)).min(1);
// YAML reads `gpuType: [4090]` as a number; instances carry it as a string.
const gpuType = z.preprocess((value) => (typeof value === 'number' ? String(value) : value), z.string().min(1));
const gpuTypes = z.array(gpuType).min(1);

const selectSchema = section({
  tag: names.optional(),
  name: names.optional(),
  ids: names.optional(),
  zone: names.optional(),
  gpuType: gpuTypes.optional(),
}).refine((selector) => SELECTOR_FIELDS.some((field) => selector[field] !== undefined), {
  error: `an empty selector would match every instance; give at least one of ${SELECTOR_FIELDS.join(', ')}`,
});

const ruleKeys = ruleKinds.map((kind) => kind.key);
const kindSettings = new Map(ruleKinds.map((kind) => [kind, z.object(kind.fields)]));
const ruleFields = Object.fromEntries(
  ruleKinds.flatMap((kind) => Object.entries(kind.fields).map(([field, schema]) => [field, z.optional(schema)])),
);

const policySchema = section({
  select: selectSchema,
  override: z.boolean().default(POLICY_DEFAULTS.override),
  ...ruleFields,
}).transform((policy, ctx): StopPolicy => {
  const fields = policy as Record<string, unknown>;
  const chosen = ruleKinds.filter((kind) => fields[kind.key] !== undefined);
  const [kind] = chosen;
  if (kind === undefined || chosen.length > 1) {
    const found = chosen.length === 0 ? 'none' : chosen.map((other) => other.key).join(' and ');
    const message = `set exactly one of ${ruleKeys.join(', ')} (found ${found})`;
    ctx.addIssue({ code: 'custom', input: policy, message });
    return z.NEVER;
  }
  const misplaced = Object.keys(ruleFields).filter((field) => fields[field] !== undefined && !(field in kind.fields));
  for (const field of misplaced) {
    const owner = ruleKinds.find((other) => field in other.fields)?.key ?? '';
    const message = `applies only to ${owner}, not to ${kind.key}`;
    ctx.addIssue({ code: 'custom', path: [field], input: fields[field], message });
  }
  if (misplaced.length > 0) return z.NEVER;
  // Already validated field by field above; parsed again only to hand the kind its settings typed.
  const settings = kindSettings.get(kind)!.parse(fields);
  return { select: policy.select, override: policy.override, rule: kind.compile(settings) };
});

/** The `stopPolicies:` section: named policies, each a selector plus exactly one rule kind. */
export const stopPoliciesSchema = namedRecord(policySchema, 'policy');

/** `policyReconcile:` how often the daemon applies every policy (cron, seconds allowed). */
export const policyReconcileSchema = z
  .string()
  .superRefine((pattern, ctx) => {
    const problem = cronProblem(pattern);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', input: pattern, message: `invalid cron ${quote(pattern)}: ${problem}` });
    }
  })
  .default(POLICY_DEFAULTS.reconcile);
