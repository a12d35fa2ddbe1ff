import type { Config } from '../config/schema.js';
import type { HistoryStore } from '../store/history-store.js';
import { parseDuration } from '../util/duration.js';
import { quote } from '../schema/message.js';

/** The most rows `/api/history` and `/api/events` answer with, whatever `limit` asks. */
export const MAX_ROWS = 1_000;
export const DEFAULT_EVENT_LIMIT = 100;
/** How far back each answers without `since`. */
export const DEFAULT_HISTORY_SINCE_MS = 24 * 3_600_000;
export const DEFAULT_EVENTS_SINCE_MS = 7 * 24 * 3_600_000;

/** A query parameter the caller got wrong: answered with 400 and this message. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
}

/** `/api/history?watch=&since=&limit=`: transitions, newest first. */
export function historyRows(store: HistoryStore, config: Config, query: URLSearchParams, now: number): unknown {
  const watch = query.get('watch') ?? undefined;
  if (watch !== undefined && !config.watches.some((configured) => configured.name === watch)) {
    throw new QueryError(`watch: no watch named ${quote(watch)}`);
  }
  const since = sinceOf(query, now, DEFAULT_HISTORY_SINCE_MS);
  const limit = limitOf(query, MAX_ROWS);
  return { since, transitions: store.transitions.list(since, watch).slice(0, limit) };
}

/** `/api/events?since=&limit=`: events, newest first. */
export function eventRows(store: HistoryStore, query: URLSearchParams, now: number): unknown {
  const since = sinceOf(query, now, DEFAULT_EVENTS_SINCE_MS);
  return { since, events: store.events.list(since).slice(0, limitOf(query, DEFAULT_EVENT_LIMIT)) };
}

/** `since` as epoch milliseconds or a duration back from now (`24h`, `7d`). */
function sinceOf(query: URLSearchParams, now: number, fallbackMs: number): number {
  const text = query.get('since');
  if (text === null) return now - fallbackMs;
  if (/^\d{1,15}$/.test(text)) return Number(text);
  const ms = parseDuration(text);
  if (ms === null) throw new QueryError(`since: expected epoch milliseconds or a duration like 24h (found ${quote(text.slice(0, 40))})`);
  return now - ms;
}

function limitOf(query: URLSearchParams, fallback: number): number {
  const text = query.get('limit');
  if (text === null) return fallback;
  const limit = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
  if (!(limit >= 1 && limit <= MAX_ROWS)) throw new QueryError(`limit: expected 1 to ${MAX_ROWS} (found ${quote(text.slice(0, 40))})`);
  return limit;
}
