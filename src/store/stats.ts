import type { Db } from './db.js';
import type { Availability } from './watch-state.js';
import type { HourSeries, WeeklyRollup } from './weekly-rollup.js';

/** A spec key as `stats` lists it. */
export interface StatsKey {
  specKeyId: number;
  watch: string;
  gpu: number;
  cpu: number;
  mem: number;
  state: Availability;
}

export interface HourCounter {
  hour: number;
  polls: number;
  available: number;
}

export interface KeyTransition {
  to: Availability;
  at: number;
}

/**
 * Read-only queries behind `stats` and the status page; they read the hourly counters (through their weekly copy)
 * and transitions, never raw polls.
 */
export class StatsRepository {
  private readonly selectKeys;
  private readonly selectTransitions;

  constructor(
    db: Db,
    private readonly rollup: WeeklyRollup,
  ) {
    this.selectKeys = db.prepare<{ watch: string | null }, StatsKey>(
      `SELECT k.id AS specKeyId, w.name AS watch, k.gpu, k.cpu, k.mem, k.state
       FROM spec_keys k JOIN watches w ON w.id = k.watch_id
       WHERE @watch IS NULL OR w.name = @watch
       ORDER BY w.name, k.gpu, k.cpu, k.mem`,
    );
    // Includes the last transition before `since`, which says what state the period started in. One number a row
    // (at x 2 + 1 when it became available): better-sqlite3 builds an object per row otherwise, half the query's time.
    this.selectTransitions = db
      .prepare<{ key: number; since: number }, number>(
        `SELECT at * 2 + (to_state = 'available') FROM transitions
         WHERE spec_key_id = @key AND at >= COALESCE(
           (SELECT MAX(at) FROM transitions WHERE spec_key_id = @key AND at < @since), @since)
         ORDER BY at, id`,
      )
      .pluck();
  }

  /** Every spec key (of one watch when given), in the order `stats` lists them. */
  keys(watch?: string): StatsKey[] {
    return this.selectKeys.all({ watch: watch ?? null });
  }

  /** A reader of each key's counters per hour over [firstHour, lastHour]. */
  hourSeries(firstHour: number, lastHour: number): (specKeyId: number) => HourSeries {
    return this.rollup.reader(firstHour, lastHour);
  }

  transitions(specKeyId: number, since: number): KeyTransition[] {
    return this.selectTransitions.all({ key: specKeyId, since }).map((packed) => ({
      to: packed % 2 === 1 ? 'available' : 'soldout',
      at: Math.floor(packed / 2),
    }));
  }
}
