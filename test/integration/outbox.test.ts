import { beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import pino from 'pino';
import { HistoryStore } from '../../src/store/history-store.js';
import type { OutboxRepository } from '../../src/store/outbox.js';
import { Dispatcher } from '../../src/notify/dispatcher.js';
import { enqueueEvent } from '../../src/notify/enqueue.js';
import { DeliveryError, type ChannelInstance, type Delivery } from '../../src/notify/channel.js';
import type { Route } from '../../src/notify/routing.js';
import type { PollOutcome } from '../../src/watch/detector.js';
import { recordPoll } from '../../src/watch/record-poll.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const watch = { name: 'w4090', zone: 'cn-wlcb-01', gpuType: '4090' };
const settings = { confirmUp: 1, confirmDown: 1, blindAfterMs: 60_000 };
const route: Route = { channels: ['inbox'], notifyOn: ['available', 'soldout', 'blind'], urgent: ['available'] };
const outcome = (...enough: boolean[]): PollOutcome => ({
  ok: true,
  rows: enough.map((resourceEnough, index) => ({ gpu: index + 1, cpu: 16, mem: 64, resourceEnough })),
});

/** A channel double that records deliveries and fails on demand: the far end is not what is under test here. */
class RecordingChannel implements ChannelInstance {
  readonly name = 'inbox';
  readonly type = 'test';
  readonly deliveries: Delivery[] = [];
  failWith: Error | undefined;
  async send(delivery: Delivery): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.deliveries.push(delivery);
  }
}

let now: number;
let store: HistoryStore;
let outbox: OutboxRepository;
let inbox: RecordingChannel;
let dispatcher: Dispatcher;
const clock = { now: () => now };

function open(path: string): void {
  store = HistoryStore.open(path);
  outbox = store.outbox;
  store.onEvent((event) => enqueueEvent(outbox, route, event, { groupWindowMs: 10_000 }, clock));
  dispatcher = new Dispatcher(
    outbox,
    new Map([['inbox', inbox]]),
    (events) => ({ title: `${events.length} events`, text: events.map((e) => e.id).join('\n'), markdown: '', html: '', events }),
    { maxAttempts: 3, maxAgeMs: 3_600_000, retryBaseMs: 1_000, retryMaxMs: 60_000, pollIntervalMs: 1_000 },
    clock,
    pino({ level: 'silent' }),
  );
}

const poll = (result: PollOutcome) => recordPoll(store, watch, { at: now, latencyMs: 1, outcome: result }, settings);
const eventsIn = (delivery: Delivery) => delivery.message.events.map((event) => event.type);

beforeEach(() => {
  now = Date.parse('2026-11-24T12:00:00Z');
  inbox = new RecordingChannel();
  open(join(tempDir(), 'history.db'));
});

