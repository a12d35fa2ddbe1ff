import { afterAll, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formBody } from '../../src/compshare/encode.js';
import { signParams } from '../../src/compshare/sign.js';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, startTestSim, type TestSim } from '../helpers/sim.js';
import { waitFor } from '../helpers/wait.js';
import {
  CAPACITY_ACTION,
  recordArrivals,
  sampleProcess,
  sampleRunning,
  SIM_KEYS_ENV,
  sleepUntil,
  tickAtOrAfter,
  writeFleetConfig,
  type Arrival,
} from './fleet.js';
import { measured, report } from './results.js';

/**
 * `poll_cpu_vs_raw_undici`: CPU per poll of the whole daemon (scheduler, client, detector, store) against a bare
 * undici loop sending the same signed bodies at the same moments. Each pair runs a fresh daemon for a window and
 * records when each of its requests reached the simulator; the bare loop, its own process, then replays exactly
 * those requests at exactly those offsets. Both CPU times are read from /proc over the window only (start-up left
 * out), and pairs alternate, so a change in machine load hits both sides.
 */
const WATCHES = 40;
const SCHEDULE = '*/1 * * * * *';
const SEGMENT_MS = 15_000;
const PAIRS = 4;
/** The daemon's own pool size today; the bare loop gets the same, so connection count is not what differs. */
const RAW_CONNECTIONS = 4;
const RAW_LOOP = fileURLToPath(new URL('./raw-undici-loop.mjs', import.meta.url));

let sim: TestSim | undefined;
const children: Array<DaemonProcess['child'] | ChildProcessWithoutNullStreams> = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await sim?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

it(`poll_cpu_vs_raw_undici: ${WATCHES} watches on ${SCHEDULE}, ${PAIRS} interleaved pairs of ${SEGMENT_MS / 1000} s`, async () => {
  sim = await startTestSim({ seed: 9 });
  const arrivals = recordArrivals(sim);
  const daemonMicros: number[] = [];
  const rawMicros: number[] = [];
  const ratios: number[] = [];
  let polls = 0;
  for (let pair = 0; pair < PAIRS; pair++) {
    const dir = mkdtempSync(join(tmpdir(), 'compshare-watch-bench-'));
    dirs.push(dir);
    const daemon = await daemonSegment(dir, arrivals);
    const raw = await rawSegment(dir, daemon.requests);
    polls = daemon.requests.length;
    daemonMicros.push((daemon.cpuMs * 1000) / polls);
    rawMicros.push((raw.cpuMs * 1000) / polls);
    ratios.push(daemon.cpuMs / raw.cpuMs);
  }
  report('poll_cpu_vs_raw_undici', {
    setup: `${WATCHES} watches (one request shape each) on ${SCHEDULE}, no added latency; ${PAIRS} pairs of ${SEGMENT_MS / 1000} s, daemon then the bare loop replaying its requests`,
    pollsPerSegment: polls,
    value: measured(ratios, 'x', 2),
    daemonCpuPerPoll: measured(daemonMicros, 'µs', 0),
    rawUndiciCpuPerPoll: measured(rawMicros, 'µs', 0),
  });
}, PAIRS * (2 * SEGMENT_MS + 60_000));

/** Runs a fresh daemon for one window: its CPU over the window and the capacity requests it sent in it. */
async function daemonSegment(dir: string, arrivals: Arrival[]): Promise<{ cpuMs: number; requests: Arrival[] }> {
  const config = writeFleetConfig(dir, sim!.url, { watches: WATCHES, schedule: SCHEDULE, maxRequestsPerSecond: 100 });
  const daemon = startDaemon(config, SIM_KEYS_ENV);
  children.push(daemon.child);
  await waitFor(() => daemon.stderr(), (text) => text.includes('compshare-watch running'), 'the daemon to start', { timeoutMs: 30_000 });
  // Half-way between ticks, a few seconds in: start-up done, and each window holds whole ticks' polls.
  const start = tickAtOrAfter(Date.now() + 3_000, 1_000) - 500;
  const end = start + SEGMENT_MS;
  await sleepUntil(start);
  const before = sampleRunning(daemon.child.pid!, 'the daemon');
  await sleepUntil(end);
  const after = sampleRunning(daemon.child.pid!, 'the daemon');
  daemon.child.kill('SIGTERM');
  await daemon.exited;
  const requests = arrivals.filter((arrival) => arrival.action === CAPACITY_ACTION && arrival.atMs >= start && arrival.atMs < end);
  return { cpuMs: after.cpuMs - before.cpuMs, requests: requests.map((request) => ({ ...request, atMs: request.atMs - start })) };
}

/** Replays `requests` (atMs relative to the window's start) from the bare loop: its CPU over the same length of window. */
async function rawSegment(dir: string, requests: readonly Arrival[]): Promise<{ cpuMs: number }> {
  const startAtMs = Date.now() + 2_000;
  const plan = join(dir, 'raw-plan.json');
  writeFileSync(
    plan,
    JSON.stringify({
      origin: sim!.url,
      connections: RAW_CONNECTIONS,
      startAtMs,
      requests: requests.map(({ atMs, params }) => ({ offsetMs: atMs, body: formBody(signParams(params, SIM_PUBLIC_KEY, SIM_PRIVATE_KEY)) })),
    }),
  );
  const child = spawn(process.execPath, [RAW_LOOP, plan], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await sleepUntil(startAtMs);
  const before = sampleProcess(child.pid!);
  await sleepUntil(startAtMs + SEGMENT_MS);
  const after = sampleProcess(child.pid!);
  await waitFor(() => stdout, (text) => text.includes('"sent"'), 'the bare loop to finish', { timeoutMs: 30_000 });
  child.stdin.end();
  await exited;
  if (!before || !after) throw new Error(`the bare loop ended early: ${stderr}`);
  const { failures } = JSON.parse(stdout) as { failures: number };
  if (failures > 0) throw new Error(`the bare loop had ${failures} failed requests: ${stderr}`);
  return { cpuMs: after.cpuMs - before.cpuMs };
}
