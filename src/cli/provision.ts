import type { Config } from '../config/schema.js';
import { BUDGET_WINDOW_MS, cny } from '../provision/guardrails.js';
import type { Intent, Pause } from '../store/provisions.js';
import type { HistoryStore } from '../store/history-store.js';
import { formatDuration } from '../util/duration.js';
import { printable } from '../util/printable.js';
import { formatLocalTime } from '../util/time-format.js';
import { EXIT_API_ERROR } from './exit.js';
import { withHistory } from './history-context.js';
import { formatStop } from './policy.js';
import { formatTable } from './table.js';
import { UsageError } from './usage-error.js';

/** How many intents of each provisioner `provision status` lists, newest first. */
export const RECENT_INTENTS = 20;
/** How much of a reason a table row shows; --json has all of it. */
const REASON_CHARS = 160;

export interface StatusOptions {
  config?: string;
  provisioner?: string;
  json?: boolean;
}

export interface ResumeOptions {
  config?: string;
}

/** One owned instance in `provision status --json`; times are unix seconds. */
export interface OwnedInstanceStatus {
  name: string;
  instanceId: string | null;
  state: string | null;
  stopStatus: string | null;
  stopTime: number | null;
}

/** One intent in `provision status --json`; `at` is epoch ms, prices are CNY. */
export interface IntentStatusRow {
  at: number;
  name: string;
  status: string;
  gpu: number;
  cpu: number;
  memGb: number;
  hourlyPrice: number | null;
  instanceId: string | null;
  reason: string | null;
}

/** One provisioner in `provision status --json`; the field names are part of the CLI's contract. */
export interface ProvisionerStatus {
  provisioner: string;
  dryRun: boolean;
  paused: { since: number; retCode: number | null; reason: string } | null;
  instances: { owned: number; max: number };
  budget: { spentLast24h: number; dailyBudget: number | null };
  cooldown: { ms: number; remainingMs: number; lastFailureAt: number | null };
  owned: OwnedInstanceStatus[];
  recent: IntentStatusRow[];
}

/** `provision status`: each provisioner's pause, guardrail headroom, owned instances and recent ledger; DB only. */
export async function provisionStatus(options: StatusOptions): Promise<void> {
  await withHistory({ config: options.config }, ({ loaded, store, now }) => {
    const names = provisionerNames(loaded.config, options.provisioner);
    const statuses = names.map((name) => statusOf(loaded.config, store, name, now));
    const timezone = loaded.config.timezone;
    const printed = options.json
      ? JSON.stringify(statuses, null, 2)
      : statuses.map((status) => renderStatus(status, timezone, now)).join('\n\n');
    process.stdout.write(`${printed}\n`);
  });
}

/** `provision resume NAME`: lifts a pause a refused create put on; works while the daemon runs. */
export async function provisionResume(name: string, options: ResumeOptions): Promise<void> {
  await withHistory({ config: options.config }, ({ loaded, store }) => {
    const pause = store.provisions.pauseOf(name);
    if (pause === undefined) {
      // A pause of a provisioner since removed from the config can still be lifted; a typo cannot.
      provisionerNames(loaded.config, name);
      process.stdout.write(`provisioner ${name} is not paused; nothing changed\n`);
      process.exitCode = EXIT_API_ERROR;
      return;
    }
    store.provisions.resume(name);
    const since = formatLocalTime(pause.since, loaded.config.timezone);
    process.stdout.write(`resumed provisioner ${name} (paused since ${since}: ${printable(pause.reason, REASON_CHARS)})\n`);
  });
}

/** Every configured provisioner, or the one named; an unknown name is a usage error listing the configured ones. */
export function provisionerNames(config: Config, only: string | undefined): string[] {
  const names = Object.keys(config.provisioners);
  if (only !== undefined && !names.includes(only)) {
    throw new UsageError(`unknown provisioner "${only}" (configured: ${names.join(', ') || 'none'})`);
  }
  if (names.length === 0) throw new UsageError('the config has no provisioners; add one under provisioners: (see README, Provisioning)');
  return only === undefined ? names : [only];
}

