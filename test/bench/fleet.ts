import { TEST_HTTP } from '../helpers/cli.js';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestSim } from '../helpers/sim.js';
import { SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, SIM_ZONE } from '../helpers/sim.js';

/** The action every watch polls; other requests (GetProjectList at start) are not polls. */
export const CAPACITY_ACTION = 'CheckCompShareResourceCapacity';

/** One protocol request as it reached the simulator, timed on the wall clock in ms. */
export interface Arrival {
  atMs: number;
  action: string;
  /** The flat wire params without `Signature`. */
  params: Record<string, string>;
}

/**
 * Records when each protocol request reaches an in-process simulator, in ms: its request log keeps whole seconds
 * only, too coarse for lateness. Hooks the log's `record`, which the gateway calls as soon as a request is read;
 * `onArrival` hears of each one as it comes.
 */
export function recordArrivals(sim: TestSim, onArrival?: (arrival: Arrival) => void): Arrival[] {
  const arrivals: Arrival[] = [];
  const log = sim.simulator.state.requests;
  const record = log.record.bind(log);
  log.record = (entry) => {
    const arrival = { atMs: Date.now(), action: entry.action, params: entry.params };
    arrivals.push(arrival);
    onArrival?.(arrival);
    return record(entry);
  };
  return arrivals;
}

/** The image id of watch `index`: distinct per watch, so each has its own request shape and no call is shared. */
export function benchImageId(index: number): string {
  return `compshareImage-bench-${String(index).padStart(4, '0')}`;
}

export function benchWatchName(index: number): string {
  return `w${String(index).padStart(4, '0')}`;
}

export interface FleetOptions {
  watches: number;
  schedule: string;
  maxRequestsPerSecond: number;
  /** Image id of watch i; default benchImageId (one shape per watch). */
  imageId?: (index: number) => string;
}

/** Writes a config with `watches` watches against the simulator into `dir`; returns its path. */
export function writeFleetConfig(dir: string, simUrl: string, options: FleetOptions): string {
  const imageId = options.imageId ?? benchImageId;
  const watches = Array.from(
    { length: options.watches },
    (_, index) =>
      `  - { name: ${benchWatchName(index)}, schedule: "${options.schedule}", zone: ${SIM_ZONE}, gpuType: "4090", ` +
      `imageId: ${imageId(index)}, chargeType: Dynamic, disks: [{ isBoot: true, type: CLOUD_SSD, size: 60 }], match: { gpu: [1, 2] } }`,
  );
  const path = join(dir, 'config.yaml');
  writeFileSync(
    path,
    `api:
  baseUrl: ${simUrl}
  region: cn-wlcb
  maxRequestsPerSecond: ${options.maxRequestsPerSecond}
storage:
  path: ${join(dir, 'history.db')}
${TEST_HTTP}watches:
${watches.join('\n')}
`,
  );
  return path;
}

/** Clock ticks per second of /proc's utime and stime. */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** A process's resident memory and the CPU it has used so far (user + system), read from /proc. */
export interface ProcSample {
  atMs: number;
  rssMb: number;
  cpuMs: number;
}

/** Reads /proc/<pid>; undefined once the process is gone. */
export function sampleProcess(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN);
    // Fields after the parenthesised command name, which may itself hold spaces: utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { atMs: Date.now(), rssMb: rssKb / 1024, cpuMs: (ticks * 1000) / CLOCK_TICKS };
  } catch {
    return undefined;
  }
}

/** Like sampleProcess, for a process that must still be running: one that is gone fails the bench, saying `what`. */
export function sampleRunning(pid: number, what: string): ProcSample {
  const sample = sampleProcess(pid);
  if (!sample) throw new Error(`${what} (pid ${pid}) exited before the measurement ended`);
  return sample;
}

/** Samples a process every `everyMs` until stopped; the samples so far are in `samples`. */
export function sampleEvery(pid: number, everyMs: number): { samples: ProcSample[]; stop(): void } {
  const samples: ProcSample[] = [];
  const timer = setInterval(() => {
    const sample = sampleProcess(pid);
    if (sample) samples.push(sample);
  }, everyMs);
  return { samples, stop: () => clearInterval(timer) };
}

/** Sleeps until the wall clock reaches `epochMs` (at once if it already has). */
export async function sleepUntil(epochMs: number): Promise<void> {
  const wait = epochMs - Date.now();
  if (wait > 0) await delay(wait);
}

/** The first multiple of `periodMs` at or after `epochMs`: where a `*\/N` seconds schedule ticks. */
export function tickAtOrAfter(epochMs: number, periodMs: number): number {
  return Math.ceil(epochMs / periodMs) * periodMs;
}

/** A log line of the daemon (pino JSON), with the fields the benches read. */
export interface LogLine {
  level: number;
  time: number;
  msg: string;
  [field: string]: unknown;
}

/** The daemon's stderr as JSON lines; lines that are not JSON are kept as messages at level 0. */
export function parseLogLines(stderr: string): LogLine[] {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        return { level: 0, time: Number.NaN, msg: line };
      }
    });
}

/** Env for a daemon or CLI child talking to the test simulator. */
export const SIM_KEYS_ENV = { COMPSHARE_PUBLIC_KEY: SIM_PUBLIC_KEY, COMPSHARE_PRIVATE_KEY: SIM_PRIVATE_KEY };

/** A whole-number knob from the environment (a bench's size), within bounds; unset or empty gives `fallback`. */
export function boundedNumber(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new Error(`${name}: expected a whole number from ${min} to ${max}, got "${value}"`);
  }
  return parsed;
}
