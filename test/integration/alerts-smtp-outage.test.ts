import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import pino from 'pino';
import { HistoryStore } from '../../src/store/history-store.js';
import { Dispatcher } from '../../src/notify/dispatcher.js';
import { enqueueEvent } from '../../src/notify/enqueue.js';
import { createChannel, notifierConfigSchema } from '../../src/notify/channels/index.js';
import { renderMessage } from '../../src/notify/render.js';
import type { PollOutcome } from '../../src/watch/detector.js';
import { recordPoll } from '../../src/watch/record-poll.js';
import { closedPort } from '../helpers/http-receiver.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
let smtp: TestSmtpServer | undefined;
afterEach(() => smtp?.close());

describe('SMTP down for a while, then back', () => {
  it('delivers every alert, none twice', async () => {
    const port = await closedPort();
    let now = Date.parse('2026-11-24T12:00:00Z');
    const clock = { now: () => now };
    const log = pino({ level: 'silent' });
    const store = HistoryStore.open(join(tempDir(), 'history.db'));
    const outbox = store.outbox;
    const route = { channels: ['mail'], notifyOn: ['available', 'soldout', 'blind'] as const, urgent: [] };
    store.onEvent((event) => enqueueEvent(outbox, route, event, { groupWindowMs: 10_000 }, clock));
    const config = notifierConfigSchema.parse({
      type: 'email',
      smtp: { host: '127.0.0.1', port, secure: false },
      timeoutMs: 2_000,
      from: 'watch@example.com',
      to: ['me@example.com'],
    });
    const mail = createChannel('mail', config, { log, env: {} });
    const dispatcher = new Dispatcher(
      outbox,
      new Map([['mail', mail]]),
      (events) => renderMessage(events, { locale: 'en', timezone: 'UTC' }),
      { maxAttempts: 20, maxAgeMs: 86_400_000, retryBaseMs: 1_000, retryMaxMs: 30_000, pollIntervalMs: 1_000 },
      clock,
      log,
    );
    const watch = { name: 'w4090', zone: 'cn-wlcb-01', gpuType: '4090' };
    const poll = (gpu1: boolean, gpu2: boolean) => {
      const outcome: PollOutcome = { ok: true, rows: [{ gpu: 1, cpu: 16, mem: 64, resourceEnough: gpu1 }, { gpu: 2, cpu: 32, mem: 128, resourceEnough: gpu2 }] };
      recordPoll(store, watch, { at: now, latencyMs: 1, outcome }, { confirmUp: 1, confirmDown: 1, blindAfterMs: 60_000 });
    };

    poll(false, false);
    // While the server is down: three alerts, tried and retried.
    for (const [gpu1, gpu2] of [[true, false], [true, true], [false, true]] as const) {
      now += 20_000;
      poll(gpu1, gpu2);
      await dispatcher.drain();
    }
    // The first alert is retried; the later ones wait behind it, so that they cannot arrive before it.
    expect(outbox.open().map((row) => [row.status, row.attempts > 0])).toEqual([['pending', false], ['pending', false], ['pending', true]]);

    smtp = await startSmtpServer({ port });
    for (let i = 0; i < 5; i++) {
      now += 30_000;
      await dispatcher.drain();
    }
    expect(outbox.open()).toEqual([]);
    await mail.close?.();
    store.close();

    const delivered = smtp.messages.flatMap((message) => message.text?.match(/\d GPU/g) ?? []);
    // Three flips: 1 GPU available, 2 GPU available, 1 GPU sold out; each in exactly one message.
    expect(smtp.messages.map((message) => message.messageId)).toEqual([...new Set(smtp.messages.map((message) => message.messageId))]);
    expect(delivered.sort()).toEqual(['1 GPU', '1 GPU', '2 GPU']);
    // In the order they happened: the first flip alone (it was frozen into its own message), then the other two.
    expect(smtp.messages.map((message) => message.subject)).toEqual([
      '4090 available: w4090 1 GPU/16C/64G',
      '4090 available: w4090 2 GPU/32C/128G (+1 more)',
    ]);
  });
});
