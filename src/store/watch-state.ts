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
  keys: StoredKey[];
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

/** Per-watch health and per-spec-key detector state: what lets a restart carry on where it stopped. */
export class WatchStateRepository {
  private readonly insertWatch;
  private readonly selectWatch;
  private readonly selectKeys;
  private readonly updateWatch;
  private readonly upsertKey;

  constructor(db: Db) {
    this.insertWatch = db.prepare('INSERT INTO watches (name) VALUES (?) ON CONFLICT (name) DO NOTHING');
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

  /** The stored state of a watch, or undefined for one never polled; reading writes nothing. */
  find(name: string): StoredWatch | undefined {
    const row = this.selectWatch.get(name);
    if (!row) return undefined;
    const keys = this.selectKeys.all(row.id).map((keyRow): StoredKey => ({
      key: { gpu: keyRow.gpu, cpu: keyRow.cpu, mem: keyRow.mem },
      state: {
        state: keyRow.state,
        since: keyRow.since,
        streakReading: keyRow.streak_reading === null ? null : keyRow.streak_reading === 1,
        streak: keyRow.streak,
      },
      specKeyId: keyRow.id,
    }));
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

  /** The id of a watch's row, creating the row on its first write. */
  ensure(name: string): number {
    this.insertWatch.run(name);
    return this.selectWatch.get(name)!.id;
  }

  saveHealth(watchId: number, health: WatchHealth): void {
    this.updateWatch.run({ watchId, ...health, blind: health.blind ? 1 : 0 });
  }

  /** Writes a key's state and returns its id. */
  saveKey(watchId: number, key: SpecKey, state: KeyState): number {
    const streakReading = state.streakReading === null ? null : state.streakReading ? 1 : 0;
    return this.upsertKey.get({ watchId, ...key, state: state.state, since: state.since, streakReading, streak: state.streak })!.id;
  }
}
