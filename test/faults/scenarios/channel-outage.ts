import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { queryDb, startDaemon, type DaemonProcess } from '../../helpers/daemon.js';
import { startHttpReceiver, type HttpReceiver, type ReceivedRequest, type Reply } from '../../helpers/http-receiver.js';
import { put4090Rows, SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, SIM_ZONE, startTestSim, type TestSim } from '../../helpers/sim.js';
import { flippingWatch } from './flipping-watch.js';
import { waitFor } from '../../helpers/wait.js';
import { outcomeOf, type Outcome } from '../outcome.js';

export interface ChannelOutageOptions {
  /** How many times the channels go down and come back. */
  outages: number;
  /** How long each outage lasts; the dispatcher's backoff (5 s, 10 s, 20 s, ...) decides how many retries fit. */
  outageMs: number;
  /** Time between capacity flips; the watch polls every second, so above 1000 every flip becomes an event. */
  flipEveryMs: number;
  /** How long the channels stay up before each outage, delivering as usual. */
  upMs: number;
  /** How long the outbox may take to drain once the channels are back (the last backoff, plus slack). */
  drainTimeoutMs: number;
}

/** The three ways a channel is down: nothing listens on its port, it answers 500, it takes requests and never answers. */
const OUTAGE_KINDS = ['refusing', 'erroring', 'hanging'] as const;
type OutageKind = (typeof OUTAGE_KINDS)[number];

/** The hanging channel's timeoutMs: what ends each attempt at a far end that never answers. */
const HANG_TIMEOUT_MS = 1_000;
/** The webhook's delivery id header (src/notify/channels/webhook.ts). */
const DELIVERY_HEADER = 'x-compshare-watch-delivery';

/** A request as one far end got it, and whether it accepted it (a 2xx) or not (a 500, or no answer at all). */
interface Arrival {
  deliveryId: string;
  eventIds: string[];
  accepted: boolean;
}

