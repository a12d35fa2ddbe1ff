import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { HistoryStore } from '../../src/store/history-store.js';
import { enqueueEvent } from '../../src/notify/enqueue.js';
import type { Route } from '../../src/notify/routing.js';
import { Dispatcher } from '../../src/notify/dispatcher.js';
import { DeliveryError, type ChannelInstance } from '../../src/notify/channel.js';
import pino from 'pino';
import type { PollOutcome } from '../../src/watch/detector.js';
import { recordPoll } from '../../src/watch/record-poll.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const shanghai = (iso: string) => Date.parse(`${iso}+08:00`);

describe('quiet hours in the outbox', () => {
  it('holds a sold-out alert until morning but sends a later available alert at once', () => {
    let now = shanghai('2026-11-24T23:20:00');
    const clock = { now: () => now };
    const store = HistoryStore.open(join(tempDir(), 'history.db'));
    const outbox = store.outbox;
    const route: Route = {
      channels: ['mail'],
      notifyOn: ['available', 'soldout', 'blind'],
      urgent: ['available'],
      quietHours: { from: '23:00', to: '08:00', timezone: 'Asia/Shanghai' },
    };
    store.onEvent((event) => enqueueEvent(outbox, route, event, { groupWindowMs: 10_000 }, clock));
    const poll = (...enough: boolean[]) => {
      const outcome: PollOutcome = { ok: true, rows: enough.map((resourceEnough, i) => ({ gpu: i + 1, cpu: 16, mem: 64, resourceEnough })) };
      recordPoll(store, { name: 'w', zone: 'z', gpuType: '4090' }, { at: now, latencyMs: 1, outcome }, { confirmUp: 1, confirmDown: 1, blindAfterMs: 60_000 });
    };

    poll(true, false); // baseline: gpu 1 available (urgent: due now), and sent
    outbox.markSent(outbox.open().map((row) => row.id), now);
    now = shanghai('2026-11-24T23:30:00');
    poll(false, false); // gpu 1 sold out: held until 08:00
    now = shanghai('2026-11-24T23:40:00');
    poll(false, true); // gpu 2 available: urgent, must not wait behind the held row

    const [latest, held] = outbox.open();
    expect(held).toMatchObject({ eventType: 'capacity.soldout', nextAttemptAt: shanghai('2026-11-25T08:00:00') });
    expect(latest).toMatchObject({ eventType: 'capacity.available', nextAttemptAt: now });
    store.close();
  });

  it('counts an alert\'s age from when it was due, not from the hours it was held', async () => {
    let now = shanghai('2026-11-24T23:30:00');
    const clock = { now: () => now };
    const store = HistoryStore.open(join(tempDir(), 'history.db'));
    const outbox = store.outbox;
    const route: Route = { channels: ['mail'], notifyOn: ['soldout'], urgent: [], quietHours: { from: '23:00', to: '08:00', timezone: 'Asia/Shanghai' } };
    store.onEvent((event) => enqueueEvent(outbox, route, event, { groupWindowMs: 10_000 }, clock));
    const failing: ChannelInstance = { name: 'mail', type: 'test', send: async () => { throw new DeliveryError('SMTP down'); } };
    const dispatcher = new Dispatcher(
      outbox,
      new Map([['mail', failing]]),
      (events) => ({ title: '', text: '', markdown: '', html: '', events }),
      { maxAttempts: 10, maxAgeMs: 3_600_000, retryBaseMs: 1_000, retryMaxMs: 60_000, pollIntervalMs: 1_000 },
      clock,
      pino({ level: 'silent' }),
    );
    const poll = (enough: boolean) => {
      const outcome: PollOutcome = { ok: true, rows: [{ gpu: 1, cpu: 16, mem: 64, resourceEnough: enough }] };
      recordPoll(store, { name: 'w', zone: 'z', gpuType: '4090' }, { at: now, latencyMs: 1, outcome }, { confirmUp: 1, confirmDown: 1, blindAfterMs: 60_000 });
    };
    poll(true);
    now += 60_000;
    poll(false); // held until 08:00, 8.5 hours: longer than maxAge
    now = shanghai('2026-11-25T08:00:00');
    await dispatcher.drain();
    expect(outbox.open()).toMatchObject([{ eventType: 'capacity.soldout', status: 'pending', attempts: 1 }]);
    store.close();
  });
});
