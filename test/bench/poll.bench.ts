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
 * by the lag), so machine load hits both sides alike.
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
}

it(`poll_cpu_vs_raw_undici: ${WATCHES} watches on ${SCHEDULE}, ${WINDOWS} windows of ${WINDOW_MS / 1000} s after ${WARMUP_MS / 1000} s`, async () => {
  const daemonSim = await startTestSim({ seed: 9 });
  const rawSim = await startTestSim({ seed: 9 });
  sims.push(daemonSim, rawSim);
  const raw = spawn(process.execPath, [RAW_LOOP, rawSim.url, String(RAW_CONNECTIONS)], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(raw);
  let rawOut = '';
  let rawErr = '';
  raw.stdout.on('data', (chunk: Buffer) => (rawOut += chunk.toString()));
  raw.stderr.on('data', (chunk: Buffer) => (rawErr += chunk.toString()));
  const rawClosed = new Promise<void>((resolve) => raw.on('close', () => resolve()));

  const shapes = new Map<string, number>();
  const polls = recordArrivals(daemonSim, (arrival) => {
    if (arrival.action !== CAPACITY_ACTION) return;
    const shape = JSON.stringify(arrival.params);
    let index = shapes.get(shape);
    if (index === undefined) {
      index = shapes.size;
      shapes.set(shape, index);
      raw.stdin.write(`B ${index} ${formBody(signParams(arrival.params, SIM_PUBLIC_KEY, SIM_PRIVATE_KEY))}\n`);
    }
    raw.stdin.write(`S ${arrival.atMs + LAG_MS} ${index}\n`);
  });

  const dir = mkdtempSync(join(tmpdir(), 'compshare-watch-bench-'));
  dirs.push(dir);
  const config = writeFleetConfig(dir, daemonSim.url, { watches: WATCHES, schedule: SCHEDULE, maxRequestsPerSecond: 100 });
  const daemon = startDaemon(config, SIM_KEYS_ENV);
  children.push(daemon.child);
  await waitFor(() => daemon.stderr(), (text) => text.includes('compshare-watch running'), 'the daemon to start', { timeoutMs: 30_000 });

  /** CPU of both over [start, start + WINDOW_MS), the bare loop's shifted by the lag, and the daemon's polls in it. */
  const measureWindow = async (start: number): Promise<Window> => {
    await sleepUntil(start);
    const daemonBefore = sampleRunning(daemon.child.pid!, 'the daemon');
    await sleepUntil(start + LAG_MS);
    const rawBefore = sampleRunning(raw.pid!, 'the bare loop');
    await sleepUntil(start + WINDOW_MS);
    const daemonAfter = sampleRunning(daemon.child.pid!, 'the daemon');
    await sleepUntil(start + WINDOW_MS + LAG_MS);
    const rawAfter = sampleRunning(raw.pid!, 'the bare loop');
    const inWindow = polls.filter((poll) => poll.action === CAPACITY_ACTION && poll.atMs >= start && poll.atMs < start + WINDOW_MS);
    return { polls: inWindow.length, daemonCpuMs: daemonAfter.cpuMs - daemonBefore.cpuMs, rawCpuMs: rawAfter.cpuMs - rawBefore.cpuMs };
  };
  // Half-way between ticks, so each window holds whole ticks' polls.
  const startedAt = Date.now();
  const firstWindow = await measureWindow(tickAtOrAfter(startedAt + 3_000, 1_000) - 500);
  const windows: Window[] = [];
  let start = tickAtOrAfter(startedAt + WARMUP_MS, 1_000) - 500;
  for (let index = 0; index < WINDOWS; index++, start += WINDOW_MS) windows.push(await measureWindow(start));

  daemon.child.kill('SIGTERM');
  await daemon.exited;
  raw.stdin.end();
  await rawClosed;
  const { failures } = JSON.parse(rawOut || '{"failures":-1}') as { failures: number };
  if (failures !== 0) throw new Error(`the bare loop had ${failures} failed requests: ${rawErr}`);

  const perPoll = (cpuMs: number, window: Window) => (cpuMs * 1000) / window.polls;
  report('poll_cpu_vs_raw_undici', {
    setup: `${WATCHES} watches (one request shape each) on ${SCHEDULE}, no added latency; daemon and bare loop side by side, each against its own simulator, the loop ${LAG_MS} ms behind; ${WINDOWS} windows of ${WINDOW_MS / 1000} s after ${WARMUP_MS / 1000} s of warm-up`,
    pollsPerWindow: windows[0]!.polls,
    value: measured(windows.map((window) => window.daemonCpuMs / window.rawCpuMs), 'x', 2),
    daemonCpuPerPoll: measured(windows.map((window) => perPoll(window.daemonCpuMs, window)), 'µs', 0),
    rawUndiciCpuPerPoll: measured(windows.map((window) => perPoll(window.rawCpuMs, window)), 'µs', 0),
    firstWindow: {
      startsAfterMs: 3_000,
      ratio: Number((firstWindow.daemonCpuMs / firstWindow.rawCpuMs).toFixed(2)),
      daemonCpuPerPollUs: Math.round(perPoll(firstWindow.daemonCpuMs, firstWindow)),
      rawUndiciCpuPerPollUs: Math.round(perPoll(firstWindow.rawCpuMs, firstWindow)),
    },
  });
}, WARMUP_MS + (WINDOWS + 1) * WINDOW_MS + 90_000);