/** One webhook's far end: up (200), or down in its own way; it keeps its port across a refusing outage. */
interface FarEnd {
  kind: OutageKind;
  origin: string;
  arrivals: Arrival[];
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

interface OutboxRow {
  seq: number;
  id: string;
  channel: string;
  status: string;
}

/**
 * A daemon (dist child process) with three webhook channels whose far ends go down together, each in its own way
 * (refusing connections, answering 500, hanging), while capacity keeps flipping, then come back. Counts, per
 * channel, the alerts the outbox says were sent against the messages the far end accepted (by event id), events
 * that arrived under two delivery ids (duplicates) apart from redeliveries of one delivery id (allowed: a retry
 * after a failed or lost answer), and events that arrived after a later one (out of order).
 */
export async function channelOutage(options: ChannelOutageOptions): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'compshare-faults-outage-'));
  const ends: FarEnd[] = [];
  let sim: TestSim | undefined;
  let daemon: DaemonProcess | undefined;
  const startedMs = Date.now();
  try {
    sim = await startTestSim();
    await put4090Rows(sim, [[1, 16, 64, false]]);
    for (const kind of OUTAGE_KINDS) ends.push(await startFarEnd(kind));
    const db = join(dir, 'history.db');
    daemon = startDaemon(writeConfig(dir, sim.url, ends), { COMPSHARE_PUBLIC_KEY: SIM_PUBLIC_KEY, COMPSHARE_PRIVATE_KEY: SIM_PRIVATE_KEY });
    await waitFor(() => queryDb<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM transitions')[0]!.n, (n) => n > 0, 'the baseline poll');

    const flipping = flipUntil(sim, options.flipEveryMs);
    const failures: string[] = [];
    for (let outage = 0; outage < options.outages; outage++) {
      await sleep(options.upMs);
      await Promise.all(ends.map((end) => end.down()));
      await sleep(options.outageMs);
      await Promise.all(ends.map((end) => end.up()));
      if (outage < options.outages - 1) failures.push(...(await drained(db, options.drainTimeoutMs)));
    }
    await sleep(options.upMs);
    await flipping.stop();
    failures.push(...(await drained(db, options.drainTimeoutMs)));
    const { exitCode, signalCode } = daemon.child;
    if (exitCode !== null || signalCode !== null) failures.push(`the daemon exited (${exitCode ?? signalCode}) during the run`);
    daemon.child.kill('SIGTERM');
    await daemon.exited;

    const rows = queryDb<OutboxRow>(db, 'SELECT e.seq, e.id, o.channel, o.status FROM outbox o JOIN events e ON e.seq = o.event_seq ORDER BY e.seq');
    const retries = retriesByChannel(daemon.stderr());
    const counts = { outages: `${options.outages}x${options.outageMs / 1000}s`, flips: flipping.flips(), events: new Set(rows.map((row) => row.id)).size };
    const totals = { sent: 0, received: 0, lost: 0, duplicates: 0, redeliveries: 0, outOfOrder: 0 };
    const retried: string[] = [];
    for (const end of ends) {
      const tally = tallyChannel(end, rows.filter((row) => row.channel === end.kind));
      for (const key of Object.keys(totals) as Array<keyof typeof totals>) totals[key] += tally[key];
      retried.push(`${end.kind}:${retries.get(end.kind) ?? 0}`);
      if (tally.lost > 0) failures.push(`${end.kind}: ${tally.lost} alert(s) lost`);
      if (tally.duplicates > 0) failures.push(`${end.kind}: ${tally.duplicates} event(s) delivered under two delivery ids`);
      if (tally.outOfOrder > 0) failures.push(`${end.kind}: ${tally.outOfOrder} event(s) arrived after a later one`);
      if ((retries.get(end.kind) ?? 0) < options.outages) failures.push(`${end.kind}: fewer failed attempts than outages (the outage was never tried)`);
    }
    if (counts.events === 0) failures.push('no alerts at all: nothing was tested');
    return outcomeOf('channel-outage', { ...counts, ...totals, failedAttempts: retried.join(','), wallS: Math.round((Date.now() - startedMs) / 1000) }, failures);
  } finally {
    if (daemon && daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill('SIGKILL');
    await daemon?.exited;
    await Promise.all([sim?.close(), ...ends.map((end) => end.close())]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Per channel: what the outbox says against what its far end accepted. */
function tallyChannel(end: FarEnd, rows: readonly OutboxRow[]) {
  const seqOf = new Map(rows.map((row) => [row.id, row.seq]));
  const deliveriesOf = new Map<string, Set<string>>();
  const seenDeliveries = new Set<string>();
  let redeliveries = 0;
  let outOfOrder = 0;
  let latestSeq = -Infinity;
  const received = new Set<string>();
  for (const arrival of end.arrivals) {
    if (seenDeliveries.has(arrival.deliveryId)) redeliveries += 1;
    seenDeliveries.add(arrival.deliveryId);
    if (!arrival.accepted) continue;
    for (const id of arrival.eventIds) {
      deliveriesOf.set(id, (deliveriesOf.get(id) ?? new Set()).add(arrival.deliveryId));
      if (received.has(id)) continue;
      received.add(id);
      // An event the outbox does not know is a stray; it cannot be in order.
      const seq = seqOf.get(id) ?? -Infinity;
      if (seq < latestSeq) outOfOrder += 1;
      latestSeq = Math.max(latestSeq, seq);
    }
  }
  const sent = rows.filter((row) => row.status === 'sent');
  return {
    sent: sent.length,
    received: received.size,
    // Sent by the outbox but never accepted, or never sent at all (given up on, or still pending after the drain).
    lost: rows.filter((row) => row.status !== 'sent' || !received.has(row.id)).length,
    duplicates: [...deliveriesOf.values()].filter((ids) => ids.size > 1).length,
    redeliveries,
    outOfOrder,
  };
}

/** Waits until no outbox row is pending; a timeout is a failure of the scenario (an alert stuck), not an error. */
async function drained(db: string, timeoutMs: number): Promise<string[]> {
  const pending = () => queryDb<{ n: number }>(db, "SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")[0]!.n;
  try {
    await waitFor(pending, (n) => n === 0, 'the outbox to drain', { timeoutMs, intervalMs: 200 });
    return [];
  } catch {
    return [`${pending()} alert(s) still pending ${timeoutMs / 1000} s after the channels came back`];
  }
}

/** The failed attempts the daemon logged per channel ("will retry"), each one a retry that the outage caused. */
function retriesByChannel(stderr: string): Map<string, number> {
  const retries = new Map<string, number>();
  for (const line of stderr.split('\n')) {
    if (!line.includes('will retry')) continue;
    const { channel } = JSON.parse(line) as { channel: string };
    retries.set(channel, (retries.get(channel) ?? 0) + 1);
  }
  return retries;
}

/** Flips the watched row between sold out and available every `everyMs` until stopped. */
function flipUntil(sim: TestSim, everyMs: number): { flips(): number; stop(): Promise<void> } {
  let flips = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await sleep(everyMs);
      if (stopped) break;
      flips += 1;
      await sim.control('PATCH', 'capacity', { zone: SIM_ZONE, gpuType: '4090', rows: [{ gpu: 1, enough: flips % 2 === 1 }] });
    }
  })();
  return {
    flips: () => flips,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

async function startFarEnd(kind: OutageKind): Promise<FarEnd> {
  const arrivals: Arrival[] = [];
  let isDown = false;
  const replier = (request: ReceivedRequest): Reply => {
    const body = JSON.parse(request.body) as { events: Array<{ id: string }> };
    arrivals.push({ deliveryId: String(request.headers[DELIVERY_HEADER]), eventIds: body.events.map((event) => event.id), accepted: !isDown });
    if (!isDown) return { status: 200, body: {} };
    return kind === 'erroring' ? { status: 500, body: { error: 'down for maintenance' } } : undefined;
  };
  let receiver: HttpReceiver | undefined = await startHttpReceiver(replier);
  const origin = receiver.origin;
  const port = Number(new URL(origin).port);
  return {
    kind,
    origin,
    arrivals,
    down: async () => {
      isDown = true;
      if (kind !== 'refusing') return;
      await receiver?.close();
      receiver = undefined;
    },
    up: async () => {
      isDown = false;
      receiver ??= await startHttpReceiver(replier, port);
    },
    close: async () => {
      await receiver?.close();
    },
  };
}

/** One watch flipping on every poll, one webhook per far end; nothing batches (groupWindow 0s) and nothing gives up. */
function writeConfig(dir: string, simUrl: string, ends: readonly FarEnd[]): string {
  const config = {
    api: { baseUrl: simUrl, region: 'cn-wlcb', timeoutMs: 2000 },
    storage: { path: join(dir, 'history.db') },
    http: { listen: '127.0.0.1:0' },
    notify: ends.map((end) => end.kind),
    delivery: { groupWindow: '0s', maxAttempts: 100 },
    notifiers: Object.fromEntries(ends.map((end) => [
      end.kind,
      { type: 'webhook', url: `${end.origin}/alerts`, ...(end.kind === 'hanging' ? { timeoutMs: HANG_TIMEOUT_MS } : {}) },
    ])),
    watches: [flippingWatch()],
  };
  const path = join(dir, 'config.yaml');
  writeFileSync(path, stringify(config));
  return path;
}
