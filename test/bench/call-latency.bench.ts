import { afterAll, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { SIM_PRIVATE_KEY, SIM_PUBLIC_KEY } from '../helpers/sim.js';
import { selfSignedCert } from '../helpers/tls.js';
import { waitFor } from '../helpers/wait.js';
import { boundedNumber } from './fleet.js';
import { measured, quantile, report } from './results.js';
import { bareUndiciPool, newConnectionPerCall, projectClient, type Caller, type Target } from './tls-callers.js';

/**
 * `call_latency_vs_python_sdk`: per-call latency of the project's client against a new TLS connection per call (the
 * official SDKs' pattern), over HTTPS to the simulator on 127.0.0.1 with a fresh self-signed certificate, plus a
 * bare undici keep-alive pool as the floor. The simulator runs in its own process; the three callers share this one
 * and take turns: each round gives every side CALLS sequential calls, in an order that rotates per round, so a
 * change in machine load hits all of them. Quantiles are taken per round, and each figure is the median over rounds.
 * To see what the tail is made of, every call is checked against the GC pauses that overlapped it, the event loop's
 * delay is sampled per side, and new connections are counted per side.
 */
const ROUNDS = boundedNumber('BENCH_LATENCY_ROUNDS', process.env.BENCH_LATENCY_ROUNDS, 10, 1, 100);
const CALLS = boundedNumber('BENCH_LATENCY_CALLS', process.env.BENCH_LATENCY_CALLS, 500, 10, 10_000);
const WARM_UP_CALLS = 200;
/**
 * Calls start at least this far apart: at the config's highest rate (1,000/s) the client's limiter spaces calls
 * 1 ms apart, and back-to-back calls faster than that would measure the limiter's queue rather than a call.
 */
const PACE_MS = 2;
const BASELINE_LABEL = 'Node stand-in for the Python SDK pattern (new TLS connection per call); the Python SDK is not installed';
const SIM_SCRIPT = fileURLToPath(new URL('./tls-sim.mjs', import.meta.url));

type SideName = 'client' | 'baseline' | 'floor';
const SIDES: readonly SideName[] = ['client', 'baseline', 'floor'];

interface Call {
  startMs: number;
  latencyMs: number;
}

interface Side {
  caller: Caller;
  /** Per round, every call of the round. */
  rounds: Call[][];
  /** Per round, the event loop's delay while the side ran: one histogram each, as a re-enabled one counts the gap. */
  loopDelays: IntervalHistogram[];
  /** CPU time of this process over the side's measured rounds, in µs. */
  cpuMicros: number;
  /** Over the measured rounds: from undici's diagnostics channel, or the caller's own count. */
  newConnections: number;
}

let dir: string | undefined;
let sim: ChildProcessWithoutNullStreams | undefined;
const callers: Caller[] = [];

afterAll(async () => {
  await Promise.all(callers.map((caller) => caller.close()));
  sim?.stdin.end();
  if (sim && sim.exitCode === null) await new Promise((resolve) => sim!.on('close', resolve));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it(`call_latency_vs_python_sdk: ${ROUNDS} rounds of ${CALLS} sequential calls per side over local HTTPS`, async () => {
  dir = mkdtempSync(join(tmpdir(), 'compshare-watch-bench-tls-'));
  const { cert } = selfSignedCert(dir);
  const target: Target = { url: await startTlsSim(dir), ca: cert };
  const sides = {
    client: side(projectClient(target)),
    baseline: side(newConnectionPerCall(target)),
    floor: side(bareUndiciPool(target)),
  } satisfies Record<SideName, Side>;

  for (const name of SIDES) for (let i = 0; i < WARM_UP_CALLS; i++) await sides[name].caller.call();

  const gcPauses: Array<{ startMs: number; endMs: number }> = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcPauses.push({ startMs: entry.startTime, endMs: entry.startTime + entry.duration });
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  let current: SideName | undefined;
  const onConnected = () => {
    if (current) sides[current].newConnections++;
  };
  subscribe('undici:client:connected', onConnected);
  const startedMs = performance.now();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (let turn = 0; turn < SIDES.length; turn++) {
        current = SIDES[(round + turn) % SIDES.length]!;
        const before = sides[current].caller.connectionsOpened?.() ?? 0;
        sides[current].rounds.push(await runSegment(sides[current]));
        sides[current].newConnections += (sides[current].caller.connectionsOpened?.() ?? 0) - before;
      }
    }
  } finally {
    current = undefined;
    unsubscribe('undici:client:connected', onConnected);
    gcObserver.disconnect();
  }
  const wallSeconds = (performance.now() - startedMs) / 1000;

  const quantilesOf = (name: SideName, q: number) => sides[name].rounds.map((calls) => quantile(calls.map((call) => call.latencyMs), q));
  const ratiosOf = (name: SideName, q: number) => {
    const baseline = quantilesOf('baseline', q);
    return quantilesOf(name, q).map((value, round) => value / baseline[round]!);
  };
  const latencies = (name: SideName) => ({
    p50: measured(quantilesOf(name, 0.5), 'ms', 3),
    p99: measured(quantilesOf(name, 0.99), 'ms', 3),
    max: measured(quantilesOf(name, 1), 'ms', 3),
  });
  report('call_latency_vs_python_sdk', {
    setup: `CheckCompShareResourceCapacity to the simulator over HTTPS on 127.0.0.1 (self-signed RSA 2048, TLS 1.3), simulator in its own process; ${ROUNDS} rounds, each ${CALLS} sequential calls per side (order rotating per round), calls at least ${PACE_MS} ms apart, after ${WARM_UP_CALLS} warm-up calls per side; quantiles per round, median over rounds`,
    baseline: BASELINE_LABEL,
    // The figure: the client's p50 and p99 over the baseline's, per round (targets in results.ts TARGETS).
    value: measured(ratiosOf('client', 0.5), 'x', 2),
    p99: measured(ratiosOf('client', 0.99), 'x', 2),
    floorRatioP50: measured(ratiosOf('floor', 0.5), 'x', 2),
    floorRatioP99: measured(ratiosOf('floor', 0.99), 'x', 2),
    client: latencies('client'),
    baselineNewConnectionPerCall: latencies('baseline'),
    floorBareUndiciPool: latencies('floor'),
    tail: Object.fromEntries(SIDES.map((name) => [name, tailOf(sides[name], gcPauses)])),
    wallSeconds: Number(wallSeconds.toFixed(1)),
  });
}, 600_000);

function side(caller: Caller): Side {
  callers.push(caller);
  return { caller, rounds: [], loopDelays: [], cpuMicros: 0, newConnections: 0 };
}

/** CALLS sequential calls, each started PACE_MS or more after the previous one started, timed one by one. */
async function runSegment(side: Side): Promise<Call[]> {
  const calls: Call[] = [];
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  side.loopDelays.push(loopDelay);
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  let nextStartMs = performance.now();
  for (let i = 0; i < CALLS; i++) {
    const waitMs = nextStartMs - performance.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    const startMs = performance.now();
    await side.caller.call();
    calls.push({ startMs, latencyMs: performance.now() - startMs });
    nextStartMs = startMs + PACE_MS;
  }
  const cpu = process.cpuUsage(cpuBefore);
  side.cpuMicros += cpu.user + cpu.system;
  loopDelay.disable();
  return calls;
}

/**
 * What one side's slow calls were made of: how many of the calls at or over its p99 (per round) overlapped a GC
 * pause, against how many of all its calls did, the GC time that fell inside its calls, this process's CPU per call,
 * the event loop's delay while it ran (p99: median over rounds), and the connections it opened over the rounds.
 */
function tailOf(side: Side, gcPauses: ReadonlyArray<{ startMs: number; endMs: number }>): Record<string, number> {
  const overlapsGc = (call: Call) =>
    gcPauses.some((pause) => pause.startMs < call.startMs + call.latencyMs && pause.endMs > call.startMs);
  const gcInside = (call: Call) =>
    gcPauses.reduce((sum, pause) => sum + Math.max(0, Math.min(pause.endMs, call.startMs + call.latencyMs) - Math.max(pause.startMs, call.startMs)), 0);
  const all = side.rounds.flat();
  const slow = side.rounds.flatMap((calls) => {
    const p99 = quantile(calls.map((call) => call.latencyMs), 0.99);
    return calls.filter((call) => call.latencyMs >= p99);
  });
  const share = (calls: Call[]) => Number((calls.filter(overlapsGc).length / calls.length).toFixed(3));
  const round3 = (value: number) => Number(value.toFixed(3));
  return {
    slowCalls: slow.length,
    slowCallsWithGcShare: share(slow),
    allCallsWithGcShare: share(all),
    gcMsPerSlowCall: round3(slow.reduce((sum, call) => sum + gcInside(call), 0) / slow.length),
    gcMsPerCall: round3(all.reduce((sum, call) => sum + gcInside(call), 0) / all.length),
    cpuMicrosPerCall: Math.round(side.cpuMicros / all.length),
    eventLoopDelayP99Ms: round3(quantile(side.loopDelays.map((histogram) => histogram.percentile(99)), 0.5) / 1e6),
    eventLoopDelayMaxMs: round3(Math.max(...side.loopDelays.map((histogram) => histogram.max)) / 1e6),
    newConnections: side.newConnections,
  };
}

/** Starts the simulator behind TLS in its own process (from dist/); resolves to its https:// URL. */
async function startTlsSim(certDir: string): Promise<string> {
  sim = spawn(process.execPath, [SIM_SCRIPT, join(certDir, 'key.pem'), join(certDir, 'cert.pem'), SIM_PUBLIC_KEY, SIM_PRIVATE_KEY], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  sim.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  sim.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await waitFor(() => (sim!.exitCode === null ? stdout : `exited: ${stderr}`), (text) => text.includes('\n') || text.startsWith('exited'), 'the TLS simulator to listen', { timeoutMs: 30_000 });
  if (!stdout.includes('url')) throw new Error(`the TLS simulator did not start (is dist/ built? npx tsc -p tsconfig.json): ${stderr}`);
  return (JSON.parse(stdout) as { url: string }).url;
}
