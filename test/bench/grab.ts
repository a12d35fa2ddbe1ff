import type { RequestLogEntry } from '../../src/sim/request-log.js';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.js';
import type { TestSim } from '../helpers/sim.js';
import { SIM_ZONE } from '../helpers/sim.js';
import { CAPACITY_ACTION } from './fleet.js';
import { PROVISION_ENV, writeProvisionConfig } from '../helpers/provision.js';

export const CREATE_ACTION = 'CreateCompShareInstance';

/** A 4090 capacity row of the simulator's default ladder, as the provisioner's candidates name it. */
export interface BenchRow {
  gpu: number;
  cpu: number;
  memGb: number;
}

/** The two rows the provisioning benches flip: 1 and 2 GPUs of the default 4090 ladder, both under maxHourlyPrice. */
export const ONE_GPU: BenchRow = { gpu: 1, cpu: 16, memGb: 64 };
export const TWO_GPUS: BenchRow = { gpu: 2, cpu: 32, memGb: 128 };

export interface GrabConfigOptions {
  candidates: readonly BenchRow[];
  maxInstances: number;
  namePrefix: string;
}

/**
 * Writes a daemon config (test/helpers/provision.ts) with a real provisioner of `candidates`; `confirmDown: 1` lets
 * a row go sold out on one reading, so each poll can carry a flip and the benches need no idle polls between flips.
 */
export function writeGrabConfig(dir: string, simUrl: string, options: GrabConfigOptions): string {
  const candidates = options.candidates.map(({ gpu, cpu, memGb }) => ({ gpu, cpu, memGb }));
  const provisioner = { candidates, maxInstances: options.maxInstances, namePrefix: options.namePrefix };
  return writeProvisionConfig(dir, simUrl, { watch: { confirmDown: 1 }, provisioner }).path;
}

/** Sets which of `rows` the simulator has enough of (the others sold out), through the control API. */
export async function setEnough(sim: TestSim, rows: ReadonlyArray<{ row: BenchRow; enough: boolean }>): Promise<void> {
  await sim.control('PATCH', 'capacity', {
    zone: SIM_ZONE,
    gpuType: '4090',
    rows: rows.map(({ row, enough }) => ({ gpu: row.gpu, cpu: row.cpu, mem: row.memGb, enough })),
  });
}

/**
 * Calls `listener` with each protocol request the in-process simulator logs, the moment it is read (before it is
 * answered): the crash bench arms its kill from there. The entry is the log's own, so its answer fills in later.
 */
export function onRequest(sim: TestSim, listener: (entry: RequestLogEntry) => void): void {
  const log = sim.simulator.state.requests;
  const record = log.record.bind(log);
  log.record = (entry) => {
    const full = record(entry);
    listener(full);
    return full;
  };
}

/**
 * Per Create: its arrival minus the answer of the last capacity poll answered before it (the poll whose answer
 * flipped the row), in ms. Creates with no poll answered before them are left out.
 */
export function detectToCreateMs(entries: readonly RequestLogEntry[]): number[] {
  const answeredPolls = entries
    .filter((entry) => entry.action === CAPACITY_ACTION && entry.answeredMs !== null)
    .map((entry) => entry.answeredMs!)
    .sort((a, b) => a - b);
  return entries
    .filter((entry) => entry.action === CREATE_ACTION)
    .flatMap((create) => {
      const confirming = lastAtOrBefore(answeredPolls, create.receivedMs);
      return confirming === undefined ? [] : [create.receivedMs - confirming];
    });
}

function lastAtOrBefore(sorted: readonly number[], limit: number): number | undefined {
  let found: number | undefined;
  for (const value of sorted) {
    if (value > limit) break;
    found = value;
  }
  return found;
}

/** Where a SIGKILL landed in a grab, from the simulator's side. */
export type KillPhase = 'before' | 'during' | 'after';

/**
 * `before`: no Create had reached the simulator at `killedAtMs`; `after`: a Create had been answered by then;
 * `during`: one had arrived and was not answered yet (in flight, or held by a latency or lost-answer fault).
 */
export function killPhase(creates: readonly RequestLogEntry[], killedAtMs: number): KillPhase {
  const arrived = creates.filter((entry) => entry.receivedMs <= killedAtMs);
  if (arrived.length === 0) return 'before';
  return arrived.some((entry) => entry.answeredMs !== null && entry.answeredMs <= killedAtMs) ? 'after' : 'during';
}

/** The in-process simulator's log entries of one action, oldest first. */
export function entriesOf(sim: TestSim, action: string): RequestLogEntry[] {
  return sim.simulator.state.requests.list().filter((entry) => entry.action === action);
}

/** The entries of one action the simulator has answered. */
export function answered(sim: TestSim, action: string): RequestLogEntry[] {
  return entriesOf(sim, action).filter((entry) => entry.answeredMs !== null);
}

/** A grab daemon and the directory that holds its config and database (a restart reuses it). */
export type GrabDaemon = DaemonProcess & { dir: string };

/** Starts a daemon (dist child) on a grab config written into `dir`; the caller waits for its polls. */
export function startGrabDaemon(sim: TestSim, options: GrabConfigOptions, dir: string): GrabDaemon {
  return { ...startDaemon(writeGrabConfig(dir, sim.url, options), PROVISION_ENV), dir };
}

/** Sends `signal` unless the daemon has exited already, and waits for it to exit. */
export async function stopDaemon(daemon: DaemonProcess, signal: NodeJS.Signals): Promise<void> {
  if (daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill(signal);
  await daemon.exited;
}
