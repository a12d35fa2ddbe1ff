import { afterAll, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formBody } from '../../src/compshare/encode.js';
import { signParams } from '../../src/compshare/sign.js';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, startTestSim, type TestSim } from '../helpers/sim.js';
import { waitFor } from '../helpers/wait.js';
import { CAPACITY_ACTION, recordArrivals, sampleRunning, SIM_KEYS_ENV, sleepUntil, tickAtOrAfter, writeFleetConfig } from './fleet.js';
import { measured, report } from './results.js';

/**
 * `poll_cpu_vs_raw_undici`: CPU per poll of the whole daemon (scheduler, client, detector, store) against a bare
 * undici loop sending the same signed bodies. The two run side by side for the whole bench, each against its own
 * simulator: every capacity request of the daemon is handed to the bare loop as it arrives, which sends the same
 * body LAG_MS later from a timer. Both CPU times are read from /proc over the same windows (the bare loop's shifted
 * by the lag), so machine load hits both sides alike. A third process, the same loop that also records each answer
 * in SQLite as the daemon records a quiet poll, shows what durable history alone costs: `sqliteFloor`.
 *
 * The windows that count come after WARMUP_MS. A daemon runs for days, and in its first minute or two V8 is still
 * compiling and optimizing both programs: over the first window after start the daemon costs about twice what it
 * does later, and the bare loop, which has less code to optimize, gets there sooner, so a ratio taken then says
 * more about JIT warm-up than about the poll path. That first window is reported too, as `firstWindow`.
 */
const WATCHES = 40;
const SCHEDULE = '*/1 * * * * *';
const WARMUP_MS = 90_000;
const WINDOW_MS = 15_000;
const WINDOWS = 4;
/** Half a tick: the daemon's 40 requests of a tick go out over 400 ms, so the bare loop's fall between its ticks. */
const LAG_MS = 500;
/** The daemon's own pool size at this rate; the bare loop gets the same, so connection count is not what differs. */
const RAW_CONNECTIONS = 4;
const RAW_LOOP = fileURLToPath(new URL('./raw-undici-loop.mjs', import.meta.url));

const sims: TestSim[] = [];
const children: Array<DaemonProcess['child'] | ChildProcessWithoutNullStreams> = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const sim of sims) await sim.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Window {
  polls: number;
  daemonCpuMs: number;
  rawCpuMs: number;
  floorCpuMs: number;
}

