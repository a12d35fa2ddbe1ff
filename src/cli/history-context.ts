import { existsSync } from 'node:fs';
import { loadConfigFile, type LoadedConfigFile } from '../config/load.js';
import { isLockHeld } from '../daemon/lock.js';
import { HistoryStore } from '../store/history-store.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import { formatLocalTime } from '../util/time-format.js';
import { UsageError } from './usage-error.js';
import { watchNamed } from './options.js';

/** What the read-only history commands share: the config, the opened database and the start of the period. */
export interface HistoryOptions {
  config?: string;
  /** `--since`; without it the whole history. */
  since?: string;
  watch?: string;
}

/** Up to when a watch's current state is known: now while a daemon polls it, else its last successful poll. */
export interface StateAsOf {
  asOf: number;
  live: boolean;
}

export interface HistoryContext {
  loaded: LoadedConfigFile;
  store: HistoryStore;
  since: number;
  now: number;
  asOf(watch: string): StateAsOf;
}

export async function openHistoryContext(options: HistoryOptions): Promise<HistoryContext> {
  const sinceMs = options.since === undefined ? null : parseDuration(options.since);
  if (options.since !== undefined && sinceMs === null) {
    throw new UsageError(`--since: expected a duration like 30m, 12h or 7d (got "${options.since}")`);
  }
  const loaded = await loadConfigFile({ path: options.config });
  if (options.watch !== undefined) watchNamed(loaded.config.watches, options.watch);
  const path = loaded.config.storage.path;
  if (!existsSync(path)) throw new UsageError(`no history at ${path} yet: start "compshare-watch run" first`);
  const now = Date.now();
  const store = HistoryStore.open(path);
  const daemonRunning = isLockHeld(path);
  // Per watch, once: a command asks for every key of a watch, and reading a watch's state reads all its keys.
  const known = new Map<string, StateAsOf>();
  const asOf = (watch: string): StateAsOf => {
    let state = known.get(watch);
    if (state === undefined) {
      const lastOkAt = store.watchState.find(watch)?.health.lastOkAt ?? now;
      const blindAfter = loaded.config.watches.find((configured) => configured.name === watch)?.blindAfter;
      // A daemon that runs but has not polled the watch for longer than makes it blind does not count it either.
      const live = daemonRunning && blindAfter !== undefined && now - lastOkAt <= blindAfter;
      state = { asOf: live ? now : lastOkAt, live };
      known.set(watch, state);
    }
    return state;
  };
  return { loaded, store, since: sinceMs === null ? 0 : now - sinceMs, now, asOf };
}

/** "3h 12m so far" while a daemon polls, else "3h 12m as of the last poll (2026-11-24 21:50:07)". */
export function describeOngoing(sinceAt: number, known: StateAsOf, timezone: string): string {
  return `${formatDuration(known.asOf - sinceAt)} ${describeAsOf(known, timezone)}`;
}

/** "so far" while a daemon polls, else "as of the last poll (2026-11-24 21:50:07)". */
export function describeAsOf(known: StateAsOf, timezone: string): string {
  return known.live ? 'so far' : `as of the last poll (${formatLocalTime(known.asOf, timezone)})`;
}

/** Runs a command body against the history database and always closes it. */
export async function withHistory<T>(
  options: HistoryOptions,
  body: (context: HistoryContext) => T,
): Promise<T> {
  const context = await openHistoryContext(options);
  try {
    return body(context);
  } finally {
    context.store.close();
  }
}