describe('outbox and dispatcher', () => {
  it('sends the first flip at once and batches further flips of the watch into one follow-up after the group window', async () => {
    poll(outcome(false, false));
    now += 1_000;
    poll(outcome(true, false));
    await dispatcher.drain();
    expect(inbox.deliveries.map(eventsIn)).toEqual([['capacity.available']]);

    now += 2_000;
    poll(outcome(true, true));
    now += 2_000;
    poll(outcome(false, true));
    await dispatcher.drain();
    expect(inbox.deliveries).toHaveLength(1);

    now += 6_000;
    await dispatcher.drain();
    expect(inbox.deliveries.map(eventsIn)).toEqual([['capacity.available'], ['capacity.available', 'capacity.soldout']]);
  });

  it('retries a failed delivery with backoff and delivers every alert once when the channel comes back', async () => {
    poll(outcome(false));
    inbox.failWith = new DeliveryError('connection refused');
    now += 1_000;
    poll(outcome(true));
    await dispatcher.drain();
    now += 500;
    await dispatcher.drain();
    expect(outbox.open()).toMatchObject([{ status: 'pending', attempts: 1, lastError: 'connection refused' }]);

    inbox.failWith = undefined;
    now += 1_000;
    await dispatcher.drain();
    await dispatcher.drain();
    expect(inbox.deliveries.map(eventsIn)).toEqual([['capacity.available']]);
    expect(outbox.open()).toEqual([]);
  });

  it('gives up after maxAttempts and records why', async () => {
    poll(outcome(false));
    inbox.failWith = new DeliveryError('HTTP 503');
    now += 1_000;
    poll(outcome(true));
    for (let i = 0; i < 5; i++) {
      await dispatcher.drain();
      now += 60_000;
    }
    expect(outbox.open()).toMatchObject([{ status: 'failed', attempts: 3, lastError: 'HTTP 503' }]);
  });

  it('sends a newcomer in a message of its own: it is not given up on with an old failure', async () => {
    poll(outcome(false, false));
    inbox.failWith = new DeliveryError('HTTP 503');
    now += 1_000;
    poll(outcome(true, false));
    await dispatcher.drain();
    now += 1_000;
    await dispatcher.drain();
    // The first alert has now failed twice (one try left, due in 2 s); a second one becomes due at the same time.
    now += 2_000;
    poll(outcome(true, true));
    await dispatcher.drain();
    expect(outbox.open().map((row) => [row.eventType, row.status, row.attempts])).toEqual([
      ['capacity.available', 'pending', 1],
      ['capacity.available', 'failed', 3],
    ]);
  });

  it('gives up at once on a permanent failure', async () => {
    poll(outcome(false));
    inbox.failWith = new DeliveryError('no desktop session bus', true);
    now += 1_000;
    poll(outcome(true));
    await dispatcher.drain();
    expect(outbox.open()).toMatchObject([{ status: 'failed', attempts: 1 }]);
  });

  it('resumes after a restart, and a redelivery of a message whose answer was lost carries the same id', async () => {
    const path = store.path;
    poll(outcome(false));
    now += 1_000;
    poll(outcome(true));
    // The far end accepts the message but the answer is lost (a timeout after SMTP said 250, say).
    inbox.send = async (delivery) => {
      inbox.deliveries.push(delivery);
      throw new DeliveryError('timed out waiting for the answer');
    };
    await dispatcher.drain();
    store.close();

    const restarted = new RecordingChannel();
    inbox = restarted;
    open(path);
    now += 10_000;
    await dispatcher.drain();
    expect(restarted.deliveries).toHaveLength(1);
    expect(outbox.open()).toEqual([]);
    expect(outbox.summary()).toMatchObject([{ status: 'sent', count: 1 }]);
  });

  it('gives a batch the same delivery id on every attempt', async () => {
    poll(outcome(false));
    now += 1_000;
    poll(outcome(true));
    inbox.send = async (delivery) => {
      inbox.deliveries.push(delivery);
      if (inbox.deliveries.length === 1) throw new DeliveryError('answer lost');
    };
    await dispatcher.drain();
    now += 5_000;
    await dispatcher.drain();
    expect(inbox.deliveries).toHaveLength(2);
    expect(inbox.deliveries[0]!.deliveryId).toBe(inbox.deliveries[1]!.deliveryId);
  });

  it('sends queued alerts in event order across watches: a message waiting for its retry is not overtaken', async () => {
    const pollWatch = (name: string, result: PollOutcome) => recordPoll(store, { ...watch, name }, { at: now, latencyMs: 1, outcome: result }, settings);
    pollWatch('w-b', outcome(false));
    pollWatch('w-a', outcome(false));
    inbox.failWith = new DeliveryError('connection refused');
    now += 1_000;
    pollWatch('w-b', outcome(true));
    await dispatcher.drain();
    // The channel is back before w-b's retry is due; w-a's newer alert must not go first.
    inbox.failWith = undefined;
    now += 500;
    pollWatch('w-a', outcome(true));
    await dispatcher.drain();
    expect(inbox.deliveries).toEqual([]);
    now += 1_000;
    await dispatcher.drain();
    const watchesIn = (delivery: Delivery) => delivery.message.events.map((event) => (event.payload as { watch: string }).watch);
    expect(inbox.deliveries.map(watchesIn)).toEqual([['w-b'], ['w-a']]);
  });

  it('retries exactly the message that failed; alerts arriving meanwhile go out in a message of their own', async () => {
    poll(outcome(false, false));
    inbox.failWith = new DeliveryError('answer lost');
    now += 1_000;
    poll(outcome(true, false));
    await dispatcher.drain();
    inbox.failWith = undefined;
    now += 1_000;
    poll(outcome(true, true));
    await dispatcher.drain();
    expect(inbox.deliveries.map((delivery) => delivery.message.events.length)).toEqual([1, 1]);
    expect(new Set(inbox.deliveries.map((delivery) => delivery.deliveryId)).size).toBe(2);
  });

  it('stops after the send under way, leaving the other batches for the next start', async () => {
    for (const name of ['w-a', 'w-b', 'w-c']) {
      recordPoll(store, { ...watch, name }, { at: now, latencyMs: 1, outcome: outcome(true) }, settings);
    }
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    inbox.send = async (delivery) => {
      await gate;
      inbox.deliveries.push(delivery);
    };
    dispatcher.wake();
    const stopped = dispatcher.stop();
    release();
    await stopped;
    expect(inbox.deliveries).toHaveLength(1);
    expect(outbox.open().filter((row) => row.status === 'pending')).toHaveLength(2);
  });

  it('writes one outbox row per event and channel, in the event transaction', () => {
    poll(outcome(true, true));
    expect(outbox.open().map((row) => row.eventType)).toEqual(['capacity.available', 'capacity.available']);
    expect(outbox.summary()).toEqual([{ channel: 'inbox', status: 'pending', count: 2, oldestAt: now }]);
  });
});
