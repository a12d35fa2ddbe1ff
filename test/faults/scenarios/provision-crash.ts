import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wallClockMs } from '../../../src/sim/request-log.js';
import { CAPACITY_ACTION } from '../../bench/fleet.js';
import { answered, CREATE_ACTION, entriesOf, killPhase, onRequest, ONE_GPU, setEnough, startGrabDaemon, stopDaemon, type GrabConfigOptions, type GrabDaemon, type KillPhase } from '../../bench/grab.js';
import { queryDb } from '../../helpers/daemon.js';
import { startTestSim, type TestSim } from '../../helpers/sim.js';
import { waitFor } from '../../helpers/wait.js';
import { outcomeOf, type Outcome } from '../outcome.js';

export interface ProvisionCrashOptions {
  runs: number;
  /** Runs go this many at a time, each lane on its own simulator (its kill is armed from that simulator's log). */
  lanes: number;
}

/** A SIGKILL lands this many ms (uniform) after the confirming poll reached the simulator. */
const KILL_WINDOW_MS = 120;
/** Every this-many-th run loses the answer to Create (the instance is made, no reply); the others delay it. */
const LOST_ANSWER_EVERY = 4;
const CREATE_LATENCY = { ms: 0, maxMs: 20 };
/** How long a restarted daemon may take to settle its ledger before the run is counted unresolved. */
const SETTLE_TIMEOUT_MS = 20_000;
/** A daemon polls a second or two after it starts; a machine at load 25 has taken over 10 s. */
const START_TIMEOUT_MS = 40_000;
/** The poll comes within a second of the flip; this bound only keeps a broken run from hanging the scenario. */
const KILL_FALLBACK_MS = 10_000;

/** What one run found. */
interface RunResult {
  phase: KillPhase;
  duplicates: number;
  /** The ledger's statuses after the restart, joined: `created`, `unknown`, `none`. */
  ledger: string;
  unresolved: boolean;
  /** The ledger says created, yet the simulator holds no instance of the run's name prefix. */
  missing: boolean;
}

/**
 * kill -9 at a random point of a grab, restart on the same database, count instances: a daemon (dist child) with
 * maxInstances 1 sees a sold-out row flip available and is killed 0-120 ms (uniform) after the confirming poll
 * reached the simulator, so the kill lands before, during or after its Create (delayed 0-20 ms, or its answer lost
 * every 4th run). The restarted daemon settles its ledger; any second instance of the run is a duplicate.
 */
export async function provisionCrash(options: ProvisionCrashOptions): Promise<Outcome> {
  const results: RunResult[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    const sim = await startTestSim();
    const kills = armKills(sim);
    try {
      while (next < options.runs) results.push(await crashRun(sim, kills, next++));
    } finally {
      await sim.close();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.lanes) }, lane));
  return outcomeOfRuns(results, options.runs);
}

function outcomeOfRuns(results: readonly RunResult[], runs: number): Outcome {
  const count = (pick: (result: RunResult) => boolean) => results.filter(pick).length;
  const duplicates = results.reduce((sum, result) => sum + result.duplicates, 0);
  const ledgers = new Map<string, number>();
  for (const { ledger } of results) ledgers.set(ledger, (ledgers.get(ledger) ?? 0) + 1);
  const unresolved = count((result) => result.unresolved);
  const missing = count((result) => result.missing);
  const failures = [
    ...(results.length < runs ? [`${runs - results.length} of ${runs} runs did not finish`] : []),
    ...(duplicates > 0 ? [`${duplicates} duplicate instances`] : []),
    ...(unresolved > 0 ? [`${unresolved} runs whose restarted daemon never settled its ledger`] : []),
    ...(missing > 0 ? [`${missing} runs recorded as created with no instance`] : []),
  ];
  const counts = {
    runs: results.length,
    killedBeforeCreate: count((result) => result.phase === 'before'),
    killedDuringCreate: count((result) => result.phase === 'during'),
    killedAfterCreate: count((result) => result.phase === 'after'),
    duplicates,
    finalLedger: [...ledgers].map(([ledger, times]) => `${ledger}:${times}`).sort().join(','),
    unresolved,
    createdButMissing: missing,
  };
  return outcomeOf('provision-crash', counts, failures);
}

