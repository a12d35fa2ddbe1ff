import type { CompshareClient } from '../compshare/client.js';
import { listAllInstances, type Instance, type InstanceFilter } from '../compshare/actions/describe-instances.js';
import { desiredStopTime, type Adjustment, type Decision } from './compute.js';
import type { StopRule } from './rule.js';
import { selects, type Selector } from './select.js';

/** A configured policy as the planner reads it: its selector, its override flag and its compiled rule. */
export interface StopPolicy {
  select: Selector;
  override: boolean;
  rule: StopRule;
}

/** The configured policies by name, as `stopPolicies:` gives them. */
export type PolicyMap = Readonly<Record<string, StopPolicy>>;

interface RowBase {
  instance: string;
  name: string;
  tag: string;
  zone: string;
  state: string;
  chargeType: string;
  /** The stop time on the instance now (unix seconds), or null when none is set. */
  currentStop: number | null;
  reason: string;
}

type SkipRow = RowBase & { action: 'skip'; policy: null; policyStop: null; desiredStop: null; adjustment: null };
type DecidedRow = RowBase & {
  action: 'set' | 'keep';
  policy: string;
  policyStop: number;
  desiredStop: number;
  adjustment: Adjustment | null;
};

/** One instance a policy selects, and what the plan does about it. The field names are the `--json` contract. */
export type PlanRow = SkipRow | DecidedRow;

/** A row that changes the instance's stop time. */
export type SetRow = DecidedRow & { action: 'set' };

export function isSetRow(row: PlanRow): row is SetRow {
  return row.action === 'set';
}

export interface Plan {
  /** When it was computed (unix seconds). */
  at: number;
  rows: PlanRow[];
  /** Policies in scope that select no instance at all: reported, never silently ignored. */
  unmatchedPolicies: string[];
  /** Policies that could not decide an instance's stop (see Decision.failures): logged and alerted on, never fatal. */
  problems: PlanProblem[];
}

/** One policy that failed for one instance, with what an alert needs to name the instance. */
export interface PlanProblem {
  instance: string;
  name: string;
  tag: string;
  zone: string;
  /** The failing policy; for an instance whose times are broken, every policy selecting it, comma-separated. */
  policy: string;
  error: string;
  /** The instance's StartTime (0 when unknown): a failure is alerted on once per instance run. */
  startTime: number;
  currentStop: number | null;
}

export interface PlanOptions {
  /** Unix seconds. */
  now: number;
  /** Only the instances this policy selects; every policy still takes part in deciding their stop time. */
  only?: string | undefined;
  /** The stop time this tool last set per instance id (from the action log). */
  ownStops?: ReadonlyMap<string, number>;
  /**
   * Instances a provisioner created, by id, with the name of its stop policy: that policy selects them whatever its
   * `select` says, since the ledger, not a tag or a name pattern, is what makes them its own.
   */
  owned?: ReadonlyMap<string, string>;
}

/** Lists the instances the policies can select and plans each one. Instances no policy selects are not in the plan. */
export async function buildPlan(client: CompshareClient, policies: PolicyMap, options: PlanOptions): Promise<Plan> {
  const instances: Instance[] = [];
  for (const filter of listingFilters(scopeOf(policies, options.only), options.owned)) {
    instances.push(...(await listAllInstances(client, filter)));
  }
  return planInstances(policies, instances, options);
}

/** The plan for instances already listed (pure). */
export function planInstances(policies: PolicyMap, instances: readonly Instance[], options: PlanOptions): Plan {
  const named = Object.entries(policies).map(([name, policy]) => ({ name, ...policy }));
  const scope = scopeOf(policies, options.only);
  const seen = new Set<string>();
  const rows: PlanRow[] = [];
  const matched = new Set<string>();
  const problems: PlanProblem[] = [];
  for (const instance of instances) {
    // Paging while instances come and go can list one twice.
    if (seen.has(instance.id)) continue;
    seen.add(instance.id);
    const owner = options.owned?.get(instance.id);
    const selecting = named.filter((policy) => policy.name === owner || selects(policy.select, instance));
    for (const policy of selecting) matched.add(policy.name);
    const [first, ...rest] = selecting;
    if (first === undefined || !selecting.some((policy) => Object.hasOwn(scope, policy.name))) continue;
    const decision = desiredStopTime([first, ...rest], instance, options.now, options.ownStops?.get(instance.id));
    const row = rowFor(instance, decision);
    rows.push(row);
    for (const { policy, error } of decision.failures) {
      const { tag, zone, currentStop } = row;
      problems.push({ instance: row.instance, name: row.name, tag, zone, policy, error, startTime: instance.startTime, currentStop });
    }
  }
  const unmatchedPolicies = Object.keys(scope).filter((name) => !matched.has(name));
  return { at: options.now, rows, unmatchedPolicies, problems };
}

function rowFor(instance: Instance, decision: Decision): PlanRow {
  const base: RowBase = {
    instance: instance.id,
    name: instance.name,
    tag: instance.tag,
    zone: instance.zone,
    state: instance.state,
    chargeType: instance.chargeType,
    currentStop: instance.schedulerStopTime > 0 ? instance.schedulerStopTime : null,
    reason: decision.reason,
  };
  if (decision.action === 'skip') {
    return { ...base, action: 'skip', policy: null, policyStop: null, desiredStop: null, adjustment: null };
  }
  const { action, policy, policyStop, desiredStop, adjustment } = decision;
  return { ...base, action, policy, policyStop, desiredStop, adjustment: adjustment ?? null };
}

/** The policies whose instances are planned: all of them, or the one `--policy` names (known to exist). */
function scopeOf(policies: PolicyMap, only: string | undefined): PolicyMap {
  if (only === undefined) return policies;
  const policy = Object.hasOwn(policies, only) ? policies[only] : undefined;
  return policy === undefined ? {} : { [only]: policy };
}

/**
 * One listing of the whole region, or one per zone when every policy in scope names its zones (and no owned
 * instance, which may be anywhere, is to be planned).
 */
function listingFilters(scope: PolicyMap, owned: ReadonlyMap<string, string> | undefined): InstanceFilter[] {
  const selectors: Selector[] = Object.values(scope).map((policy) => policy.select);
  if (selectors.length === 0) return [];
  if ((owned?.size ?? 0) > 0 || selectors.some((selector) => selector.zone === undefined)) return [{}];
  return [...new Set(selectors.flatMap((selector) => selector.zone ?? []))].map((zone) => ({ zone }));
}
