import type { Migration } from './index.js';

/**
 * Every change the policy reconciler (or `policy clear`) made or tried to make to an instance's scheduled stop.
 * `at` is epoch milliseconds; `old_stop` and `new_stop` are unix seconds as the API uses them, NULL meaning none.
 */
export const policyActionsSchema: Migration = {
  version: 2,
  name: 'policy-actions',
  sql: `
CREATE TABLE policy_actions (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  instance_id TEXT NOT NULL,
  instance_name TEXT NOT NULL,
  policy TEXT,
  action TEXT NOT NULL CHECK (action IN ('set', 'clear')),
  old_stop INTEGER,
  new_stop INTEGER,
  result TEXT NOT NULL CHECK (result IN ('ok', 'failed', 'unconfirmed')),
  error TEXT,
  request_uuid TEXT
);
CREATE INDEX policy_actions_at ON policy_actions (at);
CREATE INDEX policy_actions_instance ON policy_actions (instance_id, id);
`,
};
