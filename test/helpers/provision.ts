import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { queryDb, startDaemon, type DaemonProcess } from './daemon.js';
import { put4090Rows, SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, type TestSim } from './sim.js';
import { waitFor } from './wait.js';

/** The login password the provisioning config takes from the environment (`${GRAB_PASSWORD}`). */
export const GRAB_PASSWORD = 'Grab-pass-1';

/** What a provisioning daemon is started with: the simulator's keys and the instance password. */
export const PROVISION_ENV: Record<string, string> = {
  COMPSHARE_PUBLIC_KEY: SIM_PUBLIC_KEY,
  COMPSHARE_PRIVATE_KEY: SIM_PRIVATE_KEY,
  GRAB_PASSWORD,
};

/** The sim's 1 x 4090 row quotes CNY 1.90/h (1.88 a GPU plus the 60 GB disk), 2 x 4090 CNY 3.78/h. */
export const ONE_GPU = [1, 16, 64] as const;
export const TWO_GPU = [2, 32, 128] as const;

export interface ProvisionConfigOptions {
  /** Keys of provisioner `grab` that replace the defaults below (dryRun false, both rows, CNY 5/h, policy `eight`). */
  provisioner?: Record<string, unknown>;
  /** The client's per-request timeout; short for lost-answer faults. */
  apiTimeoutMs?: number;
  /** Keys of watch `w4090` that replace or add to the defaults below (e.g. `confirmDown: 1`). */
  watch?: Record<string, unknown>;
}

export interface ProvisionConfig {
  path: string;
  db: string;
}

/**
 * Writes a config for a daemon against `simUrl`: watch `w4090` (every second, Dynamic, one 60 GB boot disk) that
 * names provisioner `grab`, whose stop policy `eight` selects nothing, so a stop on the new instance can only come
 * from provisioning. The password comes from `${GRAB_PASSWORD}`.
 */
export function writeProvisionConfig(dir: string, simUrl: string, options: ProvisionConfigOptions = {}): ProvisionConfig {
  const db = join(dir, 'history.db');
  const config = {
    api: { baseUrl: simUrl, region: 'cn-wlcb', timeoutMs: options.apiTimeoutMs ?? 2000 },
    storage: { path: db },
    // A free port: daemons of parallel tests never compete for the default one.
    http: { listen: '127.0.0.1:0' },
    watches: [
      {
        name: 'w4090',
        schedule: '*/1 * * * * *',
        zone: 'cn-wlcb-01',
        gpuType: '4090',
        imageId: 'compshareImage-test',
        chargeType: 'Dynamic',
        disks: [{ isBoot: true, type: 'CLOUD_SSD', size: 60 }],
        match: { gpu: [1, 2] },
        provision: 'grab',
        ...options.watch,
      },
    ],
    provisioners: {
      grab: {
        dryRun: false,
        candidates: [
          { gpu: ONE_GPU[0], cpu: ONE_GPU[1], memGb: ONE_GPU[2] },
          { gpu: TWO_GPU[0], cpu: TWO_GPU[1], memGb: TWO_GPU[2] },
        ],
        maxHourlyPrice: 5,
        password: '${GRAB_PASSWORD}',
        stopPolicy: 'eight',
        ...options.provisioner,
      },
    },
    stopPolicies: { eight: { select: { tag: ['nomatch'] }, maxRuntimeHours: 8 } },
  };
  const path = join(dir, 'config.yaml');
  writeFileSync(path, stringify(config));
  return { path, db };
}

/** Starts `run` on a provisioning config with the simulator's keys and the password. */
export function startProvisionDaemon(config: ProvisionConfig): DaemonProcess {
  return startDaemon(config.path, PROVISION_ENV);
}

/** Sets the sim's two 4090 rows the provisioner lists: whether each has enough capacity. */
export function setRows(sim: TestSim, oneGpu: boolean, twoGpu: boolean): Promise<void> {
  return put4090Rows(sim, [
    [...ONE_GPU, oneGpu],
    [...TWO_GPU, twoGpu],
  ]);
}

/** A ledger row as the tests read it. */
export interface IntentRow {
  id: number;
  name: string;
  status: string;
  instance_id: string | null;
  failure: string | null;
  reason: string | null;
  trigger_gpu: number;
  stop_status: string | null;
  stop_time: number | null;
  dry_run: number;
}

export function intents(db: string): IntentRow[] {
  return queryDb<IntentRow>(db, 'SELECT * FROM provision_intents ORDER BY id');
}

/** Events of one type with their payloads parsed, oldest first. */
export function eventsOf(db: string, type: string): Array<Record<string, any>> {
  return queryDb<{ payload: string }>(db, `SELECT payload FROM events WHERE type = '${type}' ORDER BY seq`).map((row) =>
    JSON.parse(row.payload),
  );
}

/** How many requests for `action` the simulator has received. */
export async function countOf(sim: TestSim, action: string): Promise<number> {
  return (await sim.requestCounts())[action] ?? 0;
}

/**
 * Waits until the watch has polled `polls` more times than now. Polls of one watch never overlap, so once the
 * second has arrived the first one's result is stored.
 */
export async function morePolls(sim: TestSim, polls: number): Promise<void> {
  const seen = await countOf(sim, 'CheckCompShareResourceCapacity');
  await waitFor(() => countOf(sim, 'CheckCompShareResourceCapacity'), (count) => count >= seen + polls, `${polls} more polls`);
}

/** Waits for the ledger to hold `count` intents none of which is still on its way (pending, creating, unknown). */
export function settledIntents(db: string, count: number): Promise<IntentRow[]> {
  const open = new Set(['pending', 'creating', 'unknown']);
  return waitFor(
    () => intents(db),
    (rows) => rows.length === count && rows.every((row) => !open.has(row.status)),
    `${count} settled intent(s)`,
  );
}
