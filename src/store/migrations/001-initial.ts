import type { Migration } from './index.js';

/**
 * Watches and spec keys get small integer ids so the per-poll and per-hour rows stay a few bytes each.
 * Times are epoch milliseconds; `hour` is epoch hours (ms / 3_600_000).
 */
export const initialSchema: Migration = {
  version: 1,
  name: 'initial',
  sql: `
CREATE TABLE watches (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  baseline_at INTEGER,
  last_ok_at INTEGER,
  failing_since INTEGER,
  last_error TEXT,
  blind INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE spec_keys (
  id INTEGER PRIMARY KEY,
  watch_id INTEGER NOT NULL REFERENCES watches(id) ON DELETE CASCADE,
  gpu INTEGER NOT NULL,
  cpu INTEGER NOT NULL,
  mem INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('available', 'soldout')),
  since INTEGER NOT NULL,
  streak_reading INTEGER,
  streak INTEGER NOT NULL DEFAULT 0,
  UNIQUE (watch_id, gpu, cpu, mem)
);

CREATE TABLE polls (
  id INTEGER PRIMARY KEY,
  watch_id INTEGER NOT NULL REFERENCES watches(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  latency_ms INTEGER NOT NULL,
  error_kind TEXT,
  error_message TEXT,
  request_uuid TEXT
);
-- No index on polls: nothing reads them by time except the daily prune, which can afford a scan.

CREATE TABLE hourly_watch (
  watch_id INTEGER NOT NULL REFERENCES watches(id) ON DELETE CASCADE,
  hour INTEGER NOT NULL,
  polls INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  latency_ms_sum INTEGER NOT NULL,
  PRIMARY KEY (watch_id, hour)
) WITHOUT ROWID;

CREATE TABLE hourly_spec (
  spec_key_id INTEGER NOT NULL REFERENCES spec_keys(id) ON DELETE CASCADE,
  hour INTEGER NOT NULL,
  polls INTEGER NOT NULL,
  available INTEGER NOT NULL,
  PRIMARY KEY (spec_key_id, hour)
) WITHOUT ROWID;

CREATE TABLE transitions (
  id INTEGER PRIMARY KEY,
  spec_key_id INTEGER NOT NULL REFERENCES spec_keys(id) ON DELETE CASCADE,
  from_state TEXT,
  to_state TEXT NOT NULL,
  at INTEGER NOT NULL,
  previous_since INTEGER
);
CREATE INDEX transitions_key_at ON transitions (spec_key_id, at);
CREATE INDEX transitions_at ON transitions (at);

CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  watch TEXT,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX events_created_at ON events (created_at);
`,
};
