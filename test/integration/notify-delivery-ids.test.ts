import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/store/history-store.js';
import { Dispatcher } from '../../src/notify/dispatcher.js';
import { enqueueEvent } from '../../src/notify/enqueue.js';
import { createChannel } from '../../src/notify/channels/index.js';
import { renderMessage } from '../../src/notify/render.js';
import type { PollOutcome } from '../../src/watch/detector.js';
import { recordPoll } from '../../src/watch/record-poll.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import { notifierConfig } from '../helpers/notify.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const log = pino({ level: 'silent' });
const watch = { name: 'w4090', zone: 'cn-wlcb-01', gpuType: '4090' };
const route = { channels: ['out'], notifyOn: ['available', 'soldout', 'blind'] as const, urgent: [] };
const START = Date.parse('2026-11-24T12:00:00Z');

let receiver: HttpReceiver | undefined;
let smtp: TestSmtpServer | undefined;
afterEach(async () => {
  await receiver?.close();
  await smtp?.close();
  receiver = undefined;
  smtp = undefined;
});

/** A history database whose events go to one channel `out`, with a dispatcher on a clock the test moves. */
function alertPipeline(config: Record<string, unknown>) {
  const clock = { now: START };
  const store = HistoryStore.open(join(tempDir(), 'history.db'));
  const outbox = store.outbox;
  store.onEvent((event) => enqueueEvent(outbox, route, event, { groupWindowMs: 10_000 }, { now: () => clock.now }));
  const channel = createChannel('out', notifierConfig(config), { log, env: {} });
  const dispatcher = new Dispatcher(
    outbox,
    new Map([['out', channel]]),
    (events) => renderMessage(events, { locale: 'en', timezone: 'UTC' }),
    { maxAttempts: 20, maxAgeMs: 86_400_000, retryBaseMs: 1_000, retryMaxMs: 30_000, pollIntervalMs: 1_000 },
    { now: () => clock.now },
    log,
  );
  const poll = (...enough: boolean[]) => {
    const outcome: PollOutcome = { ok: true, rows: enough.map((resourceEnough, i) => ({ gpu: i + 1, cpu: 16, mem: 64, resourceEnough })) };
    recordPoll(store, watch, { at: clock.now, latencyMs: 1, outcome }, { confirmUp: 1, confirmDown: 1, blindAfterMs: 60_000 });
  };
  const close = async () => {
    await channel.close?.();
    store.close();
  };
  return { clock, outbox, dispatcher, poll, close };
}

describe('delivery ids', () => {
  it('gives each event one delivery id on a webhook that answers after its timeout while new events arrive', async () => {
    let slowAnswers = 3;
    receiver = await startHttpReceiver(() => {
      // The first requests arrive but are answered too late: the sender retries what the receiver already has.
      if (slowAnswers > 0) {
        slowAnswers -= 1;
        return { status: 204, body: '', delayMs: 600 };
      }
      return { status: 204, body: '' };
    });
    const pipeline = alertPipeline({ type: 'webhook', url: `${receiver.origin}/hook`, timeoutMs: 200 });
    pipeline.poll(false, false, false);
    for (const reading of [[true, false, false], [true, true, false], [false, true, true], [false, false, true], [true, false, false]]) {
      pipeline.clock.now += 20_000;
      pipeline.poll(...reading);
      await pipeline.dispatcher.drain();
    }
    for (let pass = 0; pass < 3; pass++) {
      pipeline.clock.now += 20_000;
      await pipeline.dispatcher.drain();
    }
    expect(pipeline.outbox.open()).toEqual([]);
    await pipeline.close();

    const idsPerEvent = new Map<string, Set<string>>();
    for (const request of receiver.requests) {
      const deliveryId = String(request.headers['x-compshare-watch-delivery']);
      for (const event of (JSON.parse(request.body) as { events: Array<{ id: string }> }).events) {
        idsPerEvent.set(event.id, (idsPerEvent.get(event.id) ?? new Set()).add(deliveryId));
      }
    }
    // Seven flips; the slow answers made the receiver see some messages twice, under the same id.
    const distinctIds = new Set(receiver.requests.map((request) => request.headers['x-compshare-watch-delivery']));
    expect(receiver.requests.length).toBeGreaterThan(distinctIds.size);
    expect(idsPerEvent.size).toBe(7);
    expect([...idsPerEvent.values()].map((ids) => ids.size)).toEqual(Array(7).fill(1));
  });

  it('gives the same alert different Message-IDs in two databases', async () => {
    smtp = await startSmtpServer();
    for (let database = 0; database < 2; database++) {
      const pipeline = alertPipeline({
        type: 'email',
        smtp: { host: '127.0.0.1', port: smtp.port, secure: false },
        from: 'watch@example.com',
        to: ['me@example.com'],
      });
      pipeline.poll(false);
      pipeline.clock.now += 20_000;
      pipeline.poll(true);
      await pipeline.dispatcher.drain();
      await pipeline.close();
    }
    const [first, second] = smtp.messages;
    expect(first?.subject).toBe(second?.subject);
    expect(first?.messageId).toMatch(/^<[0-9a-f]{32}@compshare-watch>$/);
    expect(first?.messageId).not.toBe(second?.messageId);
  });
});
