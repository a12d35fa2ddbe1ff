import { existsSync } from 'node:fs';
import type { LoadedConfig } from '../config/load.js';
import { clientFromConfig } from '../compshare/from-config.js';
import { listAllInstances, type Instance } from '../compshare/actions/describe-instances.js';
import { selects } from '../policy/select.js';
import { HistoryStore } from '../store/history-store.js';
import { systemClock } from '../util/clock.js';
import { printable } from '../util/printable.js';
import { loadConfigSayingWarnings } from './config.js';
import { formatStop } from './policy.js';
import { formatTable } from './table.js';

/** How much of a name or state from the API a table cell shows; --json has all of it. */
const CELL_CHARS = 64;

export interface InstancesOptions {
  config?: string;
  json?: boolean;
}

/** One instance in `instances --json`; `stopTime` is unix seconds or null. The field names are the CLI's contract. */
export interface InstanceRow {
  id: string;
  name: string;
  state: string;
  chargeType: string;
  zone: string;
  gpuType: string;
  gpu: number;
  cpu: number;
  memGb: number;
  stopTime: number | null;
  /** The provisioner whose ledger created it, or null. */
  provisioner: string | null;
  /** The stop policies whose `select` picks it, in config order. */
  policies: string[];
}

/** `instances`: the account's instances in the region and who owns each (a provisioner, a stop policy, nobody). */
export async function instances(options: InstancesOptions): Promise<void> {
  const loaded = await loadConfigSayingWarnings(options.config);
  const client = clientFromConfig(loaded);
  let listed: Instance[];
  try {
    listed = await listAllInstances(client);
  } finally {
    await client.close();
  }
  const creators = provisionerOfInstance(loaded);
  const policies = Object.entries(loaded.config.stopPolicies);
  const rows: InstanceRow[] = listed.map((instance) => ({
    id: instance.id,
    name: instance.name,
    state: instance.state,
    chargeType: instance.chargeType,
    zone: instance.zone,
    gpuType: instance.gpuType,
    gpu: instance.gpu,
    cpu: instance.cpu,
    memGb: instance.memoryMb / 1024,
    stopTime: instance.schedulerStopTime > 0 ? instance.schedulerStopTime : null,
    provisioner: creators.get(instance.id) ?? null,
    policies: policies.filter(([, policy]) => selects(policy.select, instance)).map(([name]) => name),
  }));
  const printed = options.json ? JSON.stringify(rows, null, 2) : renderTable(rows, loaded.config.timezone, loaded.config.api.region);
  process.stdout.write(`${printed}\n`);
}

/** Instance id -> the provisioner that created it, from the ledger; none before the first daemon run. */
function provisionerOfInstance(loaded: LoadedConfig): Map<string, string> {
  const path = loaded.config.storage.path;
  if (!existsSync(path)) return new Map();
  const store = HistoryStore.open(path);
  try {
    return new Map(store.provisions.ownedInstances().map((intent) => [intent.instanceId!, intent.provisioner]));
  } finally {
    store.close();
  }
}

/** `provisioner NAME` when the ledger made it, else the policies that select it, else `-`. */
function ownerOf(row: InstanceRow): string {
  if (row.provisioner !== null) return `provisioner ${row.provisioner}`;
  if (row.policies.length > 0) return `policy ${row.policies.join(', ')}`;
  return '-';
}

function renderTable(rows: readonly InstanceRow[], timezone: string, region: string): string {
  if (rows.length === 0) return `no instances in region ${region}`;
  const now = Math.floor(systemClock.now() / 1000);
  const table = formatTable(
    ['INSTANCE', 'NAME', 'STATE', 'CHARGE', 'GPU', 'CPU', 'MEM GB', 'STOP', 'OWNER'],
    rows.map((row) => [
      row.id,
      printable(row.name, CELL_CHARS),
      printable(row.state, CELL_CHARS),
      printable(row.chargeType, CELL_CHARS),
      `${row.gpu} x ${row.gpuType}`,
      String(row.cpu),
      String(row.memGb),
      row.stopTime === null ? 'none' : formatStop(row.stopTime, now, timezone),
      ownerOf(row),
    ]),
  );
  return `${table}\n\n${rows.length} ${rows.length === 1 ? 'instance' : 'instances'} in region ${region} (times in ${timezone})`;
}
