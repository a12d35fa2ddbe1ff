import { existsSync } from 'node:fs';
import { loadConfigFile, type LoadedConfigFile } from '../config/load.js';
import { HistoryStore } from '../store/history-store.js';
import { parseDuration } from '../util/duration.js';
import { UsageError } from './usage-error.js';

/** What the read-only history commands share: the config, the opened database and the start of the period. */
export interface HistoryContext {
  loaded: LoadedConfigFile;
  store: HistoryStore;
  since: number;
  now: number;
}

export async function openHistoryContext(options: { config?: string; since: string; watch?: string }): Promise<HistoryContext> {
  const sinceMs = parseDuration(options.since);
  if (sinceMs === null) throw new UsageError(`--since: expected a duration like 30m, 12h or 7d (got "${options.since}")`);
  const loaded = await loadConfigFile({ path: options.config });
  if (options.watch !== undefined && !loaded.config.watches.some((watch) => watch.name === options.watch)) {
    throw new UsageError(`unknown watch "${options.watch}" (configured: ${loaded.config.watches.map((w) => w.name).join(', ') || 'none'})`);
  }
  const path = loaded.config.storage.path;
  if (!existsSync(path)) throw new UsageError(`no history at ${path} yet: start "compshare-watch run" first`);
  const now = Date.now();
  return { loaded, store: HistoryStore.open(path), since: now - sinceMs, now };
}

/** Runs a command body against the history database and always closes it. */
export async function withHistory<T>(
  options: { config?: string; since: string; watch?: string },
  body: (context: HistoryContext) => T,
): Promise<T> {
  const context = await openHistoryContext(options);
  try {
    return body(context);
  } finally {
    context.store.close();
  }
}
