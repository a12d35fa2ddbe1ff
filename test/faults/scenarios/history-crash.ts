import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { mulberry32 } from '../../../src/sim/random-walk.js';
import { sleepUntil, tickAtOrAfter } from '../../bench/fleet.js';
import { stopDaemon } from '../../bench/grab.js';
import { writeSimConfig } from '../../helpers/cli.js';
import { queryDb, startDaemon, type DaemonProcess } from '../../helpers/daemon.js';
import { startHttpReceiver, type HttpReceiver } from '../../helpers/http-receiver.js';
import { put4090Rows, SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, type TestSim, startTestSim } from '../../helpers/sim.js';
import { waitFor } from '../../helpers/wait.js';
import { outcomeOf, type Outcome } from '../outcome.js';

export interface HistoryCrashOptions {
  runs: number;
  /** Daemons at a time, each on its own database; they share the simulator and the webhook receiver. */
  lanes: number;
  /** Watches per daemon: each polls every second and keeps its own keys, so every flip writes that many times. */
  watches: number;
  seed: number;
}

/** The 4090 rows the driver flips (gpu, cpu, mem GB): with every watch matching all of them, each is a key per watch. */
const ROWS = [
  [1, 16, 64],
  [2, 32, 128],
  [4, 64, 256],
  [8, 128, 512],
] as const;
/** Capacity changes twice a second, between the whole-second polls, so most polls carry transitions. */
const FLIP_EVERY_MS = 500;
/** A daemon restarted on a crashed file polls within a second or two; a machine at load 25 has taken over 15 s. */
const START_TIMEOUT_MS = 40_000;
const KEYS = { COMPSHARE_PUBLIC_KEY: SIM_PUBLIC_KEY, COMPSHARE_PRIVATE_KEY: SIM_PRIVATE_KEY };

/** What the daemon is known to have committed: rows read by another process, and events it delivered. */
interface Committed {
  transitions: Map<number, string>;
  events: Set<string>;
}

/** What one run found after the kill. */
interface RunResult {
  integrity: string;
  lostTransitions: number;
  lostEvents: number;
  /** Transitions and events the snapshot before the kill held (the committed history so far). */
  knownTransitions: number;
  knownEvents: number;
  /** Why the daemon did not take part (it exited before the kill, or never polled), with its last log line. */
  crashed?: string;
}

/**
 * kill -9 during heavy history writes: daemons (dist children) with `watches` watches, every key flipping on a 1 s
 * schedule (the driver sets the rows at random twice a second), are killed at a time uniform over a poll cycle and
 * restarted on the same database for the next run. After each kill `PRAGMA integrity_check` must say ok, and every
 * transition and event known committed must still be there: those another process read just before the kill, and
 * those whose webhook arrived (a delivery is sent only after its event is committed).
 */