/** A bare loop in its own process, fed over stdin; `done` rejects if any of its requests failed. */
function startLoop(origin: string, database?: string): { child: ChildProcessWithoutNullStreams; done: Promise<void> } {
  const child = spawn(process.execPath, [RAW_LOOP, origin, String(RAW_CONNECTIONS), ...(database ? [database] : [])], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<void>((resolve, reject) =>
    child.on('close', () => {
      const { failures } = JSON.parse(stdout || '{"failures":-1}') as { failures: number };
      if (failures === 0) resolve();
      else reject(new Error(`a bare loop had ${failures} failed requests: ${stderr}`));
    }),
  );
  return { child, done };
}

it(`poll_cpu_vs_raw_undici: ${WATCHES} watches on ${SCHEDULE}, ${WINDOWS} windows of ${WINDOW_MS / 1000} s after ${WARMUP_MS / 1000} s`, async () => {
  const [daemonSim, rawSim, floorSim] = await Promise.all([1, 2, 3].map(() => startTestSim({ seed: 9 })));
  sims.push(daemonSim!, rawSim!, floorSim!);
  const dir = mkdtempSync(join(tmpdir(), 'compshare-watch-bench-'));
  dirs.push(dir);
  const raw = startLoop(rawSim!.url);
  const floor = startLoop(floorSim!.url, join(dir, 'floor.db'));
  const tell = (line: string) => {
    raw.child.stdin.write(line);
    floor.child.stdin.write(line);
  };

  const shapes = new Map<string, number>();
  const polls = recordArrivals(daemonSim!, (arrival) => {
    if (arrival.action !== CAPACITY_ACTION) return;
    const shape = JSON.stringify(arrival.params);
    let index = shapes.get(shape);
    if (index === undefined) {
      index = shapes.size;
      shapes.set(shape, index);
      tell(`B ${index} ${formBody(signParams(arrival.params, SIM_PUBLIC_KEY, SIM_PRIVATE_KEY))}\n`);
    }
    tell(`S ${arrival.atMs + LAG_MS} ${index}\n`);
  });

  const config = writeFleetConfig(dir, daemonSim!.url, { watches: WATCHES, schedule: SCHEDULE, maxRequestsPerSecond: 100 });
  const daemon = startDaemon(config, SIM_KEYS_ENV);
  children.push(daemon.child);
  await waitFor(() => daemon.stderr(), (text) => text.includes('compshare-watch running'), 'the daemon to start', { timeoutMs: 30_000 });

  /** CPU of each over [start, start + WINDOW_MS), the bare loops' shifted by the lag, and the daemon's polls in it. */
  const measureWindow = async (start: number): Promise<Window> => {
    await sleepUntil(start);
    const daemonBefore = sampleRunning(daemon.child.pid!, 'the daemon');
    await sleepUntil(start + LAG_MS);
    const rawBefore = sampleRunning(raw.child.pid!, 'the bare loop');
    const floorBefore = sampleRunning(floor.child.pid!, 'the recording loop');
    await sleepUntil(start + WINDOW_MS);
    const daemonAfter = sampleRunning(daemon.child.pid!, 'the daemon');
    await sleepUntil(start + WINDOW_MS + LAG_MS);
    const rawAfter = sampleRunning(raw.child.pid!, 'the bare loop');
    const floorAfter = sampleRunning(floor.child.pid!, 'the recording loop');
    const inWindow = polls.filter((poll) => poll.action === CAPACITY_ACTION && poll.atMs >= start && poll.atMs < start + WINDOW_MS);
    return {
      polls: inWindow.length,
      daemonCpuMs: daemonAfter.cpuMs - daemonBefore.cpuMs,
      rawCpuMs: rawAfter.cpuMs - rawBefore.cpuMs,
      floorCpuMs: floorAfter.cpuMs - floorBefore.cpuMs,
    };
  };
  // Half-way between ticks, so each window holds whole ticks' polls.
  const startedAt = Date.now();
  const firstWindow = await measureWindow(tickAtOrAfter(startedAt + 3_000, 1_000) - 500);
  const windows: Window[] = [];
  let start = tickAtOrAfter(startedAt + WARMUP_MS, 1_000) - 500;
  for (let index = 0; index < WINDOWS; index++, start += WINDOW_MS) windows.push(await measureWindow(start));

  daemon.child.kill('SIGTERM');
  await daemon.exited;
  raw.child.stdin.end();
  floor.child.stdin.end();
  await Promise.all([raw.done, floor.done]);

  const perPoll = (cpuMs: number, window: Window) => (cpuMs * 1000) / window.polls;
  report('poll_cpu_vs_raw_undici', {
    setup: `${WATCHES} watches (one request shape each) on ${SCHEDULE}, no added latency; daemon and bare loop side by side, each against its own simulator, the loop ${LAG_MS} ms behind; ${WINDOWS} windows of ${WINDOW_MS / 1000} s after ${WARMUP_MS / 1000} s of warm-up`,
    pollsPerWindow: windows[0]!.polls,
    value: measured(windows.map((window) => window.daemonCpuMs / window.rawCpuMs), 'x', 2),
    daemonCpuPerPoll: measured(windows.map((window) => perPoll(window.daemonCpuMs, window)), 'µs', 0),
    rawUndiciCpuPerPoll: measured(windows.map((window) => perPoll(window.rawCpuMs, window)), 'µs', 0),
    sqliteFloor: {
      what: 'the bare loop recording each answer as the daemon records a quiet poll (one transaction, its tables, 5 s checkpoints)',
      cpuPerPoll: measured(windows.map((window) => perPoll(window.floorCpuMs, window)), 'µs', 0),
      vsRawUndici: measured(windows.map((window) => window.floorCpuMs / window.rawCpuMs), 'x', 2),
    },
    daemonVsSqliteFloor: measured(windows.map((window) => window.daemonCpuMs / window.floorCpuMs), 'x', 2),
    firstWindow: {
      startsAfterMs: 3_000,
      ratio: Number((firstWindow.daemonCpuMs / firstWindow.rawCpuMs).toFixed(2)),
      daemonCpuPerPollUs: Math.round(perPoll(firstWindow.daemonCpuMs, firstWindow)),
      rawUndiciCpuPerPollUs: Math.round(perPoll(firstWindow.rawCpuMs, firstWindow)),
    },
  });
}, WARMUP_MS + (WINDOWS + 1) * WINDOW_MS + 90_000);
