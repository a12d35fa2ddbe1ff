import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkResourceCapacity } from '../../src/compshare/actions/check-capacity.js';
import type { CompshareClient } from '../../src/compshare/client.js';
import { NetworkError } from '../../src/compshare/errors.js';
import { CAPACITY_REQUEST_4090, simClient } from '../helpers/client.js';
import { startTestSim, type TestSim } from '../helpers/sim.js';
import { selfSignedCert, type SelfSignedCert } from '../helpers/tls.js';

/** The simulator behind a self-signed certificate, and a client that trusts exactly that certificate or not. */
describe('the client over HTTPS', () => {
  let dir: string;
  let cert: SelfSignedCert;
  let sim: TestSim;
  const clients: CompshareClient[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'compshare-watch-tls-'));
    cert = selfSignedCert(dir);
    sim = await startTestSim({ tls: cert });
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the gateway at an https:// URL', () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('gets a capacity answer when given the certificate as its CA', async () => {
    const client = simClient(sim, { ca: cert.cert });
    clients.push(client);
    const { rows } = await checkResourceCapacity(client, CAPACITY_REQUEST_4090);
    expect(rows).toContainEqual({ gpu: 1, cpu: 16, mem: 64, resourceEnough: true });
  });

  it('still verifies the certificate: without the CA the call fails as a network error, not an answer', async () => {
    const client = simClient(sim, { retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    clients.push(client);
    const failure = await checkResourceCapacity(client, CAPACITY_REQUEST_4090).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NetworkError);
    expect(String(failure)).toMatch(/self[- ]signed/i);
  });
});
