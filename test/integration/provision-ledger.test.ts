import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pino } from 'pino';
import { FOLLOW_UP_TIMING, FollowUp } from '../../src/provision/follow-up.js';
import { PriceBook } from '../../src/provision/prices.js';
import { HistoryStore } from '../../src/store/history-store.js';
import type { IntentStatus, IntentUpdate } from '../../src/store/provisions.js';
import { simClient } from '../helpers/client.js';
import { startTestSim, SIM_ZONE } from '../helpers/sim.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 0, 15, 8, 0, 0);
const DAY_AGO = NOW - 24 * HOUR;
let store: HistoryStore;
let next = 0;

beforeEach(() => {
  store = HistoryStore.open(join(tempDir(), 'history.db'));
});

afterEach(() => {
  store.close();
});

/** Adds an intent of `provisioner` and moves it on with `fields`; returns its id. */
function intent(fields: IntentUpdate & { status: IntentStatus }, options: { provisioner?: string; dryRun?: boolean } = {}): number {
  next += 1;
  const name = `grab-${String(next).padStart(10, '0')}`;
  const added = store.provisions.add({
    provisioner: options.provisioner ?? 'grab',
    name,
    eventId: `event-${next}`,
    watch: 'w4090',
    trigger: { gpu: 1, cpu: 16, mem: 64 },
    dryRun: options.dryRun ?? false,
    createdAt: NOW - HOUR,
  });
  expect(added).toBe(true);
  const id = store.provisions.recent(1)[0]!.id;
  store.provisions.mark(id, fields);
  return id;
}

const usage = (provisioner = 'grab') => store.provisions.usage(provisioner, DAY_AGO);

describe('ledger usage', () => {
  it('counts creating, unknown and created intents as owned; pending, blocked, failed and not-created as not', () => {
    for (const status of ['creating', 'unknown', 'created'] as const) intent({ status, hourlyPrice: 1, attemptedAt: NOW });
    for (const status of ['pending', 'blocked', 'failed', 'not-created'] as const) intent({ status });
    expect(usage().owned).toBe(3);
  });

  it('stops counting an instance once a listing shows it stopped, failed to install or gone', () => {
    const id = intent({ status: 'created', instanceId: 'uhost-a', attemptedAt: NOW, hourlyPrice: 1 });
    for (const state of ['Initializing', 'Running']) {
      store.provisions.recordListing('uhost-a', state, NOW);
      expect(usage().owned).toBe(1);
    }
    for (const state of ['Stopped', 'Install Fail', 'gone']) {
      store.provisions.recordListing('uhost-a', state, NOW);
      expect(usage().owned).toBe(0);
    }
    expect(store.provisions.get(id)?.instanceState).toBe('gone');
    expect(store.provisions.ownedInstances()).toEqual([]);
  });

  it('leaves dry runs and other provisioners out', () => {
    intent({ status: 'dry-run', hourlyPrice: 1.9, attemptedAt: NOW });
    intent({ status: 'created', hourlyPrice: 1.9, attemptedAt: NOW }, { dryRun: true });
    intent({ status: 'created', hourlyPrice: 1.9, attemptedAt: NOW, resolvedAt: NOW }, { provisioner: 'other' });
    intent({ status: 'failed', resolvedAt: NOW }, { provisioner: 'other' });
    expect(usage()).toEqual({ owned: 0, spent: 0, lastFailureAt: null });
    expect(usage('other')).toMatchObject({ owned: 1, lastFailureAt: NOW });
  });

  it('spends hourly price x 24 of what was attempted inside the window, a stopped instance included', () => {
    intent({ status: 'created', hourlyPrice: 2, attemptedAt: NOW - HOUR, instanceId: 'uhost-a' });
    intent({ status: 'unknown', hourlyPrice: 1, attemptedAt: DAY_AGO });
    intent({ status: 'created', hourlyPrice: 5, attemptedAt: DAY_AGO - 1 });
    intent({ status: 'failed', hourlyPrice: 7, attemptedAt: NOW });
    intent({ status: 'not-created', hourlyPrice: 7, attemptedAt: NOW });
    store.provisions.recordListing('uhost-a', 'Stopped', NOW);
    // 2 x 24 + 1 x 24: the one attempted a millisecond before the window and the refused ones cost nothing here.
    expect(usage().spent).toBe(72);
  });

  it('reports the latest failed or not-created resolution as the last failure, for the cooldown', () => {
    intent({ status: 'failed', resolvedAt: NOW - 3 * HOUR });
    intent({ status: 'not-created', resolvedAt: NOW - HOUR });
    intent({ status: 'blocked', resolvedAt: NOW });
    intent({ status: 'created', resolvedAt: NOW });
    expect(usage().lastFailureAt).toBe(NOW - HOUR);
  });
});

