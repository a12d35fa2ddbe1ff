import { CompshareClient, type ClientOptions } from './client.js';
import type { LoadedConfig } from '../config/load.js';
import { packageVersion } from '../cli/version.js';

/** The one client a process uses, built from the loaded config; `hooks` lets a command watch its progress. */
export function clientFromConfig(loaded: LoadedConfig, hooks: Pick<ClientOptions, 'onSlowAttempt'> = {}): CompshareClient {
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