export async function historyCrash(options: HistoryCrashOptions): Promise<Outcome> {
  const random = mulberry32(options.seed);
  const sim = await startTestSim();
  const hook = await startHttpReceiver();
  const dirs = Array.from({ length: Math.max(1, options.lanes) }, () => mkdtempSync(join(tmpdir(), 'compshare-faults-history-')));
  const results: RunResult[] = [];
  let driving = true;
  const driver = drive(sim, random, () => driving);
  try {
    let next = 0;
    await Promise.all(
      dirs.map(async (dir, lane) => {
        const config = writeSimConfig(dir, sim.url, lanedConfig(hook, lane, options.watches));
        while (next < options.runs) {
          next += 1;
          results.push(await crashRun(config, join(dir, 'history.db'), hook, lane, random));
        }
      }),
    );
  } finally {
    driving = false;
    await driver;
    await Promise.all([sim.close(), hook.close()]);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  return outcomeOfRuns(results, options);
}

function outcomeOfRuns(results: readonly RunResult[], options: HistoryCrashOptions): Outcome {
  const sum = (pick: (result: RunResult) => number) => results.reduce((total, result) => total + pick(result), 0);
  const notOk = results.filter((result) => result.integrity !== 'ok');
  const counts = {
    runs: results.length,
    // Each daemon's config also keeps writeSimConfig's own watch.
    watches: (options.watches + 1) * Math.max(1, options.lanes),
    integrityOk: results.length - notOk.length,
    committedTransitionsChecked: sum((result) => result.knownTransitions),
    committedEventsChecked: sum((result) => result.knownEvents),
    lostTransitions: sum((result) => result.lostTransitions),
    lostEvents: sum((result) => result.lostEvents),
    crashes: results.filter((result) => result.crashed !== undefined).length,
  };
  const failures = [
    ...(results.length < options.runs ? [`${options.runs - results.length} of ${options.runs} runs did not finish`] : []),
    ...notOk.map((result) => `integrity_check: ${result.integrity}`),
    ...(counts.lostTransitions > 0 ? [`${counts.lostTransitions} committed transitions lost`] : []),
    ...(counts.lostEvents > 0 ? [`${counts.lostEvents} committed events lost`] : []),
    ...results.flatMap((result) => (result.crashed === undefined ? [] : [`daemon ${result.crashed}`])),
    ...(counts.committedTransitionsChecked === 0 ? ['no committed transition was ever seen: nothing was tested'] : []),
  ];
  return outcomeOf('history-crash', counts, failures);
}

/**
 * One lane's watches (all on the simulator's 4090s, every second, matching every row) and its webhook, on a path of
 * its own. writeSimConfig ends inside its `watches:` list (watch w4090, one more writer), so the watches come first.
 */
function lanedConfig(hook: HttpReceiver, lane: number, watches: number): string {
  const watch = (index: number) =>
    `  - { name: w${lane}-${index}, schedule: "*/1 * * * * *", zone: cn-wlcb-01, gpuType: "4090", imageId: compshareImage-test, chargeType: Dynamic, disks: [{ isBoot: true, type: CLOUD_SSD, size: 60 }], confirmDown: 1 }\n`;
  return `${Array.from({ length: watches }, (_, index) => watch(index)).join('')}notify: [hook]
notifiers:
  hook: { type: webhook, url: "${hook.origin}/lane/${lane}" }
`;
}

async function crashRun(config: string, db: string, hook: HttpReceiver, lane: number, random: () => number): Promise<RunResult> {
  const daemon = startDaemon(config, KEYS);
  try {
    const started = Date.now();
    // Polling: a poll of this daemon's life has been committed.
    const polled = await waitFor(() => lastPollAt(db), (at) => at >= started, 'the restarted daemon to poll', { timeoutMs: START_TIMEOUT_MS }).then(
      () => true,
      () => false,
    );
    if (!polled || daemon.child.exitCode !== null) {
      const why = `${polled ? 'exited before the kill' : `no poll within ${START_TIMEOUT_MS} ms`}: ${lastLine(daemon)}`;
      return { ...(await afterKill(daemon, db, emptyCommitted())), crashed: why };
    }
    // Uniform over one poll cycle (the polls start at each whole second).
    await sleepUntil(tickAtOrAfter(Date.now(), 1000) + random() * 1000);
    const committed = snapshot(db, hook, lane);
    const exited = daemon.child.exitCode !== null;
    return { ...(await afterKill(daemon, db, committed)), ...(exited && { crashed: `exited before the kill: ${lastLine(daemon)}` }) };
  } finally {
    await stopDaemon(daemon, 'SIGKILL');
  }
}

/** Kills the daemon (kill -9), then checks the file and that everything known committed is still in it. */
async function afterKill(daemon: DaemonProcess, db: string, committed: Committed): Promise<Omit<RunResult, 'crashed'>> {
  await stopDaemon(daemon, 'SIGKILL');
  // A read-write open recovers the WAL as the next daemon would; integrity_check then reads the whole file.
  const file = new Database(db, { fileMustExist: true });
  try {
    const integrity = (file.pragma('integrity_check') as Array<{ integrity_check: string }>).map((row) => row.integrity_check).join('; ');
    const transitions = new Map((file.prepare('SELECT id, spec_key_id, to_state, at FROM transitions').all() as TransitionRow[]).map((row) => [row.id, describe(row)]));
    const events = new Set((file.prepare('SELECT id FROM events').pluck().all() as string[]));
    const lostTransitions = [...committed.transitions].filter(([id, row]) => transitions.get(id) !== row).length;
    const lostEvents = [...committed.events].filter((id) => !events.has(id)).length;
    return { integrity, lostTransitions, lostEvents, knownTransitions: committed.transitions.size, knownEvents: committed.events.size };
  } finally {
    file.close();
  }
}

interface TransitionRow {
  id: number;
  spec_key_id: number;
  to_state: string;
  at: number;
}

function describe(row: TransitionRow): string {
  return `${row.spec_key_id}:${row.to_state}:${row.at}`;
}

function emptyCommitted(): Committed {
  return { transitions: new Map(), events: new Set() };
}

/** Taken by another process just before the kill: what it reads was committed; plus every event delivered so far. */
function snapshot(db: string, hook: HttpReceiver, lane: number): Committed {
  const transitions = new Map(queryDb<TransitionRow>(db, 'SELECT id, spec_key_id, to_state, at FROM transitions').map((row) => [row.id, describe(row)]));
  const events = new Set(queryDb<{ id: string }>(db, 'SELECT id FROM events').map((row) => row.id));
  for (const request of hook.requests) {
    if (request.url !== `/lane/${lane}`) continue;
    for (const event of (JSON.parse(request.body) as { events: Array<{ id: string }> }).events) events.add(event.id);
  }
  return { transitions, events };
}

function lastLine(daemon: DaemonProcess): string {
  return daemon.stderr().trim().split('\n').pop()?.slice(0, 300) ?? '';
}

function lastPollAt(db: string): number {
  return queryDb<{ at: number | null }>(db, 'SELECT MAX(at) AS at FROM polls')[0]?.at ?? 0;
}

/** Sets every row available or sold out at random, twice a second, until told to stop. */
async function drive(sim: TestSim, random: () => number, going: () => boolean): Promise<void> {
  while (going()) {
    await put4090Rows(sim, ROWS.map(([gpu, cpu, mem]) => [gpu, cpu, mem, random() < 0.5] as const));
    await new Promise((resolve) => setTimeout(resolve, FLIP_EVERY_MS));
  }
}
