import type { Db } from './db.js';
import { MS_PER_HOUR } from './polls.js';
import type { HourCounter } from './stats.js';

/** How far back an alert looks: the closed windows and the same hour of day on each of these days. */
export const RECENT_DAYS = 7;
const RECENT_MS = RECENT_DAYS * 24 * MS_PER_HOUR;
/** The most closed windows kept per key: a key flapping every two minutes for a week still fits. */
export const MAX_WINDOWS_PER_KEY = 5_000;

/** A key's windows that ended since `@since`, newest first so the LIMIT keeps the most recent; on transitions_key_at. */
export const CLOSED_WINDOWS_SQL = `SELECT previous_since AS start, at AS "end" FROM transitions
  WHERE spec_key_id = @key AND at >= @since AND to_state = 'soldout' AND previous_since IS NOT NULL
  ORDER BY at DESC LIMIT @limit`;

/** A key's hourly counters at the same hour of day on each of the RECENT_DAYS days before `@hour`; on the primary key. */
export const SAME_HOUR_SQL = `SELECT hour, polls, available FROM hourly_spec
  WHERE spec_key_id = @key AND hour IN (${Array.from({ length: RECENT_DAYS }, (_, index) => `@hour - ${24 * (index + 1)}`).join(', ')})
  ORDER BY hour`;

/** An available window that ended: it began at `start` and sold out at `end` (epoch ms). */
export interface ClosedWindow {
  start: number;
  end: number;
}

/** The hourly counters of one hour of day on the days before, for one key. */
interface HourCache {
  hour: number;
  rows: HourCounter[];
}

/**
 * What an available alert says about a key's recent past, kept in memory per key so that a flip costs no query
 * after the key's first: its available windows that ended in the last RECENT_DAYS days (newest
 * MAX_WINDOWS_PER_KEY, loaded by one indexed query, then extended by every sold-out transition) and its hourly
 * counters at the same hour of day on those days (one primary-key query per key and hour).
 *
 * Like the watch state, the cache is only right because the daemon is the one writer of the database. What it
 * learns inside a transaction is kept only once the transaction commits, so a poll that rolls back leaves it as
 * the database is. Keys are bounded by the config, windows per key by MAX_WINDOWS_PER_KEY.
 */
export class RecentWindowsRepository {
  private readonly selectClosed;
  private readonly selectHours;
  private readonly windows = new Map<number, ClosedWindow[]>();
  private readonly hours = new Map<number, HourCache>();

  constructor(
    db: Db,
    /** Runs its argument once the current transaction commits (never if it rolls back). */
    private readonly afterCommit: (work: () => void) => void,
  ) {
    this.selectClosed = db.prepare<{ key: number; since: number; limit: number }, ClosedWindow>(CLOSED_WINDOWS_SQL);
    this.selectHours = db.prepare<{ key: number; hour: number }, HourCounter>(SAME_HOUR_SQL);
  }

  /** The key's windows that ended in the RECENT_DAYS days up to `now`, oldest first. */
  closedWindows(specKeyId: number, now: number): readonly ClosedWindow[] {
    const since = now - RECENT_MS;
    const cached = this.windows.get(specKeyId);
    if (cached) {
      const expired = cached.findIndex((window) => window.end >= since);
      cached.splice(0, expired === -1 ? cached.length : expired);
      return cached;
    }
    const loaded = this.selectClosed.all({ key: specKeyId, since, limit: MAX_WINDOWS_PER_KEY }).reverse(); // oldest first
    this.afterCommit(() => this.windows.set(specKeyId, loaded));
    return loaded;
  }

  /** A sold-out transition closed the window that began at `start`: the cache of a loaded key takes it. */
  closed(specKeyId: number, start: number, end: number): void {
    this.afterCommit(() => {
      const cached = this.windows.get(specKeyId);
      if (!cached) return; // loaded from the database on first use, which then holds it
      cached.push({ start, end });
      if (cached.length > MAX_WINDOWS_PER_KEY) cached.shift();
    });
  }

  /** The key's hourly counters at epoch hours `hour - 24k`, k = 1..RECENT_DAYS (only the hours it has rows for). */
  sameHourOnDaysBefore(specKeyId: number, hour: number): readonly HourCounter[] {
    const cached = this.hours.get(specKeyId);
    if (cached?.hour === hour) return cached.rows;
    const rows = this.selectHours.all({ key: specKeyId, hour });
    this.afterCommit(() => this.hours.set(specKeyId, { hour, rows }));
    return rows;
  }
}