function statusOf(config: Config, store: HistoryStore, name: string, now: number): ProvisionerStatus {
  const settings = config.provisioners[name]!;
  const ledger = store.provisions;
  const usage = ledger.usage(name, now - BUDGET_WINDOW_MS);
  const sinceFailure = usage.lastFailureAt === null ? Infinity : now - usage.lastFailureAt;
  return {
    provisioner: name,
    dryRun: settings.dryRun,
    paused: pauseStatus(ledger.pauseOf(name)),
    instances: { owned: usage.owned, max: settings.maxInstances },
    budget: { spentLast24h: usage.spent, dailyBudget: settings.dailyBudget ?? null },
    cooldown: { ms: settings.cooldown, remainingMs: Math.max(0, settings.cooldown - sinceFailure), lastFailureAt: usage.lastFailureAt },
    owned: ledger
      .ownedInstances()
      .filter((intent) => intent.provisioner === name)
      .map((intent) => ({
        name: intent.name,
        instanceId: intent.instanceId,
        state: intent.instanceState,
        stopStatus: intent.stopStatus,
        stopTime: intent.stopTime,
      })),
    recent: ledger.recent(RECENT_INTENTS, name).map(intentRow),
  };
}

function pauseStatus(pause: Pause | undefined): ProvisionerStatus['paused'] {
  return pause === undefined ? null : { since: pause.since, retCode: pause.retCode, reason: pause.reason };
}

/** The row the intent chose, or the one that triggered it when it chose none (blocked before a candidate). */
function intentRow(intent: Intent): IntentStatusRow {
  const request = intent.request as { gpu?: number; cpu?: number; memGb?: number } | null;
  return {
    at: intent.createdAt,
    name: intent.name,
    status: intent.status,
    gpu: request?.gpu ?? intent.trigger.gpu,
    cpu: request?.cpu ?? intent.trigger.cpu,
    memGb: request?.memGb ?? intent.trigger.mem,
    hourlyPrice: intent.hourlyPrice,
    instanceId: intent.instanceId,
    reason: intent.reason,
  };
}


function renderStatus(status: ProvisionerStatus, timezone: string, now: number): string {
  const mode = status.dryRun ? 'dry run (creates nothing, only logs what it would)' : 'live (creates instances)';
  const { owned, recent } = status;
  const lines = [
    `provisioner ${status.provisioner}: ${mode}, ${pauseText(status, timezone)}`,
    `  instances: ${status.instances.owned} of maxInstances ${status.instances.max}`,
    `  budget:    ${budgetText(status.budget)}`,
    `  cooldown:  ${cooldownText(status.cooldown)}`,
    '',
    owned.length === 0 ? 'owned instances: none' : `owned instances:\n${ownedTable(owned, timezone, now)}`,
    '',
    recent.length === 0 ? 'ledger: no intents yet' : `ledger (newest first, times in ${timezone}):\n${recentTable(recent, timezone)}`,
  ];
  return lines.join('\n');
}

function pauseText({ paused, provisioner }: ProvisionerStatus, timezone: string): string {
  if (paused === null) return 'not paused';
  const since = formatLocalTime(paused.since, timezone);
  return `paused since ${since}: ${printable(paused.reason, REASON_CHARS)} (run: compshare-watch provision resume ${provisioner})`;
}

function budgetText({ spentLast24h, dailyBudget }: ProvisionerStatus['budget']): string {
  if (dailyBudget === null) return `${cny(spentLast24h)} committed in the last 24 h (no dailyBudget)`;
  return `${cny(spentLast24h)} of dailyBudget ${cny(dailyBudget)} committed in the last 24 h`;
}

function cooldownText({ ms, remainingMs }: ProvisionerStatus['cooldown']): string {
  return remainingMs > 0 ? `${formatDuration(remainingMs)} left of ${formatDuration(ms)}` : `none (cooldown ${formatDuration(ms)})`;
}

/** Where the stop of an owned instance stands: its time, still waiting for the instance to run, or none wanted. */
function stopText(row: OwnedInstanceStatus, now: number, timezone: string): string {
  if (row.stopTime !== null) return formatStop(row.stopTime, Math.floor(now / 1000), timezone);
  if (row.stopStatus === 'waiting') return 'waiting for Running';
  return row.stopStatus === 'failed' ? 'not set (failed)' : 'none';
}

function ownedTable(owned: readonly OwnedInstanceStatus[], timezone: string, now: number): string {
  return formatTable(
    ['NAME', 'INSTANCE', 'STATE', 'STOP'],
    owned.map((row) => [row.name, row.instanceId ?? '-', row.state ?? 'not listed yet', stopText(row, now, timezone)]),
  );
}

function recentTable(recent: readonly IntentStatusRow[], timezone: string): string {
  return formatTable(
    ['TIME', 'NAME', 'STATUS', 'SPEC', 'PRICE', 'INSTANCE', 'REASON'],
    recent.map((row) => [
      formatLocalTime(row.at, timezone),
      row.name,
      row.status,
      `${row.gpu}/${row.cpu}/${row.memGb}`,
      row.hourlyPrice === null ? '-' : `${cny(row.hourlyPrice)}/h`,
      row.instanceId ?? '-',
      printable(row.reason ?? '', REASON_CHARS),
    ]),
  );
}
