import type { Db } from './db.js';
import { hourOf } from './polls.js';
import type { Availability } from './watch-state.js';
import type { WeeklyRollup } from './weekly-rollup.js';

export interface TransitionRow {
  id: number;
  watch: string;
  gpu: number;
  cpu: number;
  mem: number;
  from: Availability | null;
  to: Availability;
  at: number;
  previousSince: number | null;
  /** When the new state ended (the next transition of the same key), or null while it lasts. */
  until: number | null;
}

/** State changes of spec keys: the history users read. */
export class TransitionRepository {
  private readonly insert;
  private readonly selectSince;

  constructor(
    db: Db,
    private readonly rollup: WeeklyRollup,
  ) {
    this.insert = db.prepare(
      'INSERT INTO transitions (spec_key_id, from_state, to_state, at, previous_since) VALUES (?, ?, ?, ?, ?)',
    );
    this.selectSince = db.prepare<{ since: number; watch: string | null }, Record<string, unknown>>(
      `SELECT t.id, w.name AS watch, k.gpu, k.cpu, k.mem, t.from_state, t.to_state, t.at, t.previous_since,
         (SELECT MIN(n.at) FROM transitions n WHERE n.spec_key_id = t.spec_key_id AND n.at > t.at) AS until
       FROM transitions t JOIN spec_keys k ON k.id = t.spec_key_id JOIN watches w ON w.id = k.watch_id
       WHERE t.at >= @since AND (@watch IS NULL OR w.name = @watch)
       ORDER BY t.at DESC, t.id DESC`,
    );
  }

  add(specKeyId: number, from: Availability | null, to: Availability, at: number, previousSince: number | null): void {
    this.insert.run(specKeyId, from, to, at, previousSince);
    this.rollup.counted(hourOf(at));
  }

  /** Newest first. */
  list(since: number, watch?: string): TransitionRow[] {
    return this.selectSince.all({ since, watch: watch ?? null }).map((row) => ({
      id: row.id as number,
      watch: row.watch as string,
      gpu: row.gpu as number,
      cpu: row.cpu as number,
      mem: row.mem as number,
      from: row.from_state as Availability | null,
      to: row.to_state as Availability,
      at: row.at as number,
      previousSince: row.previous_since as number | null,
      until: row.until as number | null,
    }));
  }
}
