import type { Db } from './db.js';
import type { Availability } from './watch-state.js';
import type { KeyHistory, WeeklyRollup } from './weekly-rollup.js';

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
 * Read-only queries behind `stats` and the status page; they read the hourly counters and transitions (through their
 * weekly copy), never raw polls.
 */
export class StatsRepository {
  private readonly selectKeys;

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
  }

  /** Every spec key (of one watch when given), in the order `stats` lists them. */
  keys(watch?: string): StatsKey[] {
    return this.selectKeys.all({ watch: watch ?? null });
  }

  /** A reader of each key's hourly counters over [firstHour, lastHour] and its transitions from firstHour on. */
  history(firstHour: number, lastHour: number): (specKeyId: number) => KeyHistory {
    return this.rollup.reader(firstHour, lastHour);
  }
}
