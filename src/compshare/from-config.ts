import { CompshareClient, type ClientOptions } from './client.js';
import { packageVersion } from '../version.js';

/**
 * What a client is built from: the `api` section and the key pair. Declared here, not imported from config/, so
 * this folder does not depend on the one that composes it (a loaded config fits this shape as it is).
 */
export interface ClientSettings {
  config: { api: Pick<ClientOptions, 'baseUrl' | 'region' | 'projectId' | 'timeoutMs' | 'maxRequestsPerSecond' | 'connections'> };
  credentials: Pick<ClientOptions, 'publicKey' | 'privateKey'>;
}

/**
 * What a command adds to the config: hooks to watch the client's progress, and the rate floor a daemon derives from
 * its watches.
 */
export type ClientRuntimeOptions = Pick<ClientOptions, 'onSlowAttempt' | 'onRateChange' | 'minRequestsPerSecond'>;

/** The one client a process uses, built from the loaded config. */
export function clientFromConfig(loaded: ClientSettings, runtime: ClientRuntimeOptions = {}): CompshareClient {
  const { api } = loaded.config;
  return new CompshareClient({
    baseUrl: api.baseUrl,
    region: api.region,
    projectId: api.projectId,
    timeoutMs: api.timeoutMs,
    maxRequestsPerSecond: api.maxRequestsPerSecond,
    connections: api.connections,
    publicKey: loaded.credentials.publicKey,
    privateKey: loaded.credentials.privateKey,
    userAgent: `compshare-watch/${packageVersion()}`,
    ...runtime,
  });
}
