import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CompshareClient } from '../../src/compshare/client.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { systemClock } from '../../src/util/clock.js';
import { pollWatches, type PollTarget } from '../../src/watch/poller.js';
import { StorageHealth } from '../../src/watch/storage-health.js';
import { CAPACITY_REQUEST_4090, simClient } from '../helpers/client.js';
import { queryDb } from '../helpers/daemon.js';
import { captureLog } from '../helpers/notify.js';
import { put4090Rows, startTestSim, type TestSim } from '../helpers/sim.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const ACTION = 'CheckCompShareResourceCapacity';
const target = (name: string, gpu: number): PollTarget => ({
  name,
  zone: CAPACITY_REQUEST_4090.zone,
  gpuType: '4090',
  request: CAPACITY_REQUEST_4090,
  detector: { confirmUp: 1, confirmDown: 1, blindAfterMs: 60_000, tracks: (key) => key.gpu === gpu },
});
const one = target('one-gpu', 1);
const two = target('two-gpus', 2);

let sim: TestSim;
let client: CompshareClient;
let store: HistoryStore;
let database: string;
let deps: Parameters<typeof pollWatches>[0];

beforeEach(async () => {
  sim = await startTestSim();
  await put4090Rows(sim, [
    [1, 16, 64, true],
    [2, 32, 128, false],
  ]);
  client = simClient(sim);
  database = join(tempDir(), 'history.db');
  store = HistoryStore.open(database);
  const { log } = captureLog();
  deps = { client, store, clock: systemClock, log, storage: new StorageHealth(store, log) };
});
afterEach(async () => {
  store.close();
  await client.close();
  await sim.close();
});

const capacityCalls = async () => (await sim.requests()).filter((entry) => entry.action === ACTION).length;
const keysOf = (watch: string) =>
  queryDb<{ gpu: number; state: string }>(database, `SELECT k.gpu, k.state FROM spec_keys k JOIN watches w ON w.id = k.watch_id WHERE w.name = '${watch}'`);
const pollsOf = (watch: string) =>
  queryDb<{ error_kind: string | null }>(database, `SELECT p.error_kind FROM polls p JOIN watches w ON w.id = p.watch_id WHERE w.name = '${watch}'`);

describe('a shared poll', () => {
  it('asks once for watches of one request shape, and each records its own poll of its own rows', async () => {
    const detections = await pollWatches(deps, [one, two]);
    expect(await capacityCalls()).toBe(1);
    expect(detections.map((detection) => detection?.transitions.map((t) => [t.key.gpu, t.to]))).toEqual([
      [[1, 'available']],
      [[2, 'soldout']],
    ]);
    expect(keysOf('one-gpu')).toEqual([{ gpu: 1, state: 'available' }]);
    expect(keysOf('two-gpus')).toEqual([{ gpu: 2, state: 'soldout' }]);
    expect([pollsOf('one-gpu'), pollsOf('two-gpus')]).toEqual([[{ error_kind: null }], [{ error_kind: null }]]);
  });

  it('records a failed call as an error sample for every watch it served', async () => {
    await sim.addFault({ kind: 'http', status: 503, count: 3, action: ACTION });
    await pollWatches(deps, [one, two]);
    expect(await capacityCalls()).toBe(3);
    expect([pollsOf('one-gpu'), pollsOf('two-gpus')]).toEqual([[{ error_kind: 'http' }], [{ error_kind: 'http' }]]);
  });

  it('records nothing for a call cut off by shutdown', async () => {
    const shutdown = new AbortController();
    shutdown.abort();
    await client.close();
    expect(await pollWatches(deps, [one, two], shutdown.signal)).toEqual([]);
    expect([pollsOf('one-gpu'), pollsOf('two-gpus')]).toEqual([[], []]);
  });
});
