import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DaemonProcess } from '../helpers/daemon.js';
import {
  countOf,
  intents,
  morePolls,
  setRows,
  settledIntents,
  startProvisionDaemon,
  writeProvisionConfig,
  type ProvisionConfig,
} from '../helpers/provision.js';
import { createRequests, startTestSim, type TestSim } from '../helpers/sim.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const CREATE = 'CreateCompShareInstance';
const tempDir = useTempDir();
let sim: TestSim;
let daemon: DaemonProcess | undefined;

beforeEach(async () => {
  sim = await startTestSim();
  daemon = undefined;
});

afterEach(async () => {
  daemon?.child.kill('SIGKILL');
  await daemon?.exited;
  await sim.close();
});

/** One candidate, available from the first poll (a baseline event triggers the grab). */
async function start(apiTimeoutMs?: number): Promise<ProvisionConfig> {
  await setRows(sim, true, false);
  const config = writeProvisionConfig(tempDir(), sim.url, { apiTimeoutMs });
  daemon = startProvisionDaemon(config);
  return config;
}

async function kill(): Promise<void> {
  daemon!.child.kill('SIGKILL');
  await daemon!.exited;
}

/** The intent settled as created with the one instance the simulator holds; one Create was ever sent. */
async function expectOneInstance(config: ProvisionConfig): Promise<void> {
  const [row] = await settledIntents(config.db, 1);
  const instances = await sim.instances();
  expect(instances).toHaveLength(1);
  expect(row).toMatchObject({ status: 'created', instance_id: instances[0]!.UHostId, name: instances[0]!.Name });
  await morePolls(sim, 2);
  expect(await countOf(sim, CREATE)).toBe(1);
  expect(intents(config.db)).toHaveLength(1);
}

describe('a Create whose answer is lost', () => {
  it('is resolved by listing the name: created with its UHostId, no second Create', async () => {
    await sim.addFault({ kind: 'lost-answer', action: CREATE, count: 1 });
    const config = await start(500);

    await expectOneInstance(config);
  });

  it('is still found when the listing shows the instance late, and nothing else is created meanwhile', async () => {
    await sim.control('PATCH', 'settings', { listingLagSeconds: 30 });
    await sim.addFault({ kind: 'lost-answer', action: CREATE, count: 1 });
    const config = await start(500);
    await waitFor(() => intents(config.db), (rows) => rows[0]?.status === 'unknown', 'the outcome to be unknown');
    // Listings made while it is hidden find nothing; the intent stays unknown and owned.
    await waitFor(() => countOf(sim, 'DescribeCompShareInstance'), (count) => count >= 2, 'listings that miss it');
    expect(intents(config.db)[0]!.status).toBe('unknown');

    await sim.advance(31);
    await expectOneInstance(config);
  });
});

describe('kill -9 during a grab, then restart on the same database', () => {
  it('after the Create was sent: the new daemon finds the instance and sends no second Create', async () => {
    // Carried out 1.5 s after it arrives and never answered: the daemon dies with the request in flight.
    await sim.addFault({ kind: 'lost-answer', action: CREATE, ms: 1500, count: 1 });
    const config = await start();
    await waitFor(() => createRequests(sim), (rows) => rows[0]?.receivedMs > 0, 'the Create to arrive');
    await kill();
    // The ledger said "sent" before the request left.
    expect(intents(config.db)).toMatchObject([{ status: 'creating' }]);
    await waitFor(() => sim.instances(), (rows) => rows.length === 1, 'the create to happen');

    daemon = startProvisionDaemon(config);
    await expectOneInstance(config);
  });

  it('before the Create was sent: the pending intent is carried out once at restart', async () => {
    // A slow price answer holds the grab between the committed intent and its Create.
    await sim.addFault({ kind: 'latency', action: 'GetCompShareInstancePrice', ms: 60_000 });
    const config = await start();
    await waitFor(() => intents(config.db), (rows) => rows[0]?.status === 'pending', 'the pending intent');
    await kill();
    expect(await countOf(sim, CREATE)).toBe(0);
    await sim.control('DELETE', 'faults');

    daemon = startProvisionDaemon(config);
    await expectOneInstance(config);
  });
});

describe('SIGTERM during a grab', () => {
  it('waits for the Create under way and records the instance before exiting', async () => {
    await sim.addFault({ kind: 'latency', action: CREATE, ms: 1000, count: 1 });
    const config = await start();
    await waitFor(() => createRequests(sim), (rows) => rows.length === 1, 'the Create to arrive');
    daemon!.child.kill('SIGTERM');

    expect(await daemon!.exited).toBe(0);
    const [instance] = await sim.instances();
    expect(intents(config.db)).toMatchObject([{ status: 'created', instance_id: instance!.UHostId }]);
  });
});
