import type { Db } from './db.js';

/** What a spec key reads as: enough capacity or not. */
export type Availability = 'available' | 'soldout';

/** A (Gpu, Cpu, Mem) combination of one watch. */
export interface SpecKey {
  gpu: number;
  cpu: number;
  mem: number;
}

/** A spec key's detector state as stored. */
export interface KeyState {
  state: Availability;
  since: number;
  /** The reading of the current run of readings that disagree with `state`, and its length. */
  streakReading: boolean | null;
  streak: number;
}

/** A watch's poll health as stored. */
export interface WatchHealth {
  baselineAt: number | null;
  lastOkAt: number | null;
  failingSince: number | null;
  lastError: string | null;
  blind: boolean;
}

export interface StoredKey {
  key: SpecKey;
  state: KeyState;
  specKeyId: number;
}

export interface StoredWatch {
  watchId: number;
  health: WatchHealth;
  /** By `keyId`. */
  keys: ReadonlyMap<string, StoredKey>;
}

/** A spec key's name: what the detector and the store index keys by, and what logs and events show. */
export function keyId(key: SpecKey): string {
  return `${key.gpu}/${key.cpu}/${key.mem}`;
}

interface WatchRow {
  id: number;
  baseline_at: number | null;
  last_ok_at: number | null;
  failing_since: number | null;
  last_error: string | null;
  blind: number;
}

interface KeyRow {
  id: number;
  gpu: number;
  cpu: number;
  mem: number;
  state: Availability;
  since: number;
  streak_reading: number | null;
  streak: number;
}

/**
 * Per-watch health and per-spec-key detector state: what lets a restart carry on where it stopped.
 *
 * The writer (the daemon) reads each watch once, on its first poll, and then keeps it in memory, writing every
 * change through: a poll reads nothing. That is safe because only the daemon writes these rows and one daemon per
 * database is enforced by its lock, so the database cannot change under the cache while the process lives. The
 * cache takes a poll's state only once its transaction has committed, so a poll that rolls back (an event hook
 * threw, the disk is full) leaves the next one to start from what is stored.
 */
export class WatchStateRepository {
  private readonly insertWatch;
  private readonly selectWatch;
  private readonly selectKeys;
  private readonly updateWatch;
  private readonly upsertKey;
  readonly #cache = new Map<string, StoredWatch>();

  constructor(
    db: Db,
    /** Runs a function once the current transaction has committed, never if it rolls back. */
    private readonly afterCommit: (work: () => void) => void,
  ) {
    this.insertWatch = db.prepare<[string], { id: number }>('INSERT INTO watches (name) VALUES (?) RETURNING id');
    this.selectWatch = db.prepare<[string], WatchRow>('SELECT * FROM watches WHERE name = ?');
    this.selectKeys = db.prepare<[number], KeyRow>('SELECT * FROM spec_keys WHERE watch_id = ?');
    this.updateWatch = db.prepare(
      `UPDATE watches SET baseline_at = @baselineAt, last_ok_at = @lastOkAt, failing_since = @failingSince,
         last_error = @lastError, blind = @blind WHERE id = @watchId`,
    );
    this.upsertKey = db.prepare<unknown[], { id: number }>(
      `INSERT INTO spec_keys (watch_id, gpu, cpu, mem, state, since, streak_reading, streak)
       VALUES (@watchId, @gpu, @cpu, @mem, @state, @since, @streakReading, @streak)
       ON CONFLICT (watch_id, gpu, cpu, mem) DO UPDATE SET state = excluded.state, since = excluded.since,
         streak_reading = excluded.streak_reading, streak = excluded.streak
       RETURNING id`,
    );
  }

  /**
   * The stored state of a watch as the database has it now, or undefined for one never polled; reading writes
   * nothing. For readers such as the CLI; the writer uses current().
   */
  find(name: string): StoredWatch | undefined {
    const row = this.selectWatch.get(name);
    if (!row) return undefined;
    const keys = new Map<string, StoredKey>();
    for (const keyRow of this.selectKeys.all(row.id)) {
      const key = { gpu: keyRow.gpu, cpu: keyRow.cpu, mem: keyRow.mem };
      const state: KeyState = {
        state: keyRow.state,
        since: keyRow.since,
        streakReading: keyRow.streak_reading === null ? null : keyRow.streak_reading === 1,
        streak: keyRow.streak,
      };
      keys.set(keyId(key), { key, state, specKeyId: keyRow.id });
    }
    return {
      watchId: row.id,
      health: {
        baselineAt: row.baseline_at,
        lastOkAt: row.last_ok_at,
        failingSince: row.failing_since,
        lastError: row.last_error,
        blind: row.blind === 1,
      },
      keys,
    };
  }

  /** The writer's view of a watch: read from the database on first use, from memory after that. */
  current(name: string): StoredWatch | undefined {
    const cached = this.#cache.get(name);
    if (cached) return cached;
    const stored = this.find(name);
    if (stored) this.#cache.set(name, stored);
    return stored;
  }

  /**
   * Writes a watch's new health and its changed keys (creating the watch's row on its first write) and returns the
   * state as it stands after them, which current() returns from the commit on. Run it in a transaction.
   */
  save(name: string, health: WatchHealth, changedKeys: ReadonlyMap<string, { key: SpecKey; state: KeyState }>): StoredWatch {
    const before = this.current(name);
    const watchId = before?.watchId ?? this.insertWatch.get(name)!.id;
    if (!before || !sameHealth(before.health, health)) {
      this.updateWatch.run({ watchId, ...health, blind: health.blind ? 1 : 0 });
    }
    let keys = before?.keys ?? new Map<string, StoredKey>();
    if (changedKeys.size > 0) {
      // A copy: the cached state stays as it was until the commit, whatever happens to this transaction.
      const changed = new Map(keys);
      for (const [id, { key, state }] of changedKeys) changed.set(id, { key, state, specKeyId: this.saveKey(watchId, key, state) });
      keys = changed;
    }
    const after: StoredWatch = { watchId, health, keys };
    this.afterCommit(() => this.#cache.set(name, after));
    return after;
  }

  /** Writes a key's state and returns its id. */
  private saveKey(watchId: number, key: SpecKey, state: KeyState): number {
    const streakReading = state.streakReading === null ? null : state.streakReading ? 1 : 0;
    return this.upsertKey.get({ watchId, ...key, state: state.state, since: state.since, streakReading, streak: state.streak })!.id;
  }
}

function sameHealth(a: WatchHealth, b: WatchHealth): boolean {
  return (
    a.baselineAt === b.baselineAt &&
    a.lastOkAt === b.lastOkAt &&
    a.failingSince === b.failingSince &&
    a.lastError === b.lastError &&
    a.blind === b.blind
  );
}
