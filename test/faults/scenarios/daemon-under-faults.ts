import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryDb, startDaemon, type DaemonProcess } from '../../helpers/daemon.js';
import { startTestSim, type TestSim } from '../../helpers/sim.js';
import { waitFor } from '../../helpers/wait.js';
import { parseLogLines, SIM_KEYS_ENV, writeFleetConfig } from '../../bench/fleet.js';

/** What the fault scenarios that poll through a daemon share: its config, its database, and how it ended. */
export interface DaemonUnderFaults {
  sim: TestSim;
  daemon: DaemonProcess;
  dbPath: string;
  /** Rows of the daemon's database, read as another process would. */
  query<T>(sql: string): T[];
  /** Stops the daemon with SIGTERM and counts the ways it crashed; removes its files and the simulator. */
  stop(): Promise<Crashes>;
}

export interface DaemonFleet {
  watches: number;
  /** A cron pattern with seconds; every watch has its own image id, so no two share a poll. */
  schedule: string;
  maxRequestsPerSecond: number;
  /** api.timeoutMs: short, so a hang costs a watch a tick or two rather than its whole run. */
  timeoutMs: number;
}

/** How a daemon failed its "never crashes" promise; all zero when it ran through and stopped when told. */
export interface Crashes {
  /** Exited before SIGTERM, or with a code other than 0 after it. */
  exits: number;
  /** Log lines at fatal level, or naming an uncaught error or a job that threw (a bug, not an API failure). */
  fatalLines: number;
  /** The first of those lines, for the failure message. */
  firstFatal: string | undefined;
}

/** pino's fatal level; `job failed` (error level) is the scheduler catching a throw, which a poll must never do. */
const FATAL_LEVEL = 60;
const BUG_MESSAGE = /uncaught|unhandled|job failed/i;
/** A daemon still running this long after SIGTERM has failed to stop: it is killed and counted as a crash. */
const STOP_BOUND_MS = 30_000;

/** Starts a simulator (fixed capacity: no seed, so no random walk) and a daemon polling it with `fleet`. */
export async function startDaemonUnderFaults(fleet: DaemonFleet): Promise<DaemonUnderFaults> {
  const sim = await startTestSim();
  const dir = mkdtempSync(join(tmpdir(), 'compshare-faults-daemon-'));
  const dbPath = join(dir, 'history.db');
  const config = writeFleetConfig(dir, sim.url, fleet);
  // The bench fleet's config with the API timeout of this scenario.
  writeFileSync(config, readFileSync(config, 'utf8').replace(/^api:\n/m, `api:\n  timeoutMs: ${fleet.timeoutMs}\n`));
  const daemon = startDaemon(config, SIM_KEYS_ENV);
  let stopping = false;
  let exitedEarly = false;
  void daemon.exited.then(() => (exitedEarly = !stopping));
  await waitFor(
    () => daemon.stderr(),
    (text) => text.includes('compshare-watch running') || daemon.child.exitCode !== null,
    'the daemon to start',
    { timeoutMs: 30_000 },
  );
  return {
    sim,
    daemon,
    dbPath,
    query: (sql) => queryDb(dbPath, sql),
    stop: async () => {
      stopping = true;
      const early = exitedEarly || daemon.child.exitCode !== null;
      if (!early) daemon.child.kill('SIGTERM');
      const killer = setTimeout(() => daemon.child.kill('SIGKILL'), STOP_BOUND_MS);
      const code = await daemon.exited;
      clearTimeout(killer);
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
      const fatal = parseLogLines(daemon.stderr()).filter((line) => line.level >= FATAL_LEVEL || BUG_MESSAGE.test(line.msg));
      return {
        exits: early || code !== 0 ? 1 : 0,
        fatalLines: fatal.length,
        firstFatal: fatal[0] === undefined ? undefined : JSON.stringify(fatal[0]).slice(0, 300),
      };
    },
  };
}

/** The failures a Crashes stands for, in words (none when the daemon ran through). */
export function crashFailures(crashes: Crashes, stderr: string): string[] {
  const failures: string[] = [];
  if (crashes.exits > 0) failures.push(`the daemon exited on its own or not cleanly; log tail: ${stderr.slice(-300)}`);
  if (crashes.fatalLines > 0) failures.push(`${crashes.fatalLines} fatal or uncaught log lines, first: ${crashes.firstFatal}`);
  return failures;
}
