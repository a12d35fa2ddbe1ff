import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { Notifier, routeEventsToOutbox } from '../../src/notify/notifier.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { StoreWriteError } from '../../src/store/errors.js';
import { pollWatches, type PollTarget } from '../../src/watch/poller.js';
import { StorageHealth } from '../../src/watch/storage-health.js';
import { systemClock } from '../../src/util/clock.js';
import { CAPACITY_REQUEST_4090, simClient } from '../helpers/client.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import { captureLog } from '../helpers/notify.js';
import { startTestSim, type TestSim } from '../helpers/sim.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const target: PollTarget = {
  name: '4090',
  zone: CAPACITY_REQUEST_4090.zone,
  gpuType: '4090',
  request: CAPACITY_REQUEST_4090,
  detector: { confirmUp: 1, confirmDown: 1, blindAfterMs: 60_000 },
};

let sim: TestSim | undefined;
let receiver: HttpReceiver | undefined;
afterEach(async () => {
  await sim?.close();
  await receiver?.close();
  sim = receiver = undefined;
});

describe('a database that cannot be written', () => {
  it('alerts at once without the outbox, keeps polling, and records storage.recovered with the lost polls', async () => {
    sim = await startTestSim();
    receiver = await startHttpReceiver();
    const dir = tempDir();
    const path = join(dir, 'config.yaml');
    const database = join(dir, 'history.db');
    writeFileSync(path, `storage: { path: ${database} }\nlocale: en\nnotify: [hook]\nnotifiers:\n  hook: { type: webhook, url: "${receiver.origin}/hook" }\n`);
    const { config } = await loadConfigFile({ path });
    const store = HistoryStore.open(database);
    const { log, lines } = captureLog();
    const notifier = new Notifier(config, store, { now: () => Date.now() }, log, {});
    // Not started (the test drives delivery itself): events reach the outbox as a started notifier routes them.
    routeEventsToOutbox(config, store, { now: () => Date.now() });
    let alerted: Promise<void> = Promise.resolve();
    const storage = new StorageHealth(store, log, (event) => (alerted = notifier.sendNow(event)));
    const client = simClient(sim);
    const deps = { client, store, clock: systemClock, log, storage };

    // Another program holds the write lock for longer than the busy timeout.
    const other = new Database(database);
    other.exec('BEGIN EXCLUSIVE');
    expect(await pollWatches(deps, [target])).toEqual([null]);
    await alerted;
    expect(receiver.requests).toHaveLength(1);
    const sent = JSON.parse(receiver.requests[0]!.body) as { title: string; text: string; event: { type: string } };
    expect(sent.event.type).toBe('storage.failing');
    expect(sent.title).toBe('compshare-watch cannot record polls');
    expect(sent.text).toContain('another program holds the database locked (SQLITE_BUSY)');
    expect(lines().filter((line) => line.msg?.toString().startsWith('cannot record polls'))).toHaveLength(1);

    other.exec('ROLLBACK');
    other.close();
    expect((await pollWatches(deps, [target]))[0]).not.toBeNull();
    const recovered = store.events.list(0).find((event) => event.type === 'storage.recovered');
    expect(recovered?.payload).toMatchObject({ database, lostPolls: 1 });
    // It reaches the outbox like any event, for the top-level notify.
    expect(store.outbox.open().map((row) => row.eventType)).toContain('storage.recovered');

    await notifier.stop();
    await client.close();
    store.close();
  });

  it('says so once while it keeps failing, and counts every lost poll', () => {
    const store = HistoryStore.open(join(tempDir(), 'history.db'));
    const { log, lines } = captureLog();
    const alerts: string[] = [];
    const storage = new StorageHealth(store, log, async (event) => {
      alerts.push(event.type);
    });
    for (const at of [1_000, 2_000, 3_000]) storage.failed(new StoreWriteError('SQLITE_FULL', 'database or disk is full'), at);
    storage.recorded(4_000);
    storage.recorded(5_000);
    expect(alerts).toEqual(['storage.failing']);
    expect(lines().filter((line) => line.level === 50)).toHaveLength(1);
    expect(store.events.list(0).map((event) => [event.type, event.payload.lostPolls])).toEqual([['storage.recovered', 3]]);
    store.close();
  });
});
