import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import type { CompshareClient } from '../../src/compshare/client.js';
import { checkResourceCapacity } from '../../src/compshare/actions/index.js';
import { ClientClosedError, HttpStatusError, NetworkError } from '../../src/compshare/errors.js';
import { SIM_PRIVATE_KEY, startTestSim, type TestSim } from '../helpers/sim.js';
import { CAPACITY_REQUEST_4090, simClient } from '../helpers/client.js';

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
    while ((await checksSent()) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
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
