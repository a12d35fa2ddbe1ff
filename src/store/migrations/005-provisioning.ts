import type { Migration } from './index.js';

/**
 * The provisioning ledger. An intent is written in the transaction of the event that triggered it, with the unique
 * instance name it will use, before any Create is sent; `status` then records how far it got, so after a crash the
 * ledger says which creates may have happened (`creating`, `unknown`: resolved by listing instances by name) and
 * which cannot have (`pending`). Times are epoch ms; `stop_time` is unix seconds as the API uses it.
 * A provisioner paused by an account problem (arrears, unverified) stays paused until `provision resume`.
 */
export const provisioningSchema: Migration = {
  version: 5,
  name: 'provisioning',
  sql: `
CREATE TABLE provision_intents (
  id INTEGER PRIMARY KEY,
  provisioner TEXT NOT NULL,
  name TEXT NOT NULL UNIQUE,
  event_id TEXT NOT NULL,
  watch TEXT NOT NULL,
  trigger_gpu INTEGER NOT NULL,
  trigger_cpu INTEGER NOT NULL,
  trigger_mem INTEGER NOT NULL,
  dry_run INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
  status TEXT NOT NULL CHECK (status IN ('pending', 'blocked', 'dry-run', 'creating', 'unknown', 'created', 'failed', 'not-created')),
  request TEXT,
  hourly_price REAL,
  order_price REAL,
  created_at INTEGER NOT NULL,
  attempted_at INTEGER,
  resolved_at INTEGER,
  instance_id TEXT,
  instance_state TEXT,
  listed_at INTEGER,
  failure TEXT,
  ret_code INTEGER,
  reason TEXT,
  request_uuid TEXT,
  stop_status TEXT CHECK (stop_status IN ('waiting', 'set', 'failed', 'none')),
  stop_time INTEGER,
  UNIQUE (provisioner, event_id)
);
CREATE INDEX provision_intents_open ON provision_intents (status, id)
  WHERE status IN ('pending', 'creating', 'unknown') OR stop_status = 'waiting';
CREATE INDEX provision_intents_by_provisioner ON provision_intents (provisioner, id);
CREATE INDEX provision_intents_instance ON provision_intents (instance_id) WHERE instance_id IS NOT NULL;
CREATE TABLE provisioner_pauses (
  provisioner TEXT PRIMARY KEY,
  since INTEGER NOT NULL,
  ret_code INTEGER,
  reason TEXT NOT NULL
) WITHOUT ROWID;
`,
};
