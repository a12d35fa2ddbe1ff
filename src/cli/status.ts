import { existsSync } from 'node:fs';
import { loadConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { isLockHeld } from '../daemon/lock.js';
import { splitListen } from '../daemon/listen.js';
import { stateView, type DaemonState } from '../daemon/state-view.js';
import { HistoryStore } from '../store/history-store.js';
import { formatDuration } from '../util/duration.js';
import { formatLocalTime } from '../util/time-format.js';
import { EXIT_API_ERROR, printError } from './exit.js';
import { UsageError } from './usage-error.js';

export interface StatusOptions {
  config?: string;
  json?: boolean;
}

/** How long `status` waits for the daemon's answer before reading the database itself. */
export const STATUS_TIMEOUT_MS = 3_000;
/** The longest answer read from the daemon: a state with thousands of keys still fits. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

/** Where the state came from: the daemon's HTTP API, or the database while a daemon runs without HTTP, or none runs. */
type Source = 'daemon' | 'database (daemon without http)' | 'database (no daemon running)';

/** `status`: asks the running daemon, else reads the database with the same state view. */
export async function status(options: StatusOptions): Promise<void> {
  const { config } = await loadConfigFile({ path: options.config });
  let state = await askDaemon(config);
  let source: Source = 'daemon';
  if (state === undefined) {
    const path = config.storage.path;
    if (!existsSync(path)) {
      printError(`no daemon runs and there is no history at ${path} yet: start "compshare-watch run" first`);
      process.exitCode = EXIT_API_ERROR;
      return;
    }
    source = isLockHeld(path) ? 'database (daemon without http)' : 'database (no daemon running)';
    const store = HistoryStore.open(path);
    try {
      state = stateView({ store, config, now: Date.now() });
    } finally {
      store.close();
    }
  }
  const running = source !== 'database (no daemon running)';
  if (options.json) process.stdout.write(`${JSON.stringify({ source, running, ...state }, null, 2)}\n`);
  else process.stdout.write(renderStatus(state, source, config.timezone));
  if (!running) printError('no daemon runs: this is the state the database last recorded');
  if (!running || state.blind.length > 0) process.exitCode = EXIT_API_ERROR;
}

/** GET /api/state from the daemon this config describes; undefined when it cannot be reached. */
async function askDaemon(config: Config): Promise<DaemonState | undefined> {
  if (config.http === false) return undefined;
  const { host, port } = splitListen(config.http.listen);
  // A daemon listening on every address is reached on loopback.
  const target = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const url = `http://${target.includes(':') ? `[${target}]` : target}:${port}/api/state`;
  const headers: Record<string, string> = config.http.token === undefined ? {} : { authorization: `Bearer ${config.http.token}` };
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
  } catch {
    return undefined;
  }
  if (response.status === 401) throw new UsageError(`the daemon at ${url} refused http.token (does the config match the running daemon's?)`);
  const length = Number(response.headers.get('content-length') ?? 0);
  if (!response.ok || length > MAX_ANSWER_BYTES) return undefined;
  try {
    const text = await response.text();
    return text.length > MAX_ANSWER_BYTES ? undefined : (JSON.parse(text) as DaemonState);
  } catch {
    // Something else answers on that port: the database still tells the state.
    return undefined;
  }
}

/** The state as lines for a terminal. */
export function renderStatus(state: DaemonState, source: Source, timezone: string): string {
  const time = (ms: number | null) => (ms === null ? 'never' : formatLocalTime(ms, timezone));
  const lines = [`from ${source}, ${time(state.at)}`];
  for (const watch of state.watches) {
    const health = watch.blind ? 'BLIND' : watch.late ? 'LATE' : watch.result;
    const error = watch.result === 'failing' && watch.lastError !== null ? `: ${watch.lastError}` : '';
    lines.push('', `${watch.name}  last poll ${time(watch.lastPollAt)}  ${health}${error}`);
    if (watch.keys.length === 0) lines.push('  no spec seen yet');
    for (const key of watch.keys) {
      lines.push(`  ${key.gpu} GPU / ${key.cpu} CPU / ${key.mem} GB  ${key.state} since ${time(key.since)} (${formatDuration(state.at - key.since)})`);
    }
  }
  lines.push('', state.blind.length ? `blind or late: ${state.blind.join(', ')}` : 'no blind watches');
  const queue = state.outbox.channels.filter((channel) => channel.pending > 0 || channel.failed > 0);
  lines.push(`outbox: ${state.outbox.pending} pending, ${state.outbox.failed} failed`);
  for (const channel of queue) lines.push(`  ${channel.channel}: ${channel.pending} pending, ${channel.failed} failed`);
  lines.push(`owned instances: ${state.instances.length}`);
  for (const instance of state.instances) {
    const stop = instance.stopTime === null ? 'no scheduled stop' : `stops ${time(instance.stopTime * 1000)}`;
    lines.push(`  ${instance.name} ${instance.instanceId ?? '-'} ${instance.state ?? ''}  ${stop}`);
  }
  return `${lines.join('\n')}\n`;
}
