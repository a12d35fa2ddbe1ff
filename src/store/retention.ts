import type { Db } from './db.js';
import { hourOf } from './polls.js';
import type { WeeklyRollup } from './weekly-rollup.js';

export const MS_PER_DAY = 86_400_000;

/** Deletes everything older than the retention period; returns rows removed per table. Run it in a transaction. */
export type Pruner = (retentionDays: number, now: number) => Record<string, number>;

/** The statements of a prune, prepared once per database; the weekly copy of the hourly counters follows them. */
export function pruner(db: Db, rollup: WeeklyRollup): Pruner {
  const statements = {
    polls: db.prepare('DELETE FROM polls WHERE at < ?'),
    // Each key's newest transition stays, however old: it says what state the key is in, which stats need.
    transitions: db.prepare(
      'DELETE FROM transitions WHERE at < ? AND id NOT IN (SELECT MAX(id) FROM transitions GROUP BY spec_key_id)',
    ),
    events: db.prepare('DELETE FROM events WHERE created_at < ?'),
    policy_actions: db.prepare('DELETE FROM policy_actions WHERE at < ?'),
    hourly_watch: db.prepare('DELETE FROM hourly_watch WHERE hour < ?'),
    hourly_spec: db.prepare('DELETE FROM hourly_spec WHERE hour < ?'),
  };
  return (retentionDays, now) => {
    const cutoff = now - retentionDays * MS_PER_DAY;
    const removed: Record<string, number> = {};
    for (const [table, statement] of Object.entries(statements)) {
      const bound = table.startsWith('hourly') ? hourOf(cutoff) : cutoff;
      removed[table] = statement.run(bound).changes;
    }
    removed.weekly_spec = rollup.pruned(cutoff);
    return removed;
  };
}
