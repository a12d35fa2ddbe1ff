import { afterAll, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { startTestSim, type TestSim } from '../helpers/sim.js';
import { waitFor } from '../helpers/wait.js';
import {
  benchImageId,
  benchWatchName,
  boundedNumber,
  CAPACITY_ACTION,
  parseLogLines,
  recordArrivals,
  sampleEvery,
  sampleRunning,
  SIM_KEYS_ENV,
  sleepUntil,
  tickAtOrAfter,
  writeFleetConfig,
} from './fleet.js';
import { attributeToTicks } from './lateness.js';
import { once, quantile, report } from './results.js';

/**
 * `scale_500_watches`: the daemon as a child process with 500 watches on one 10-second schedule against the
 * simulator answering in 50-200 ms, at a rate limit that admits the demand (50 requests/s). Every watch has its own
 * image id, so no two share a request shape and sharing cannot hide the load. Lateness is measured where it costs a
 * user a card: when a poll's request reaches the API, against the tick it belongs to.
 *
 * BENCH_SCALE_SECONDS (default 60, the issue measured 180) sets the measured window; the whole run takes about that
 * plus 30 s, plus however long the daemon takes to stop. BENCH_SCALE_RPS sets api.maxRequestsPerSecond.
 */
const WATCHES = 500;
const PERIOD_MS = 10_000;
const SCHEDULE = '*/10 * * * * *';
/**
 * 100 (BENCH_SCALE_RPS) admits the average demand of 50 requests/s, but not a tick's burst: 500 requests spaced
 * 10 ms apart take 5 s to send, so p99 lateness cannot fall below `latenessFloorP99Seconds` unless polls are shared
 * or the rate is higher.
 */
const MAX_REQUESTS_PER_SECOND = boundedNumber('BENCH_SCALE_RPS', process.env.BENCH_SCALE_RPS, 100, 1, 1000);
const LATENCY = { ms: 50, maxMs: 200 };
const WINDOW_SECONDS = boundedNumber('BENCH_SCALE_SECONDS', process.env.BENCH_SCALE_SECONDS, 60, 10, 1800);
/** After the window the daemon runs on this long, so SIGTERM finds polls under way, as it would in real life. */
const TAIL_MS = 5_000;
/** A daemon still running this long after SIGTERM is killed, and the figure says so. */
const EXIT_BOUND_MS = 150_000;

let sim: TestSim | undefined;
let daemon: DaemonProcess | undefined;
const dirs: string[] = [];

afterAll(async () => {
  if (daemon && daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill('SIGKILL');
  await daemon?.exited;
  await sim?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

it(`scale_500_watches: ${WATCHES} watches on ${SCHEDULE}, 50-200 ms API latency, ${WINDOW_SECONDS} s`, async () => {
  sim = await startTestSim({ seed: 9 });
  await sim.addFault({ kind: 'latency', ...LATENCY });
  const arrivals = recordArrivals(sim);
  const dir = mkdtempSync(join(tmpdir(), 'compshare-watch-bench-'));
  dirs.push(dir);
  const config = writeFleetConfig(dir, sim.url, { watches: WATCHES, schedule: SCHEDULE, maxRequestsPerSecond: MAX_REQUESTS_PER_SECOND });
  const started = Date.now();
  const running = startDaemon(config, SIM_KEYS_ENV);
  daemon = running;
  const pid = running.child.pid!;
  const sampler = sampleEvery(pid, 1_000);
  await waitFor(() => running.stderr(), (text) => text.includes('compshare-watch running'), 'the daemon to start', { timeoutMs: 60_000 });
  const startupMs = Date.now() - started;

  const windowStart = tickAtOrAfter(Date.now() + 1_000, PERIOD_MS);
  const windowEnd = windowStart + tickAtOrAfter(WINDOW_SECONDS * 1000, PERIOD_MS);
  await sleepUntil(windowStart);
  const cpuAtStart = sampleRunning(pid, 'the daemon');
  await sleepUntil(windowEnd);
  const cpuAtEnd = sampleRunning(pid, 'the daemon');
  // After the CPU and steady RSS samples, so that rendering /metrics for 500 watches counts in neither.
  const heap = await heapAtWindowEnd(running.stderr());
  await sleepUntil(windowEnd + TAIL_MS);
  sampler.stop();

  const termAt = performance.now();
  const termAtMs = Date.now();
  running.child.kill('SIGTERM');
  const exitedInTime = await Promise.race([running.exited.then(() => true), sleepUntil(Date.now() + EXIT_BOUND_MS).then(() => false)]);
  if (!exitedInTime) running.child.kill('SIGKILL');
  await running.exited;
  const sigtermToExitMs = performance.now() - termAt;

  const lines = parseLogLines(running.stderr());
  const stoppedIndex = lines.findIndex((line) => line.msg === 'compshare-watch stopped');
  const afterStopped = stoppedIndex < 0 ? [] : lines.slice(stoppedIndex + 1);
  const inWindow = (line: { time: number }) => line.time >= windowStart && line.time < windowEnd;
  // Today's scheduler logs each skipped tick with its job; a dropped-tick summary may carry counts in fields named so.
  const skipLines = lines.filter((line) => /skipping/i.test(line.msg) && typeof (line.job ?? line.watch) === 'string');
  const dropLines = lines.filter((line) => /drop/i.test(line.msg));
  const watches = Array.from({ length: WATCHES }, (_, index) => benchWatchName(index));
  const byWatch = (times: Array<{ watch: string; at: number }>) => {
    const map = new Map<string, number[]>();
    for (const { watch, at } of times) map.set(watch, [...(map.get(watch) ?? []), at]);
    return map;
  };
  const imageToWatch = new Map(watches.map((watch, index) => [benchImageId(index), watch]));
  const polls = arrivals
    .filter((arrival) => arrival.action === CAPACITY_ACTION && arrival.atMs >= windowStart && arrival.atMs < termAtMs)
    .map((arrival) => ({ watch: imageToWatch.get(arrival.params.CompShareImageId ?? '') ?? '?', at: arrival.atMs }));
  const outcome = attributeToTicks(
    watches,
    byWatch(polls),
    byWatch(skipLines.map((line) => ({ watch: String(line.job ?? line.watch), at: line.time }))),
    { startMs: windowStart, endMs: windowEnd, periodMs: PERIOD_MS },
  );
  const steady = sampler.samples.filter((sample) => sample.atMs >= (windowStart + windowEnd) / 2 && sample.atMs < windowEnd);
  const windowMinutes = (windowEnd - windowStart) / 60_000;
  const seconds = (ms: number) => Number((ms / 1000).toFixed(2));

  report('scale_500_watches', {
    setup: `${WATCHES} watches (distinct request shapes: one imageId each), ${SCHEDULE}, api.maxRequestsPerSecond ${MAX_REQUESTS_PER_SECOND}, simulator latency ${LATENCY.ms}-${LATENCY.maxMs} ms uniform; one run`,
    windowSeconds: (windowEnd - windowStart) / 1000,
    // The headline: the 99th percentile poll's lateness against its tick.
    value: once(quantile(outcome.latenessMs, 0.99) / 1000, 's'),
    // The 99th percentile poll of a tick cannot be sent before this, whatever the daemon does, when no call is shared.
    latenessFloorP99Seconds: seconds((Math.ceil(0.99 * WATCHES) - 1) * (1000 / MAX_REQUESTS_PER_SECOND)),
    latenessP50Seconds: seconds(quantile(outcome.latenessMs, 0.5)),
    latenessMaxSeconds: seconds(quantile(outcome.latenessMs, 1)),
    pollsExpected: outcome.expected,
    pollsMade: outcome.made,
    ticksSkipped: outcome.skipped,
    ticksFiredNeverArrived: outcome.neverArrived,
    retries: outcome.retries,
    skipLogLines: skipLines.length,
    skipLogLinesInWindow: skipLines.filter(inWindow).length,
    dropLogLines: dropLines.length,
    droppedCountedInLog: dropLines.reduce((sum, line) => sum + countFields(line, /drop/i), 0),
    dropLogLinesText: dropLines.slice(0, 3).map((line) => line.msg).join(' | '),
    timeoutsLogged: lines.filter((line) => line.kind === 'timeout').length,
    rssMaxMb: maxRssMb(sampler.samples),
    // Where the peak is: start-up (config, migrations, first ticks before the window) or polling itself.
    rssMaxBeforeWindowMb: maxRssMb(sampler.samples.filter((sample) => sample.atMs < windowStart)),
    rssMaxInWindowMb: maxRssMb(sampler.samples.filter((sample) => sample.atMs >= windowStart && sample.atMs < windowEnd)),
    // The median of the once-a-second samples in the window's second half, when start-up growth has settled.
    // The V8 heap (live plus not yet collected) and what V8 has reserved for it, from /metrics at the window's end.
    heapUsedMbAtWindowEnd: heap.usedMb,
    heapTotalMbAtWindowEnd: heap.totalMb,
    rssSteadyMedian: once(quantile(steady.map((sample) => sample.rssMb), 0.5), 'MB', 1),
    // CPU seconds used per minute of wall time: 60 would be one core busy all the time.
    cpuPerMinute: once((cpuAtEnd.cpuMs - cpuAtStart.cpuMs) / 1000 / windowMinutes, 'CPU s/min'),
    startupMs,
    sigtermToExitMs: Math.round(sigtermToExitMs),
    exitedWithinBound: exitedInTime ? 'yes' : `no: killed after ${EXIT_BOUND_MS} ms`,
    linesAfterStopped: afterStopped.length,
    errorLinesAfterStopped: afterStopped.filter((line) => line.level >= 50).length,
  });
  // Room for start-up, the tail and a daemon that takes until EXIT_BOUND_MS to stop.
}, WINDOW_SECONDS * 1000 + EXIT_BOUND_MS + 120_000);

/** The daemon's V8 heap used and total (MB, one decimal) from its /metrics, found by its "listening" log line. */
async function heapAtWindowEnd(stderr: string): Promise<{ usedMb: number; totalMb: number }> {
  const url = parseLogLines(stderr).find((line) => line.msg === 'status page and API listening')?.url;
  if (typeof url !== 'string') throw new Error('the daemon logged no "status page and API listening" line with its url');
  const text = await (await fetch(new URL('/metrics', url))).text();
  const megabytes = (name: string) => {
    const bytes = Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    if (!Number.isFinite(bytes)) throw new Error(`/metrics has no ${name}`);
    return Number((bytes / 1048576).toFixed(1));
  };
  return { usedMb: megabytes('nodejs_heap_size_used_bytes'), totalMb: megabytes('nodejs_heap_size_total_bytes') };
}

/** The sum of a log line's numeric fields whose names match `name`. */
function countFields(line: Record<string, unknown>, name: RegExp): number {
  return Object.entries(line).reduce((sum, [field, value]) => sum + (name.test(field) && typeof value === 'number' ? value : 0), 0);
}

/** The largest RSS among `samples`, in MB to one decimal; 0 when there are none (a run too short to have any). */
function maxRssMb(samples: ReadonlyArray<{ rssMb: number }>): number {
  return samples.length === 0 ? 0 : Number(Math.max(...samples.map((sample) => sample.rssMb)).toFixed(1));
}
