import { existsSync } from 'node:fs';
import { loadConfigFile, type LoadedConfigFile } from '../config/load.js';
import { HistoryStore } from '../store/history-store.js';
import { parseDuration } from '../util/duration.js';
import { UsageError } from './usage-error.js';
import { watchNamed } from './options.js';

/** What the read-only history commands share: the config, the opened database and the start of the period. */
export interface HistoryOptions {
  config?: string;
  /** `--since`; without it the whole history. */
  since?: string;
  watch?: string;
}

export interface HistoryContext {
  loaded: LoadedConfigFile;
  store: HistoryStore;
  since: number;
  now: number;
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
  return { loaded, store: HistoryStore.open(path), since: sinceMs === null ? 0 : now - sinceMs, now };
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
