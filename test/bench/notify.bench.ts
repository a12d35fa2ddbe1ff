import { afterAll, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { wallClockMs, type RequestLogEntry } from '../../src/sim/request-log.js';
import { startDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import { put4090Rows, startTestSim, SIM_ZONE, type TestSim } from '../helpers/sim.js';
import { waitFor } from '../helpers/wait.js';
import { boundedNumber, CAPACITY_ACTION, SIM_KEYS_ENV, sleepUntil, tickAtOrAfter } from './fleet.js';
import { quantile, report, type Measured } from './results.js';

/**
 * `detect_to_notify_ms`: the daemon as a child process (dist) with one watch polling every second and a webhook
 * notifier at a loopback receiver; one capacity row flips on every poll, so its key gathers a closed window per
 * flip (the history the alert lines read). BENCH_FLIPS (default 200, the least for the figure) lowers the work
 * for a quick look.
 *
 * Clocks: both ends of a sample are stamped in this process, by wallClockMs (the wall clock, sub-ms): the
 * simulator's request log when it sent the confirming poll's answer, the receiver when the webhook's body was read.
 * The event's own `at` is the daemon's Date.now() (another process, same machine) when that answer arrived; it is
 * used only to tell which poll an event came from, never as a time of the sample.
 */
const FLIPS = boundedNumber('BENCH_FLIPS', process.env.BENCH_FLIPS, 200, 2, 2000);
/** Where in a second the capacity changes: far from the poll at the whole second, so no flip straddles one. */
const PATCH_OFFSET_MS = 500;
/** How long a flip's message may take before the next flip goes ahead anyway (the run then fails at the end). */
const MESSAGE_WAIT_MS = 3_000;
/**
 * How far an event's `at` may lie from its poll's answer: two processes' clocks (Date.now() and wallClockMs differ
 * by a few ms), and the simulator stamps its answer only after writing it. Polls are a second apart, so this
 * cannot pick the wrong one.
 */
const MATCH_SLACK_MS = 100;
/** The p99 spread is the lowest and highest p99 of consecutive blocks of this many flips. */
const FLIPS_PER_BLOCK = 70;
const ROW = { gpu: 1, cpu: 16, mem: 64 } as const;

type FlipType = 'capacity.available' | 'capacity.soldout';

/** One capacity event as the receiver got it, inside a webhook message's `events`. */
interface ArrivedEvent {
  id: string;
  type: string;
  at: number;
  arrivedMs: number;
}

/** A flip the bench made: the row's new state from `patchedMs` on (wall clock after the simulator took it). */
interface Flip {
  type: FlipType;
  patchStartMs: number;
  patchedMs: number;
}

let sim: TestSim | undefined;
let receiver: HttpReceiver | undefined;
let daemon: DaemonProcess | undefined;
let dir: string | undefined;

afterAll(async () => {
  if (daemon && daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill('SIGKILL');
  await daemon?.exited;
  await Promise.all([sim?.close(), receiver?.close()]);
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

it(`detect_to_notify_ms: ${FLIPS} flips, confirming poll's answer -> webhook at a loopback receiver`, async () => {
  sim = await startTestSim();
  await put4090Rows(sim, [[ROW.gpu, ROW.cpu, ROW.mem, false]]);
  const arrived: ArrivedEvent[] = [];
  let messages = 0;
  let batchedMessages = 0;
  receiver = await startHttpReceiver((request) => {
    const arrivedMs = wallClockMs();
    const body = JSON.parse(request.body) as { events: Array<{ id: string; type: string; payload: { at: number } }> };
    messages += 1;
    if (body.events.length > 1) batchedMessages += 1;
    for (const event of body.events) arrived.push({ id: event.id, type: event.type, at: event.payload.at, arrivedMs });
    return { status: 200, body: {} };
  });
  dir = mkdtempSync(join(tmpdir(), 'compshare-watch-bench-'));
  daemon = startDaemon(writeNotifyConfig(dir, sim.url, receiver.origin), SIM_KEYS_ENV);
  await waitFor(() => answeredPolls(sim!).length, (count) => count > 0, 'the sold-out baseline poll', { timeoutMs: 10_000 });

  const flips: Flip[] = [];
  for (let flip = 0; flip < FLIPS; flip++) {
    await sleepUntil(tickAtOrAfter(Date.now(), 1000) + PATCH_OFFSET_MS);
    // A message a busy machine made late must not be joined by the next flip's event: wait for it (bounded).
    await untilArrived(arrived, flip);
    const type: FlipType = flip % 2 === 0 ? 'capacity.available' : 'capacity.soldout';
    const patchStartMs = wallClockMs();
    await sim.control('PATCH', 'capacity', { zone: SIM_ZONE, gpuType: '4090', rows: [{ ...ROW, enough: type === 'capacity.available' }] });
    flips.push({ type, patchStartMs, patchedMs: wallClockMs() });
  }
  await sleepUntil(tickAtOrAfter(Date.now(), 1000) + PATCH_OFFSET_MS);
  await untilArrived(arrived, FLIPS);
  daemon.child.kill('SIGTERM');
  await daemon.exited;

  const samples = detectToNotifyMs(flips, answeredPolls(sim), arrived);
  const all = samples.map((sample) => sample.ms);
  const ms = (value: number) => Number(value.toFixed(2));
  const blockP99s = Array.from({ length: Math.ceil(all.length / FLIPS_PER_BLOCK) }, (_, block) =>
    quantile(all.slice(block * FLIPS_PER_BLOCK, (block + 1) * FLIPS_PER_BLOCK), 0.99),
  );
  const latency = (q: number): Measured => ({
    value: ms(quantile(all, q)),
    unit: 'ms',
    runs: all.length,
    spread: q === 0.99 ? { min: ms(Math.min(...blockP99s)), max: ms(Math.max(...blockP99s)) } : { min: ms(quantile(all, 0)), max: ms(quantile(all, 1)) },
  });
  const p99Of = (type: FlipType) => ms(quantile(samples.filter((sample) => sample.type === type).map((sample) => sample.ms), 0.99));
  report('detect_to_notify_ms', {
    setup: `spawned daemon, one watch on */1 * * * * * (confirmUp 1, confirmDown 1), one 4090 row flipping (PATCH capacity ${PATCH_OFFSET_MS} ms after a poll, once the previous flip's message arrived) so its key closes a window per flip; webhook notifier at a loopback receiver, delivery.groupWindow 0s; wall clock in the bench process: confirming poll answeredMs (sim request log) -> webhook body read at the receiver, events matched to polls by their \`at\``,
    flips: flips.length,
    messages,
    batchedMessages,
    value: latency(0.5),
    // p99 over all flips; its spread is the lowest and highest p99 of blocks of FLIPS_PER_BLOCK consecutive flips.
    p99: latency(0.99),
    maxMs: ms(quantile(all, 1)),
    availableP99Ms: p99Of('capacity.available'),
    soldoutP99Ms: p99Of('capacity.soldout'),
  });
}, 30 * 60_000);

/** Waits (bounded: a message may be lost, which the matching then reports) until `count` events have arrived. */
async function untilArrived(arrived: readonly ArrivedEvent[], count: number): Promise<void> {
  await waitFor(() => arrived.length, (seen) => seen >= count, `${count} events`, { timeoutMs: MESSAGE_WAIT_MS, intervalMs: 5 }).catch(() => undefined);
}

function answeredPolls(testSim: TestSim): RequestLogEntry[] {
  return testSim.simulator.state.requests.list().filter((entry) => entry.action === CAPACITY_ACTION && entry.answeredMs !== null);
}

/**
 * Per flip: its event's arrival at the receiver minus the answer of the poll that confirmed it (the first poll
 * the simulator received after the flip), in ms. Each event is tied to a poll by its `at` (the daemon's time of
 * that poll's answer), so a lost, duplicate, mistyped or stray message throws instead of shifting the samples.
 */
function detectToNotifyMs(flips: readonly Flip[], polls: readonly RequestLogEntry[], arrived: readonly ArrivedEvent[]): Array<{ type: FlipType; ms: number }> {
  const eventOf = new Map<RequestLogEntry, ArrivedEvent>();
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const event of arrived) {
    if (seen.has(event.id)) problems.push(`event ${event.id} arrived twice`);
    seen.add(event.id);
    const poll = polls.find((candidate) => Math.abs(candidate.answeredMs! - event.at) <= MATCH_SLACK_MS);
    if (poll === undefined) problems.push(`event ${event.id} (${event.type}) matches no poll answered within ${MATCH_SLACK_MS} ms of its at`);
    else eventOf.set(poll, event);
  }
  const samples: Array<{ type: FlipType; ms: number }> = [];
  const confirming = new Set<RequestLogEntry>();
  for (const [index, flip] of flips.entries()) {
    if (polls.some((poll) => poll.receivedMs >= flip.patchStartMs && poll.receivedMs <= flip.patchedMs)) {
      problems.push(`flip ${index}: a poll arrived while the capacity was being changed`);
      continue;
    }
    const poll = polls.find((candidate) => candidate.receivedMs > flip.patchedMs);
    const event = poll === undefined ? undefined : eventOf.get(poll);
    if (poll === undefined || event === undefined) problems.push(`flip ${index} (${flip.type}): no message for its confirming poll`);
    else if (event.type !== flip.type) problems.push(`flip ${index}: expected ${flip.type}, got ${event.type}`);
    else {
      confirming.add(poll);
      samples.push({ type: flip.type, ms: event.arrivedMs - poll.answeredMs! });
    }
  }
  for (const [poll, event] of eventOf) {
    if (!confirming.has(poll)) problems.push(`event ${event.id} (${event.type}) came from a poll that confirmed no flip`);
  }
  if (problems.length > 0) throw new Error(`detect_to_notify_ms: ${problems.length} problem(s): ${problems.slice(0, 10).join('; ')}`);
  return samples;
}

/** A daemon config: the one-row watch, each poll able to flip it, and a webhook that nothing batches or holds. */
function writeNotifyConfig(home: string, simUrl: string, receiverOrigin: string): string {
  const config = {
    api: { baseUrl: simUrl, region: 'cn-wlcb', timeoutMs: 2000 },
    storage: { path: join(home, 'history.db') },
    http: { listen: '127.0.0.1:0' },
    notify: ['hook'],
    delivery: { groupWindow: '0s' },
    notifiers: { hook: { type: 'webhook', url: `${receiverOrigin}/` } },
    watches: [
      {
        name: 'w4090',
        schedule: '*/1 * * * * *',
        zone: SIM_ZONE,
        gpuType: '4090',
        imageId: 'compshareImage-bench',
        chargeType: 'Dynamic',
        disks: [{ isBoot: true, type: 'CLOUD_SSD', size: 60 }],
        match: { gpu: [ROW.gpu] },
        confirmUp: 1,
        confirmDown: 1,
      },
    ],
  };
  const path = join(home, 'config.yaml');
  writeFileSync(path, stringify(config));
  return path;
}