/** The kill of the current run: armed after the baseline poll, fired by the first capacity poll after that. */
interface KillSwitch {
  arm(daemon: GrabDaemon): { killedAtMs(): number | undefined };
}

function armKills(sim: TestSim): KillSwitch {
  let armed: { afterMs: number; daemon: GrabDaemon; killedAtMs?: number } | undefined;
  onRequest(sim, (entry) => {
    if (armed === undefined || entry.action !== CAPACITY_ACTION || entry.receivedMs < armed.afterMs) return;
    const target = armed;
    armed = undefined;
    setTimeout(() => {
      target.daemon.child.kill('SIGKILL');
      target.killedAtMs = wallClockMs();
    }, Math.random() * KILL_WINDOW_MS);
  });
  return {
    arm(daemon) {
      const target = { afterMs: wallClockMs(), daemon } as NonNullable<typeof armed>;
      armed = target;
      return { killedAtMs: () => target.killedAtMs };
    },
  };
}

async function crashRun(sim: TestSim, kills: KillSwitch, run: number): Promise<RunResult> {
  const prefix = `crash${run}-`;
  const dir = mkdtempSync(join(tmpdir(), 'compshare-faults-grab-'));
  const options: GrabConfigOptions = { candidates: [ONE_GPU], maxInstances: 1, namePrefix: prefix };
  const started: GrabDaemon[] = [];
  try {
    await setEnough(sim, [{ row: ONE_GPU, enough: false }]);
    await sim.control('DELETE', 'requests');
    const lostAnswer = run % LOST_ANSWER_EVERY === 0;
    await sim.addFault(lostAnswer ? { kind: 'lost-answer', action: CREATE_ACTION, count: 1 } : { kind: 'latency', action: CREATE_ACTION, count: 1, ...CREATE_LATENCY });
    const first = startGrabDaemon(sim, options, dir);
    started.push(first);
    const firstStart = wallClockMs();
    await waitFor(() => answered(sim, CAPACITY_ACTION).filter((entry) => entry.receivedMs > firstStart).length, (polls) => polls > 0, `run ${run}: the sold-out baseline poll`, { timeoutMs: START_TIMEOUT_MS });
    const kill = kills.arm(first);
    await setEnough(sim, [{ row: ONE_GPU, enough: true }]);
    const fallback = setTimeout(() => first.child.kill('SIGKILL'), KILL_FALLBACK_MS);
    await first.exited;
    clearTimeout(fallback);
    const phase = killPhase(entriesOf(sim, CREATE_ACTION), kill.killedAtMs() ?? wallClockMs());
    await sim.control('DELETE', 'faults');

    started.push(startGrabDaemon(sim, options, dir));
    const intents = await waitFor(
      () => queryDb<{ name: string; status: string }>(join(dir, 'history.db'), 'SELECT name, status FROM provision_intents'),
      (rows) => settled(rows, sentNames(sim)),
      `run ${run}: the restarted daemon to settle its ledger`,
      { timeoutMs: SETTLE_TIMEOUT_MS, intervalMs: 25 },
    ).catch(() => undefined);
    for (const daemon of started) await stopDaemon(daemon, 'SIGKILL');
    const instances = (await sim.instances()).filter((instance) => String(instance.Name).startsWith(prefix)).length;
    return {
      phase,
      duplicates: Math.max(0, instances - 1),
      ledger: intents?.map((intent) => intent.status).join('+') || 'none',
      unresolved: intents === undefined,
      missing: instances === 0 && (intents ?? []).some((intent) => intent.status === 'created'),
    };
  } finally {
    for (const daemon of started) await stopDaemon(daemon, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Settled: an intent exists and none waits; an `unknown` one is left only when its Create never reached the API. */
function settled(intents: ReadonlyArray<{ name: string; status: string }>, sent: ReadonlySet<string>): boolean {
  return intents.length > 0 && intents.every((intent) => intent.status !== 'pending' && intent.status !== 'creating' && (intent.status !== 'unknown' || !sent.has(intent.name)));
}

/** The instance names Creates carried to the simulator. */
function sentNames(sim: TestSim): Set<string> {
  return new Set(entriesOf(sim, CREATE_ACTION).map((entry) => entry.params.Name ?? ''));
}
