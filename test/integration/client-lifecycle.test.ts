import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import type { CompshareClient } from '../../src/compshare/client.js';
import { checkResourceCapacity } from '../../src/compshare/actions/index.js';
import { ClientClosedError, HttpStatusError, NetworkError } from '../../src/compshare/errors.js';
import { SIM_PRIVATE_KEY, startTestSim, type TestSim } from '../helpers/sim.js';
import { CAPACITY_REQUEST_4090, simClient } from '../helpers/client.js';
import { waitFor } from '../helpers/wait.js';
import { sleep, type Sleep } from '../../src/util/clock.js';

const capacityRequest = CAPACITY_REQUEST_4090;
const action = 'CheckCompShareResourceCapacity';

let sim: TestSim;
beforeEach(async () => {
  sim = await startTestSim();
});
afterEach(async () => {
  await sim.close();
});

const checksSent = async (): Promise<number> => (await sim.requests()).filter((entry) => entry.action === action).length;
const failureOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

describe('close()', () => {
  it('cuts off a hung request instead of waiting for it, and does not retry it', async () => {
    // A timeout far beyond the test's: only cutting the request off can end this call in time.
    const client = simClient(sim, { projectId: 'org-sim', timeoutMs: 60_000 });
    await sim.addFault({ kind: 'hang', action });
    const pending = failureOf(checkResourceCapacity(client, capacityRequest));
    await waitFor(checksSent, (count) => count > 0, 'the check to reach the simulator');
    await client.close();
    expect(await pending).toBeInstanceOf(NetworkError);
    expect(await checksSent()).toBe(1);
  });

  it('stops a retry loop with the last error once closed', async () => {
    let client: CompshareClient | undefined;
    // The backoff is where close() lands: the loop must not send again afterwards.
    const closingSleep = async (): Promise<void> => client?.close();
    client = simClient(sim, { projectId: 'org-sim', sleep: closingSleep });
    await sim.addFault({ kind: 'http', status: 503, action });
    const error = await failureOf(checkResourceCapacity(client, capacityRequest));
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(503);
    expect(await checksSent()).toBe(1);
  });

  it('ends a wait for a rate-limit slot at once, sending nothing more', async () => {
    // One request per 1000 s: the second call can only end by close() cutting its wait short.
    const client = simClient(sim, { projectId: 'org-sim', maxRequestsPerSecond: 0.001 });
    await checkResourceCapacity(client, capacityRequest);
    const waiting = failureOf(checkResourceCapacity(client, capacityRequest));
    await client.close();
    expect(await waiting).toBeInstanceOf(ClientClosedError);
    expect(await checksSent()).toBe(1);
  });

  it('ends a retry backoff at once with the last error', async () => {
    let backingOff!: () => void;
    const inBackoff = new Promise<void>((resolve) => (backingOff = resolve));
    // The real timer sleep, only observed: a ten-minute backoff that close() must cut short.
    const observedSleep: Sleep = (ms, signal) => (backingOff(), sleep(ms, signal));
    const retry = { maxAttempts: 3, baseDelayMs: 600_000, maxDelayMs: 600_000 };
    const client = simClient(sim, { projectId: 'org-sim', retry, random: () => 0.99, sleep: observedSleep });
    await sim.addFault({ kind: 'http', status: 503, action });
    const pending = failureOf(checkResourceCapacity(client, capacityRequest));
    await inBackoff;
    await client.close();
    expect(await pending).toMatchObject({ name: 'HttpStatusError', status: 503 });
    expect(await checksSent()).toBe(1);
  });

  it('fails a later call at once with a clear error, sending and retrying nothing', async () => {
    const waits: number[] = [];
    const client = simClient(sim, { projectId: 'org-sim', sleep: async (ms) => void waits.push(ms) });
    await client.close();
    const error = await failureOf(checkResourceCapacity(client, capacityRequest));
    expect(error).toBeInstanceOf(ClientClosedError);
    expect((error as Error).message).toBe(`${action} not sent: the client is closed`);
    expect(waits).toEqual([]);
    expect(await sim.requests()).toEqual([]);
  });
});

describe('the private key', () => {
  it('shows in neither util.inspect nor JSON.stringify of a client', async () => {
    const client = simClient(sim);
    expect(inspect(client, { depth: Infinity, showHidden: true })).not.toContain(SIM_PRIVATE_KEY);
    expect(JSON.stringify(client)).not.toContain(SIM_PRIVATE_KEY);
    await client.close();
  });
});

describe('onSlowAttempt', () => {
  it('says which attempt of which call is waiting, once per unanswered attempt', async () => {
    const told: unknown[] = [];
    const onSlowAttempt = (attempt: unknown) => void told.push(attempt);
    const client = simClient(sim, { projectId: 'org-sim', timeoutMs: 500, slowAttemptMs: 50, onSlowAttempt });
    await sim.addFault({ kind: 'hang', action, count: 1 });
    await checkResourceCapacity(client, capacityRequest);
    await client.close();
    // The hung first attempt was reported; the second, answered at once, was not.
    expect(told).toEqual([{ action, attempt: 1, maxAttempts: 3, timeoutMs: 500 }]);
  });
});
