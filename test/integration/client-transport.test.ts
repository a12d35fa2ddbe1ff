import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientOptions, CompshareClient } from '../../src/compshare/client.js';
import { ClientClosedError, NetworkError } from '../../src/compshare/errors.js';
import { clientFromConfig } from '../../src/compshare/from-config.js';
import { loopbackClient } from '../helpers/client.js';
import { waitFor } from '../helpers/wait.js';

/**
 * A gateway that takes its time, from a bare node:http server on 127.0.0.1: each request is answered `delayMs`
 * after it arrives (or never, when null) with `retCode`; it counts how many it holds at once.
 */
let server: Server;
let delayMs: number | null;
let retCode: number;
let inFlight: number;
let mostInFlight: number;
let received: number;
const clients: CompshareClient[] = [];

beforeEach(async () => {
  delayMs = 100;
  retCode = 0;
  inFlight = mostInFlight = received = 0;
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received++;
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      if (delayMs !== null) setTimeout(() => answer(response), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function answer(response: ServerResponse): void {
  inFlight--;
  response.end(JSON.stringify({ RetCode: retCode, Message: retCode ? 'rate limited' : '' }));
}

const serverUrl = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** A client that tries once: a timeout shows up as the call's error instead of hiding behind a retry. */
function slowServerClient(overrides: Partial<ClientOptions>): CompshareClient {
  const client = loopbackClient(serverUrl(), { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, ...overrides });
  clients.push(client);
  return client;
}

const ping = (client: CompshareClient) => client.call('Ping', {}, { withProject: false });
const failures = async (calls: Array<Promise<unknown>>): Promise<unknown[]> =>
  (await Promise.allSettled(calls)).flatMap((settled) => (settled.status === 'rejected' ? [settled.reason] : []));

describe('connections', () => {
  it('serves a burst that needs more than four connections without a timeout', async () => {
    // 100 calls a second answered in 100 ms keep about ten in flight; an answer is never late unless it queued.
    const client = slowServerClient({ maxRequestsPerSecond: 100, timeoutMs: 1_500 });
    const calls = Array.from({ length: 40 }, () => ping(client));
    expect(await failures(calls)).toEqual([]);
    expect(mostInFlight).toBeGreaterThan(4);
  });

  it('keeps to api.connections and times each request from when it is sent, not while it waits for one', async () => {
    // Two connections, sixteen calls of 100 ms: the last waits 700 ms for a connection, well past the timeout, which
    // leaves an answer 4.5 times its time (a loaded CI machine made a 300 ms timeout miss once).
    const api = { baseUrl: serverUrl(), region: 'cn-sim', timeoutMs: 450, maxRequestsPerSecond: 1000, connections: 2 };
    const client = clientFromConfig({ config: { api }, credentials: { publicKey: 'pub', privateKey: 'priv' } });
    clients.push(client);
    const calls = Array.from({ length: 16 }, () => ping(client));
    expect(await failures(calls)).toEqual([]);
    expect(received).toBe(16); // no attempt timed out and was sent again
    expect(mostInFlight).toBe(2);
  });

  it('ends the waits for a connection at once on close(), sending nothing more', async () => {
    delayMs = null; // the one request sent hangs: only close() can end these calls within the test's time
    const client = slowServerClient({ connections: 1, timeoutMs: 60_000 });
    const outcome = failures(Array.from({ length: 5 }, () => ping(client)));
    await waitFor(async () => received, (count) => count > 0, 'the first call to reach the server');
    await client.close();
    const errors = await outcome;
    expect(errors[0]).toBeInstanceOf(NetworkError);
    expect(errors.slice(1)).toHaveLength(4);
    for (const error of errors.slice(1)) expect(error).toBeInstanceOf(ClientClosedError);
    expect(received).toBe(1);
  });
});

describe('throttling', () => {
  it('lowers the rate on a 153 and tells the hook, and answers the call with the 153', async () => {
    delayMs = 0;
    retCode = 153;
    const rates: number[] = [];
    const client = slowServerClient({ maxRequestsPerSecond: 100, onRateChange: (rate) => rates.push(rate) });
    expect(client.requestsPerSecond).toBe(100);
    const [error] = await failures([ping(client)]);
    expect((error as { retCode?: number }).retCode).toBe(153);
    expect(client.requestsPerSecond).toBeLessThan(51);
    expect(rates).toEqual([50]);
  });
});
