import type { Migration } from './index.js';

/**
 * One row per (event, channel): the unit of at-least-once delivery. Rows of one watch and channel that are due
 * together go out as one message; `delivery_id` records which message carried a row.
 */
export const outboxSchema: Migration = {
  version: 3,
  name: 'outbox',
  sql: `
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  event_seq INTEGER NOT NULL REFERENCES events(seq) ON DELETE CASCADE,
  channel TEXT NOT NULL,
  watch TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  first_due_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  last_error TEXT,
  sent_at INTEGER,
  delivery_id TEXT,
  UNIQUE (event_seq, channel)
);
CREATE INDEX outbox_pending ON outbox (status, next_attempt_at);
CREATE INDEX outbox_channel_watch ON outbox (channel, watch, status);
`,
};
