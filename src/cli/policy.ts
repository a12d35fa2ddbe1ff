import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { LoadedConfig } from '../config/load.js';
import { clientFromConfig } from '../compshare/from-config.js';
import type { CompshareClient } from '../compshare/client.js';
import { listAllInstances } from '../compshare/actions/describe-instances.js';
import { deleteStopScheduler } from '../compshare/actions/delete-stop-scheduler.js';
import { CompshareError } from '../compshare/errors.js';
import { HistoryStore } from '../store/history-store.js';
import type { PolicyActionRepository } from '../store/policy-actions.js';
import { routeEventsToOutbox } from '../notify/notifier.js';
import { applyPlan, type ApplyResult } from '../policy/apply.js';
import { buildPlan, isSetRow, type Plan, type PlanOptions as BuildOptions, type PolicyMap } from '../policy/plan.js';
import { ownedByStopPolicy } from '../provision/owned.js';
import { provisionersOf } from '../provision/provisioners.js';
import { selects } from '../policy/select.js';
import { systemClock } from '../util/clock.js';
import { formatDuration } from '../util/duration.js';
import { formatLocalTime, INVALID_TIME_TEXT } from '../util/time-format.js';
import { EXIT_API_ERROR } from './exit.js';
import { formatTable } from './table.js';
import { UsageError } from './usage-error.js';
import { loadConfigSayingWarnings } from './config.js';

export interface PlanOptions {
  config?: string;
  policy?: string;
  json?: boolean;
}

export interface ApplyOptions extends PlanOptions {
  yes?: boolean;
}

export interface ClearOptions {
  config?: string;
  instance: string;
}

/** `policy plan`: which instances the policies select and the stop time each would get; changes nothing. */
export async function policyPlan(options: PlanOptions): Promise<void> {
  await withPolicies(options, async ({ loaded, client, policies }) => {
    const plan = await planNow(client, policies, options.policy, readMemory(loaded));
    const printed = options.json ? JSON.stringify(plan, null, 2) : renderPlan(plan, loaded.config.timezone);
    process.stdout.write(`${printed}\n`);
  });
}

/** `policy apply`: sets the planned stop times, asking first on a terminal. */
export async function policyApply(options: ApplyOptions): Promise<void> {
  const askFirst = options.yes !== true;
  if (askFirst && process.stdin.isTTY !== true) {
    throw new UsageError('policy apply changes instances; without a terminal to confirm on, pass --yes');
  }
  await withPolicies(options, async ({ loaded, client, policies }) => {
    await withStore(loaded, async (store, actions) => {
      const timezone = loaded.config.timezone;
      const plan = await planNow(client, policies, options.policy, memoryOf(loaded, store));
      // With --json, stdout carries only the JSON document.
      const out = options.json ? process.stderr : process.stdout;
      const changes = plan.rows.filter(isSetRow).length;
      if (changes > 0 && askFirst) {
        out.write(`${renderPlan(plan, timezone)}\n`);
        if (!(await confirm(`Set the stop time of ${changes} ${changes === 1 ? 'instance' : 'instances'}? [y/N] `))) {
          out.write('nothing changed\n');
          return;
        }
      }
      const results = await applyPlan(plan, { client, store, actions, clock: systemClock });
      const printed = options.json ? JSON.stringify(resultsJson(plan, results), null, 2) : renderResults(plan, results, timezone);
      process.stdout.write(`${printed}\n`);
      const failed = results.some((result) => result.result !== 'ok') || plan.problems.length > 0;
      if (failed) process.exitCode = EXIT_API_ERROR;
    });
  });
}

/** `policy clear`: removes one instance's scheduled stop. */
export async function policyClear(options: ClearOptions): Promise<void> {
  const loaded = await loadConfigSayingWarnings(options.config);
  await withClient(loaded, (client) =>
    withStore(loaded, (_store, actions) => clear(loaded, client, actions, options.instance)),
  );
}

