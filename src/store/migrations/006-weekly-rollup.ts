import type { Migration } from './index.js';

/**
 * A read-side copy of `hourly_spec` and `transitions`, one row per spec key and UTC week (epoch hour / 168): the
 * week's 168 hourly counters in one blob and its transitions in another. `stats` and the status page read 30 days
 * of every key; as rows that is 720 hourly rows and every transition a key, and better-sqlite3 builds each row
 * (about 1 µs) one by one: for 100 keys 110 of 130 ms. As weekly blobs it is 5 rows a key. `hourly_spec` and
 * `transitions` stay the record: polls write them and nothing else, and the daemon copies complete hours into the
 * blobs (store/weekly-rollup.ts). A rowid table, not WITHOUT ROWID: there a 1,344-byte row spills onto an overflow
 * page (an index page keeps about 1,000 bytes of a row), which made reading a blob twice as slow.
 * `weekly_rollup` (one row, absent until the first copy) says which hours the blobs hold: from_hour <= hour < to_hour.
 * The transitions index covers what is read of each key's transitions, in its order (at, then id): a lookup into the
 * table for each row's state, and a sort by id after it, were two thirds of that read.
 */
export const weeklyRollupSchema: Migration = {
  version: 6,
  name: 'weekly-rollup',
  sql: `
CREATE TABLE weekly_spec (
  spec_key_id INTEGER NOT NULL REFERENCES spec_keys(id) ON DELETE CASCADE,
  week INTEGER NOT NULL,
  counts BLOB NOT NULL,
  flips BLOB NOT NULL,
  PRIMARY KEY (spec_key_id, week)
);

CREATE TABLE weekly_rollup (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  from_hour INTEGER NOT NULL,
  to_hour INTEGER NOT NULL CHECK (to_hour >= from_hour)
);

DROP INDEX transitions_key_at;
CREATE INDEX transitions_key_at ON transitions (spec_key_id, at, id, to_state);
`,
};
