import { CompshareClient, type ClientOptions } from './client.js';
import { packageVersion } from '../version.js';

/**
 * What a client is built from: the `api` section and the key pair. Declared here, not imported from config/, so
 * this folder does not depend on the one that composes it (a loaded config fits this shape as it is).
 */
export interface ClientSettings {
  config: { api: Pick<ClientOptions, 'baseUrl' | 'region' | 'projectId' | 'timeoutMs' | 'maxRequestsPerSecond'> };
  credentials: Pick<ClientOptions, 'publicKey' | 'privateKey'>;
}

/** The one client a process uses, built from the loaded config; `hooks` lets a command watch its progress. */
export function clientFromConfig(loaded: ClientSettings, hooks: Pick<ClientOptions, 'onSlowAttempt'> = {}): CompshareClient {
  const { api } = loaded.config;
  return new CompshareClient({
    baseUrl: api.baseUrl,
    region: api.region,
    projectId: api.projectId,
    timeoutMs: api.timeoutMs,
    maxRequestsPerSecond: api.maxRequestsPerSecond,
    publicKey: loaded.credentials.publicKey,
    privateKey: loaded.credentials.privateKey,
    userAgent: `compshare-watch/${packageVersion()}`,
    ...hooks,
  });
}
