import type { Db } from './db.js';
import type { Availability } from './watch-state.js';

export interface KeyCounters {
  specKeyId: number;
  watch: string;
  gpu: number;
  cpu: number;
  mem: number;
  state: Availability;
  polls: number;
  available: number;
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

/** Read-only queries behind `stats`; they read the hourly counters and transitions, never raw polls. */
export class StatsRepository {
  private readonly selectCounters;
  private readonly selectHours;
  private readonly selectTransitions;

  constructor(db: Db) {
    this.selectCounters = db.prepare<{ sinceHour: number; watch: string | null }, KeyCounters>(
      `SELECT k.id AS specKeyId, w.name AS watch, k.gpu, k.cpu, k.mem, k.state,
         COALESCE(SUM(h.polls), 0) AS polls, COALESCE(SUM(h.available), 0) AS available
       FROM spec_keys k JOIN watches w ON w.id = k.watch_id
       LEFT JOIN hourly_spec h ON h.spec_key_id = k.id AND h.hour >= @sinceHour
       WHERE @watch IS NULL OR w.name = @watch
       GROUP BY k.id ORDER BY w.name, k.gpu, k.cpu, k.mem`,
    );
    this.selectHours = db.prepare<[number, number], HourCounter>(
      'SELECT hour, polls, available FROM hourly_spec WHERE spec_key_id = ? AND hour >= ? ORDER BY hour',
    );
    // Includes the last transition before `since`, which says what state the period started in.
    this.selectTransitions = db.prepare<{ key: number; since: number }, KeyTransition>(
      `SELECT to_state AS "to", at FROM transitions
       WHERE spec_key_id = @key AND at >= COALESCE(
         (SELECT MAX(at) FROM transitions WHERE spec_key_id = @key AND at < @since), @since)
       ORDER BY at, id`,
    );
  }

  counters(sinceHour: number, watch?: string): KeyCounters[] {
    return this.selectCounters.all({ sinceHour, watch: watch ?? null });
  }

  hours(specKeyId: number, sinceHour: number): HourCounter[] {
    return this.selectHours.all(specKeyId, sinceHour);
  }

  transitions(specKeyId: number, since: number): KeyTransition[] {
    return this.selectTransitions.all({ key: specKeyId, since });
  }
}