interface PolicyContext {
  loaded: LoadedConfig;
  client: CompshareClient;
  policies: PolicyMap;
}

/** Loads the config, checks `--policy` against it, and runs `body` with a client it closes afterwards. */
async function withPolicies(options: PlanOptions, body: (context: PolicyContext) => Promise<void>): Promise<void> {
  const loaded = await loadConfigSayingWarnings(options.config);
  const policies = loaded.config.stopPolicies;
  const names = Object.keys(policies);
  if (names.length === 0) throw new UsageError(`${loaded.displayPath} has no stopPolicies; add one (see README, Scheduled-stop policies)`);
  if (options.policy !== undefined && !names.includes(options.policy)) {
    throw new UsageError(`unknown policy "${options.policy}" (configured: ${names.join(', ')})`);
  }
  await withClient(loaded, (client) => body({ loaded, client, policies }));
}

async function withClient<T>(loaded: LoadedConfig, body: (client: CompshareClient) => Promise<T>): Promise<T> {
  const client = clientFromConfig(loaded);
  try {
    return await body(client);
  } finally {
    await client.close();
  }
}

async function withStore<T>(
  loaded: LoadedConfig,
  body: (store: HistoryStore, actions: PolicyActionRepository) => Promise<T>,
): Promise<T> {
  const store = HistoryStore.open(loaded.config.storage.path);
  // A failure event written here is alerted on by the daemon, like one the daemon wrote itself.
  routeEventsToOutbox(loaded.config, store, systemClock);
  try {
    return await body(store, store.policyActions);
  } finally {
    store.close();
  }
}

/** What the database knows that a plan needs: the stops this tool set, and the instances provisioners own. */
type PlanMemory = Pick<BuildOptions, 'ownStops' | 'owned'>;

function memoryOf(loaded: LoadedConfig, store: HistoryStore): PlanMemory {
  const owned = ownedByStopPolicy(store, provisionersOf(loaded.config));
  return { ownStops: store.policyActions.ownStops(), owned };
}

/** The plan's memory, so `plan` shows what apply would do; `plan` never creates the database for it. */
function readMemory(loaded: LoadedConfig): PlanMemory {
  if (!existsSync(loaded.config.storage.path)) return {};
  const store = HistoryStore.open(loaded.config.storage.path);
  // A failure event written here is alerted on by the daemon, like one the daemon wrote itself.
  routeEventsToOutbox(loaded.config, store, systemClock);
  try {
    return memoryOf(loaded, store);
  } finally {
    store.close();
  }
}

function planNow(client: CompshareClient, policies: PolicyMap, only: string | undefined, memory: PlanMemory): Promise<Plan> {
  return buildPlan(client, policies, { now: Math.floor(systemClock.now() / 1000), only, ...memory });
}

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^(y|yes)$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

async function clear(
  loaded: LoadedConfig,
  client: CompshareClient,
  actions: PolicyActionRepository,
  id: string,
): Promise<void> {
  const [instance] = await listAllInstances(client, { ids: [id] });
  if (!instance) throw new UsageError(`no instance ${id} in region ${loaded.config.api.region}`);
  const { timezone, stopPolicies } = loaded.config;
  const now = Math.floor(systemClock.now() / 1000);
  if (instance.schedulerStopTime === 0) {
    process.stdout.write(`${id} (${instance.name}) has no scheduled stop; nothing to clear\n`);
    return;
  }
  const base = { at: systemClock.now(), instanceId: id, instanceName: instance.name, policy: null, action: 'clear' as const };
  const change = { ...base, oldStop: instance.schedulerStopTime, newStop: null };
  try {
    const { requestUuid } = await deleteStopScheduler(client, { zone: instance.zone, instanceId: id });
    actions.record({ ...change, result: 'ok', error: null, requestUuid: requestUuid ?? null });
  } catch (error) {
    if (error instanceof CompshareError) {
      actions.record({ ...change, result: 'failed', error: error.message, requestUuid: error.requestUuid ?? null });
    }
    throw error;
  }
  const was = formatStop(instance.schedulerStopTime, now, timezone);
  process.stdout.write(`cleared the scheduled stop of ${id} (${instance.name}); it was ${was}\n`);
  const selecting = Object.entries(stopPolicies).filter(([, policy]) => selects(policy.select, instance));
  for (const [name] of selecting) {
    process.stdout.write(`note: policy "${name}" selects this instance; the next reconcile sets a stop again\n`);
  }
}