describe('ledger idempotency', () => {
  it('writes one intent per provisioner and event', () => {
    const base = { provisioner: 'grab', eventId: 'event-x', watch: 'w4090', trigger: { gpu: 1, cpu: 16, mem: 64 }, dryRun: false, createdAt: NOW };
    expect(store.provisions.add({ ...base, name: 'grab-aaaaaaaaaa' })).toBe(true);
    expect(store.provisions.add({ ...base, name: 'grab-bbbbbbbbbb' })).toBe(false);
    expect(store.provisions.add({ ...base, name: 'other-cccccccccc', provisioner: 'other' })).toBe(true);
    expect(store.provisions.recent(10).map((row) => row.name).sort()).toEqual(['grab-aaaaaaaaaa', 'other-cccccccccc']);
  });

  it('turns creates a crash interrupted into unknown at start, and leaves pending intents to be sent', () => {
    const creating = intent({ status: 'creating', attemptedAt: NOW });
    const pending = intent({ status: 'pending' });
    expect(store.provisions.recoverInterrupted()).toBe(1);
    expect(store.provisions.get(creating)?.status).toBe('unknown');
    expect(store.provisions.get(pending)?.status).toBe('pending');
    expect(usage().owned).toBe(1);
  });
});

describe('a lost answer whose instance never appears', () => {
  it('stays unknown (owned) through the window, then is not-created with an alert and a cooldown, and is taken in if it shows up later', async () => {
    const sim = await startTestSim();
    const client = simClient(sim);
    let now = NOW;
    const clock = { now: () => now };
    const request = { zone: SIM_ZONE, gpuType: '4090', gpu: 1, cpu: 16, memGb: 64, chargeType: 'Dynamic' };
    const id = intent({ status: 'unknown', request, hourlyPrice: 1.9, attemptedAt: NOW, reason: 'no answer within 500 ms' });
    const followUp = new FollowUp({
      client,
      store,
      clock,
      log: pino({ level: 'silent' }),
      provisioners: new Map(),
      prices: new PriceBook(client, clock),
      watchOf: () => ({ zone: SIM_ZONE, gpuType: '4090' }),
      onFollowUp: () => {},
      timing: FOLLOW_UP_TIMING,
    });
    try {
      now = NOW + FOLLOW_UP_TIMING.resolveWindowMs - 1;
      expect(await followUp.pass()).toBe(true);
      expect(store.provisions.get(id)?.status).toBe('unknown');
      expect(usage().owned).toBe(1);

      now = NOW + FOLLOW_UP_TIMING.resolveWindowMs;
      expect(await followUp.pass()).toBe(false);
      expect(store.provisions.get(id)).toMatchObject({ status: 'not-created', failure: 'not-created' });
      expect(usage()).toMatchObject({ owned: 0, lastFailureAt: now });
      const [event] = store.events.list(0).filter((row) => row.type === 'provision.failed');
      expect(event?.payload).toMatchObject({ failure: 'not-created', name: store.provisions.get(id)!.name });

      // It shows up after all: the next listing takes it in, so it counts as owned again instead of billing unseen.
      const name = store.provisions.get(id)!.name;
      await sim.control('POST', 'instances', { instances: [{ name, gpuType: '4090', zone: SIM_ZONE }] });
      now += FOLLOW_UP_TIMING.listingIntervalMs;
      await followUp.pass();
      expect(store.provisions.get(id)).toMatchObject({ status: 'created', instanceId: expect.stringMatching(/^uhost-/) });
      expect(usage().owned).toBe(1);
    } finally {
      await client.close();
      await sim.close();
    }
  });
});
