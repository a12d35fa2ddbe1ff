import type { Instance } from '../compshare/actions/describe-instances.js';
import { MIN_STOP_LEAD_SECONDS } from '../compshare/actions/update-stop-scheduler.js';
import { formatDuration } from '../util/duration.js';
import type { StopRule } from './rule.js';

/** Added to the API's 300 s minimum so a time computed now is still valid when the request reaches the API. */
export const STOP_SAFETY_MARGIN_SECONDS = 60;
/** Stop times closer than this count as the same: no call is made to move a stop by seconds. */
export const SAME_STOP_TOLERANCE_SECONDS = 60;

/** Only these states get a schedule: a stopped instance costs nothing to leave alone. */
const SCHEDULABLE_STATES: ReadonlySet<string> = new Set(['Running', 'Starting']);

/** A configured policy as the decision needs it. */
export interface NamedPolicy {
  name: string;
  override: boolean;
  rule: StopRule;
}

export type InstanceFacts = Pick<Instance, 'state' | 'chargeType' | 'startTime' | 'schedulerStopTime'>;

/** Why the stop time differs from what the policy asked for: it was already past, or under the API's minimum lead. */
export type Adjustment = 'past-due' | 'too-soon';

const ADJUSTMENT_WORDS: Record<Adjustment, string> = {
  'past-due': 'overdue',
  'too-soon': 'due sooner than the API allows',
};

/** What to do about one instance. Times are unix seconds. */
export type Decision =
  | { action: 'skip'; reason: string }
  | {
      action: 'set' | 'keep';
      /** The winning policy (the earliest stop among those selecting the instance). */
      policy: string;
      /** What that policy asked for, before the API's minimum lead was applied. */
      policyStop: number;
      /** The stop time the policy wants on the instance (set: the time to send). */
      desiredStop: number;
      adjustment: Adjustment | undefined;
      reason: string;
    };

/** The earliest stop time the API accepts for a request made at `now`, with the safety margin. */
export function earliestAllowedStop(now: number): number {
  return now + MIN_STOP_LEAD_SECONDS + STOP_SAFETY_MARGIN_SECONDS;
}

/**
 * Decides one instance's stop time from the policies that select it (at least one). The earliest stop wins; it is
 * never earlier than `earliestAllowedStop(now)`; an earlier stop already on the instance is kept unless the winning
 * policy has `override: true` or the stop is the one this tool set last (`ownStop`, from the action log), since
 * then it is the policy's own earlier decision, not the user's.
 */
export function desiredStopTime(
  policies: readonly [NamedPolicy, ...NamedPolicy[]],
  instance: InstanceFacts,
  now: number,
  ownStop?: number,
): Decision {
  if (instance.chargeType === 'Spot') {
    return { action: 'skip', reason: 'spot instance: the API cannot schedule its stop' };
  }
  if (!SCHEDULABLE_STATES.has(instance.state)) {
    return { action: 'skip', reason: `not running (${instance.state || 'no state'})` };
  }

  const found = earliest(policies, instance, now);
  if (!found) {
    const waiting = policies.map((policy) => `${policy.name}: ${policy.rule.summary}`).join('; ');
    return { action: 'skip', reason: `no StartTime reported yet (${waiting}); checked again at the next reconcile` };
  }
  const [winner, policyStop] = found;
  const floor = earliestAllowedStop(now);
  const desiredStop = Math.max(policyStop, floor);
  const adjustment: Adjustment | undefined = policyStop < now ? 'past-due' : policyStop < floor ? 'too-soon' : undefined;
  const summary = `${winner.name}: ${winner.rule.summary}`;
  const decide = (action: 'set' | 'keep', note: string): Decision => ({
    action,
    policy: winner.name,
    policyStop,
    desiredStop,
    adjustment,
    reason: `${summary}${note}`,
  });

  // A stop time already behind us did not stop the instance; it counts as no schedule.
  const current = instance.schedulerStopTime > now ? instance.schedulerStopTime : 0;
  if (current === 0) return decide('set', adjustmentNote(adjustment, desiredStop - now));
  // The policy wants "as soon as allowed", and the stop already set is that or sooner; override has no later time
  // to move it to.
  if (adjustment && current < desiredStop + SAME_STOP_TOLERANCE_SECONDS) {
    return decide('keep', `; ${ADJUSTMENT_WORDS[adjustment]}: the stop already set is as soon as allowed`);
  }
  if (Math.abs(current - desiredStop) < SAME_STOP_TOLERANCE_SECONDS) return decide('keep', '; already set');
  if (current > desiredStop) return decide('set', adjustmentNote(adjustment, desiredStop - now));
  if (ownStop !== undefined && Math.abs(ownStop - current) < SAME_STOP_TOLERANCE_SECONDS) {
    return decide('set', '; replaces the earlier stop this tool set');
  }
  if (winner.override) return decide('set', '; override: true replaces the earlier stop');
  return decide('keep', '; an earlier stop is already set (override: false)');
}

/**
 * The policy asking for the earliest stop, and that time; on a tie the first configured wins. Undefined when no
 * policy can name a time yet.
 */
function earliest(
  policies: readonly [NamedPolicy, ...NamedPolicy[]],
  instance: InstanceFacts,
  now: number,
): [NamedPolicy, number] | undefined {
  let best: [NamedPolicy, number] | undefined;
  for (const policy of policies) {
    const at = policy.rule.stopTime(instance, now);
    if (at !== null && (best === undefined || at < best[1])) best = [policy, at];
  }
  return best;
}

function adjustmentNote(adjustment: Adjustment | undefined, lead: number): string {
  if (adjustment === undefined) return '';
  return `; ${ADJUSTMENT_WORDS[adjustment]}: stop in ${formatDuration(lead * 1000)}, the earliest allowed`;
}