/** `23:30 (in 2h 5m)` today, `03-11 23:30 (in 1d 11h)` on another day, `-` for none. */
export function formatStop(stop: number | null, now: number, timezone: string): string {
  if (stop === null) return '-';
  const local = formatLocalTime(stop * 1000, timezone);
  if (local === INVALID_TIME_TEXT) return local;
  const sameDay = local.slice(0, 10) === formatLocalTime(now * 1000, timezone).slice(0, 10);
  const shown = sameDay ? local.slice(11, 16) : local.slice(5, 16);
  const delta = stop - now;
  return `${shown} (${delta >= 0 ? `in ${formatDuration(delta * 1000)}` : `${formatDuration(-delta * 1000)} ago`})`;
}

function renderPlan(plan: Plan, timezone: string): string {
  const notes = plan.unmatchedPolicies.map((name) => `policy "${name}" selects no instance`);
  if (plan.rows.length === 0) return ['no instance is selected by a policy', ...notes].join('\n');
  const table = formatTable(
    ['INSTANCE', 'NAME', 'TAG', 'STATE', 'CURRENT STOP', 'DESIRED STOP', 'ACTION', 'REASON'],
    plan.rows.map((row) => [
      row.instance,
      row.name,
      row.tag,
      row.state,
      formatStop(row.currentStop, plan.at, timezone),
      formatStop(row.desiredStop, plan.at, timezone),
      row.action,
      row.reason,
    ]),
  );
  const count = (action: string) => plan.rows.filter((row) => row.action === action).length;
  const summary = `${count('set')} to set, ${count('keep')} to keep, ${count('skip')} skipped (times in ${timezone})`;
  return [table, '', summary, ...notes, ...problemLines(plan)].join('\n');
}

/** One line per policy that could not decide an instance's stop: that instance is left as it is. */
function problemLines(plan: Plan): string[] {
  return plan.problems.map((problem) => `not planned: ${problem.instance} (${problem.name}), policy ${problem.policy}: ${problem.error}`);
}

function renderResults(plan: Plan, results: readonly ApplyResult[], timezone: string): string {
  if (results.length === 0) {
    const problems = problemLines(plan);
    if (problems.length > 0) return ['nothing changed', ...problems].join('\n');
    return 'nothing to change: every selected instance already stops as the policies want';
  }
  const table = formatTable(
    ['INSTANCE', 'NAME', 'POLICY', 'STOP SET', 'RESULT', 'DETAIL'],
    results.map((result) => [
      result.row.instance,
      result.row.name,
      result.row.policy,
      formatStop(result.stopTime, plan.at, timezone),
      result.result,
      result.error ?? '',
    ]),
  );
  const failed = results.filter((result) => result.result !== 'ok').length;
  return [table, '', `${results.length - failed} set, ${failed} failed (times in ${timezone})`, ...problemLines(plan)].join('\n');
}

/** `apply --json`: each planned change with how it ended; the field names are part of the CLI's contract. */
function resultsJson(plan: Plan, results: readonly ApplyResult[]) {
  return {
    at: plan.at,
    results: results.map(({ row, ...outcome }) => ({ ...row, ...outcome })),
    unmatchedPolicies: plan.unmatchedPolicies,
    problems: plan.problems,
  };
}
