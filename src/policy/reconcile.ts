import type { Logger } from '../log.js';
import { applyPlan, type ApplyDeps } from './apply.js';
import { buildPlan, type PolicyMap } from './plan.js';

export interface ReconcileDeps extends ApplyDeps {
  log: Logger;
  /** Instances a provisioner created, by id, with the stop policy that owns them (see PlanOptions.owned). */
  owned?: () => ReadonlyMap<string, string> | undefined;
}

/** One reconcile run of the daemon: plan every policy and apply the changes, logging each. */
export async function reconcilePolicies(deps: ReconcileDeps, policies: PolicyMap): Promise<void> {
  const now = Math.floor(deps.clock.now() / 1000);
  const plan = await buildPlan(deps.client, policies, { now, ownStops: deps.actions.ownStops(), owned: deps.owned?.() });
  if (plan.unmatchedPolicies.length > 0) {
    deps.log.debug({ policies: plan.unmatchedPolicies }, 'policies select no instance');
  }
  for (const { instance, name, policy, error } of plan.problems) {
    deps.log.error({ instance, name, policy }, `scheduled stop not planned: ${error}`);
  }
  for (const { row, stopTime, result, error, requestUuid } of await applyPlan(plan, deps)) {
    const fields = { instance: row.instance, name: row.name, policy: row.policy, stopTime };
    if (result === 'ok') deps.log.info(fields, `scheduled stop set: ${row.reason}`);
    else deps.log.error({ ...fields, result, requestUuid }, `scheduled stop not set: ${error}`);
  }
}
