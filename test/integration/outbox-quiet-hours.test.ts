import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { HistoryStore } from '../../src/store/history-store.js';
import { OutboxRepository } from '../../src/store/outbox.js';
import { enqueueEvent } from '../../src/notify/enqueue.js';
import type { Route } from '../../src/notify/routing.js';
import type { PollOutcome } from '../../src/watch/detector.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const shanghai = (iso: string) => Date.parse(`${iso}+08:00`);

describe('quiet hours in the outbox', () => {
  it('holds a sold-out alert until morning but sends a later available alert at once', () => {
    let now = shanghai('2026-11-24T23:20:00');
    const clock = { now: () => now };
    const store = HistoryStore.open(join(tempDir(), 'history.db'));
    const outbox = new OutboxRepository(store.db);
    const route: Route = {
      channels: ['mail'],
      notifyOn: ['available', 'soldout', 'blind'],
      urgent: ['available'],
      quietHours: { from: '23:00', to: '08:00', timezone: 'Asia/Shanghai' },
    };
    store.onEvent((event) => enqueueEvent(outbox, route, event, { groupWindowMs: 10_000 }, clock));
    const poll = (...enough: boolean[]) => {
      const outcome: PollOutcome = { ok: true, rows: enough.map((resourceEnough, i) => ({ gpu: i + 1, cpu: 16, mem: 64, resourceEnough })) };
      store.recordPoll({ name: 'w', zone: 'z', gpuType: '4090' }, { at: now, latencyMs: 1, outcome }, { confirmUp: 1, confirmDown: 1, blindAfterMs: 60_000 });
    };

    poll(true, false); // baseline: gpu 1 available (urgent: due now), and sent
    outbox.markSent(outbox.open().map((row) => row.id), 'delivery-1', now);
    now = shanghai('2026-11-24T23:30:00');
    poll(false, false); // gpu 1 sold out: held until 08:00
    now = shanghai('2026-11-24T23:40:00');
    poll(false, true); // gpu 2 available: urgent, must not wait behind the held row

    const [latest, held] = outbox.open();
    expect(held).toMatchObject({ eventType: 'capacity.soldout', nextAttemptAt: shanghai('2026-11-25T08:00:00') });
    expect(latest).toMatchObject({ eventType: 'capacity.available', nextAttemptAt: now });
    store.close();
  });
});
