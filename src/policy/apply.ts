import { setTimeout as delay } from 'node:timers/promises';
import type { CompshareClient } from '../compshare/client.js';
import { listAllInstances } from '../compshare/actions/describe-instances.js';
import { updateStopScheduler } from '../compshare/actions/update-stop-scheduler.js';
import { CompshareError } from '../compshare/errors.js';
import type { HistoryStore } from '../store/history-store.js';
import type { PolicyActionRepository, PolicyActionResult } from '../store/policy-actions.js';
import type { Clock } from '../util/clock.js';
import { defineEvent } from '../events.js';
import { earliestAllowedStop } from './compute.js';
import { isSetRow, type Plan, type PlanProblem, type SetRow } from './plan.js';

/** Reading the instance back after an update, as the official CLI does: this many reads, this far apart. */
export const CONFIRM_READS = 3;
export const CONFIRM_INTERVAL_MS = 200;

export const POLICY_FAILED_EVENT = 'policy.failed' as const;

export interface ApplyDeps {
  client: CompshareClient;
  store: HistoryStore;
  actions: PolicyActionRepository;
  clock: Clock;
  /** Waits between read-backs; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Whether a failure also stores a `policy.failed` event (default true). The provisioner says false: it reports a
   * new instance left without its stop in its own `provision.failed` alert, not in a second one.
   */
  failureEvents?: boolean;
}

/** What happened to one planned change. */
export interface ApplyResult {
  row: SetRow;
  /** The stop time sent (unix seconds): the planned one, raised if the plan has aged past the API's minimum lead. */
  stopTime: number;
  result: PolicyActionResult;
  error: string | null;
  requestUuid: string | null;
}

/**
 * Carries out every `set` row, one instance at a time, and confirms each by reading the instance back. A failure is
 * recorded (with an event for the notifier) and the other instances still proceed. The plan's problems (policies
 * that could not decide an instance's stop) get an event each too: those instances are left without their stop.
 */
export async function applyPlan(plan: Pick<Plan, 'rows' | 'problems'>, deps: ApplyDeps): Promise<ApplyResult[]> {
  const at = deps.clock.now();
  if (deps.failureEvents !== false) for (const problem of plan.problems) deps.store.addEvent(problemEvent(problem, at));
  const results: ApplyResult[] = [];
  for (const row of plan.rows.filter(isSetRow)) results.push(await applyRow(row, deps));
  return results;
}

async function applyRow(row: SetRow, deps: ApplyDeps): Promise<ApplyResult> {
  const at = deps.clock.now();
  // A plan shown for confirmation may have waited minutes; the API refuses a time that is now too close.
  const stopTime = Math.max(row.desiredStop, earliestAllowedStop(Math.floor(at / 1000)));
  let outcome: Omit<ApplyResult, 'row' | 'stopTime'>;
  try {
    const request = { zone: row.zone, instanceId: row.instance, stopTime };
    const { requestUuid } = await updateStopScheduler(deps.client, request);
    outcome = { ...(await confirm(row, stopTime, deps)), requestUuid: requestUuid ?? null };
  } catch (error) {
    // Whatever went wrong with this instance, the next one still gets its stop.
    const requestUuid = error instanceof CompshareError ? (error.requestUuid ?? null) : null;
    outcome = { result: 'failed', error: error instanceof Error ? error.message : String(error), requestUuid };
  }
  const result: ApplyResult = { row, stopTime, ...outcome };
  record(result, at, deps);
  return result;
}

/** Reads the instance until it shows the new stop time; `unconfirmed` with what it showed (or the read error) if not. */
async function confirm(row: SetRow, stopTime: number, deps: ApplyDeps): Promise<Pick<ApplyResult, 'result' | 'error'>> {
  let seen = 'nothing';
  for (let read = 1; read <= CONFIRM_READS; read++) {
    if (read > 1) await (deps.sleep ?? delay)(CONFIRM_INTERVAL_MS);
    try {
      const [instance] = await listAllInstances(deps.client, { zone: row.zone, ids: [row.instance] });
      if (instance?.schedulerStopTime === stopTime) return { result: 'ok', error: null };
      seen = instance ? `stop time ${instance.schedulerStopTime || 'none'}` : 'no such instance';
    } catch (error) {
      if (!(error instanceof CompshareError)) throw error;
      seen = error.message;
    }
  }
  const error = `the update was accepted, but reading the instance back showed ${seen} instead of ${stopTime}`;
  return { result: 'unconfirmed', error };
}

function record(result: ApplyResult, at: number, deps: ApplyDeps): void {
  const { row } = result;
  const action = {
    at,
    instanceId: row.instance,
    instanceName: row.name,
    policy: row.policy,
    action: 'set' as const,
    oldStop: row.currentStop,
    newStop: result.stopTime,
    result: result.result,
    error: result.error,
    requestUuid: result.requestUuid,
  };
  const failed = result.result !== 'ok' && deps.failureEvents !== false;
  deps.actions.record(action, failed ? () => deps.store.addEvent(failureEvent(result, at)) : undefined);
}

/** One event per instance and intended stop: a failure repeated by every reconcile is still one message. */
function failureEvent(result: ApplyResult, at: number) {
  const { row, stopTime, result: outcome, error, requestUuid } = result;
  return policyFailedEvent(`${row.instance}:${row.policy}:${row.policyStop}`, row, { stopTime, result: outcome, error, requestUuid }, at);
}

/** One event per instance run and policy: a policy that fails at every reconcile is still one message. */
function problemEvent(problem: PlanProblem, at: number) {
  const details = { stopTime: null, result: 'failed' as const, error: problem.error, requestUuid: null };
  return policyFailedEvent(`${problem.instance}:${problem.policy}:start-${problem.startTime}`, problem, details, at);
}

/**
 * The `policy.failed` event, from every path that leaves an instance without its stop. Its payload always names the
 * instance (`instance` id and `name`), where it is (`tag`, `zone`), the `policy` and the `error`.
 */
function policyFailedEvent(
  key: string,
  subject: { instance: string; name: string; tag: string; zone: string; policy: string; currentStop: number | null },
  details: { stopTime: number | null; result: PolicyActionResult; error: string | null; requestUuid: string | null },
  at: number,
) {
  const { instance, name, tag, zone, policy, currentStop } = subject;
  return defineEvent(POLICY_FAILED_EVENT, {
    id: `${POLICY_FAILED_EVENT}:${key}`,
    watch: null,
    payload: { instance, name, tag, zone, policy, currentStop, ...details, at },
    createdAt: at,
  });
}
