import { matchesSpec, type WatchConfig } from '../config/schema.js';
import { clientFromConfig } from '../compshare/from-config.js';
import { checkResourceCapacity } from '../compshare/actions/check-capacity.js';
import { CompshareError } from '../compshare/errors.js';
import type { AttemptInfo } from '../compshare/client.js';
import { formatDuration } from '../util/duration.js';
import { formatTable } from './table.js';
import { printError } from './exit.js';
import { UsageError } from './usage-error.js';
import { watchNamed } from './options.js';
import { loadConfigSayingWarnings } from './config.js';

/** One row of `check --json`; the field names are part of the CLI's contract. */
export interface CheckRow {
  watch: string;
  zone: string;
  gpuType: string;
  gpu: number;
  cpu: number;
  mem: number;
  resourceEnough: boolean;
  matches: boolean;
}

export interface CheckOptions {
  config?: string;
  watch?: string;
  json?: boolean;
}

/** `check`: polls every watch (or one) once and prints the rows. */
export async function check(options: CheckOptions): Promise<void> {
  const loaded = await loadConfigSayingWarnings(options.config);
  const watches = selectWatches(loaded.config.watches, options.watch);
  const client = clientFromConfig(loaded, { onSlowAttempt: sayWhichAttemptWaits });
  try {
    const outcomes = await Promise.all(watches.map((watch) => pollWatch(client, watch)));
    const rows = outcomes.flatMap((outcome) => (outcome instanceof CompshareError ? [] : outcome));
    const failures = outcomes.filter((outcome): outcome is CompshareError => outcome instanceof CompshareError);
    if (options.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    // When every poll failed there is no table to show, only the errors.
    else if (failures.length < outcomes.length) process.stdout.write(`${renderTable(rows)}\n`);
    if (failures.length > 0) {
      for (const failure of failures) printError(failure.message);
      process.exitCode = 1;
    }
  } finally {
    await client.close();
  }
}

/** Breaks the silence of a hanging API on stderr (stdout, maybe --json, stays as it is). */
function sayWhichAttemptWaits({ action, attempt, maxAttempts, timeoutMs }: AttemptInfo): void {
  const timeout = formatDuration(timeoutMs);
  process.stderr.write(`compshare-watch: waiting for ${action} (attempt ${attempt} of ${maxAttempts}, timeout ${timeout})...\n`);
}

function selectWatches(watches: readonly WatchConfig[], name: string | undefined): readonly WatchConfig[] {
  if (watches.length === 0) throw new UsageError('the config has no watches; add one under watches:');
  return name === undefined ? watches : [watchNamed(watches, name)];
}

/** A failed watch yields its error so the other watches still print. */
async function pollWatch(
  client: ReturnType<typeof clientFromConfig>,
  watch: WatchConfig,
): Promise<CheckRow[] | CompshareError> {
  try {
    const { rows } = await checkResourceCapacity(client, watch);
    return rows.map((row) => ({
      watch: watch.name,
      zone: watch.zone,
      gpuType: watch.gpuType,
      gpu: row.gpu,
      cpu: row.cpu,
      mem: row.mem,
      resourceEnough: row.resourceEnough,
      matches: matchesSpec(watch.match, row),
    }));
  } catch (error) {
    if (error instanceof CompshareError) return error;
    throw error;
  }
}

function renderTable(rows: readonly CheckRow[]): string {
  if (rows.length === 0) return 'no rows returned';
  return formatTable(
    ['WATCH', 'ZONE', 'GPU TYPE', 'GPU', 'CPU', 'MEM GB', 'AVAILABLE', 'MATCH'],
    rows.map((row) => [
      row.watch,
      row.zone,
      row.gpuType,
      String(row.gpu),
      String(row.cpu),
      String(row.mem),
      row.resourceEnough ? 'yes' : 'no',
      row.matches ? '*' : '',
    ]),
  );
}
