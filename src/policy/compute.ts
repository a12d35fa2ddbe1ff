import type { Instance } from '../compshare/actions/describe-instances.js';
import { MIN_STOP_LEAD_SECONDS } from '../compshare/actions/update-stop-scheduler.js';
import { formatDuration } from '../util/duration.js';
import { isSaneTime, SANE_TIME_RANGE_TEXT } from '../util/sane-time.js';
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

export type InstanceFacts = Pick<Instance, 'state' | 'chargeType' | 'startTime' | 'schedulerStopTime' | 'invalidTimes'>;

/** A policy that could not decide an instance's stop: it threw, or named no real time. Reported, never fatal. */
export interface PolicyFailure {
  policy: string;
  error: string;
}

/** Why the stop time differs from what the policy asked for: it was already past, or under the API's minimum lead. */
export type Adjustment = 'past-due' | 'too-soon';

const ADJUSTMENT_WORDS: Record<Adjustment, string> = {
  'past-due': 'overdue',
  'too-soon': 'due sooner than the API allows',
};

/**
 * What to do about one instance. Times are unix seconds. `failures` are the selecting policies that could not decide
 * (or, for an instance whose times are broken, all of them): the others decided without them.
 */
export type Decision = { failures: readonly PolicyFailure[] } & (
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
    }
);

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
    return { action: 'skip', reason: 'spot instance: the API cannot schedule its stop', failures: [] };
  }
  if (!SCHEDULABLE_STATES.has(instance.state)) {
    return { action: 'skip', reason: `not running (${instance.state || 'no state'})`, failures: [] };
  }
  if (instance.invalidTimes.length > 0) {
    // A stop computed from a broken time would be a guess; the instance waits until the API reports it soundly.
    const error = `the API reports ${instance.invalidTimes.join(', ')}, not a time ${SANE_TIME_RANGE_TEXT}`;
    const policy = policies.map((named) => named.name).join(', ');
    return { action: 'skip', reason: `${error}; not planned`, failures: [{ policy, error }] };
  }

  const { best, waiting, failures } = earliest(policies, instance, now);
  const failureNotes = failures.map((failure) => `${failure.policy} failed: ${failure.error}`);
  if (!best) {
    const notes = waiting.map((policy) => `${policy.name}: ${policy.rule.summary}`).join('; ');
    const noStart = waiting.length > 0 ? [`no StartTime reported yet (${notes}); checked again at the next reconcile`] : [];
    return { action: 'skip', reason: [...noStart, ...failureNotes].join('; '), failures };
  }
  const [winner, policyStop] = best;
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
    reason: [`${summary}${note}`, ...failureNotes].join('; '),
    failures,
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

interface Earliest {
  /** The policy asking for the earliest stop, and that time; on a tie the first configured wins. */
  best: [NamedPolicy, number] | undefined;
  /** Policies that cannot name a time yet (no StartTime). */
  waiting: NamedPolicy[];
  failures: PolicyFailure[];
}

function earliest(policies: readonly NamedPolicy[], instance: InstanceFacts, now: number): Earliest {
  const found: Earliest = { best: undefined, waiting: [], failures: [] };
  for (const policy of policies) {
    const outcome = ruleStop(policy, instance, now);
    if ('error' in outcome) found.failures.push({ policy: policy.name, error: outcome.error });
    else if (outcome.at === null) found.waiting.push(policy);
    else if (found.best === undefined || outcome.at < found.best[1]) found.best = [policy, outcome.at];
  }
  return found;
}

/** One policy's stop time, with a throw or a time outside the sane range turned into an error for that policy alone. */
function ruleStop(policy: NamedPolicy, instance: InstanceFacts, now: number): { at: number | null } | { error: string } {
  try {
    const at = policy.rule.stopTime(instance, now);
    if (at === null || isSaneTime(at)) return { at };
    return { error: `computed stop time ${at}, not a time ${SANE_TIME_RANGE_TEXT}` };
  } catch (error) {
    return { error: `could not compute a stop time: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function adjustmentNote(adjustment: Adjustment | undefined, lead: number): string {
  if (adjustment === undefined) return '';
  return `; ${ADJUSTMENT_WORDS[adjustment]}: stop in ${formatDuration(lead * 1000)}, the earliest allowed`;
}
