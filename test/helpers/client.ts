import { CompshareClient, type ClientOptions } from '../../src/compshare/client.js';
import type { CapacityRequest } from '../../src/compshare/actions/check-capacity.js';
import { SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, SIM_REGION, SIM_ZONE, type TestSim } from './sim.js';

/** A client for a test simulator: fast timeouts, no real backoff waits, a generous rate. */
export function simClient(sim: TestSim, overrides: Partial<ClientOptions> = {}): CompshareClient {
  return loopbackClient(sim.url, { publicKey: SIM_PUBLIC_KEY, privateKey: SIM_PRIVATE_KEY, ...overrides });
}

/** The same for any loopback server playing the API (a hostile one, say), which checks no signature or project. */
export function loopbackClient(baseUrl: string, overrides: Partial<ClientOptions> = {}): CompshareClient {
  return new CompshareClient({
    baseUrl,
    region: SIM_REGION,
    publicKey: 'pub',
    privateKey: 'priv',
    timeoutMs: 2_000,
    maxRequestsPerSecond: 1_000,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
    ...overrides,
  });
}

/** A capacity request for 4090s in the simulator's zone, as the client's typed action takes it. */
export const CAPACITY_REQUEST_4090: CapacityRequest = {
  zone: SIM_ZONE,
  gpuType: '4090',
  machineType: 'G',
  minimalCpuPlatform: 'Auto',
  imageId: 'compshareImage-test',
  chargeType: 'Dynamic',
  disks: [{ isBoot: true, type: 'CLOUD_SSD', size: 60 }],
};
