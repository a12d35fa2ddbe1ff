import type { Migration } from './index.js';

/**
 * `meta` holds facts about this database; `install_id` is random, made once, and namespaces delivery ids and
 * e-mail Message-IDs, so two databases never give one alert the same id. Outbox rows get their `delivery_id` when
 * their message is first tried (it was written only on success before), so a retry is that same message.
 */
export const deliveryIdsSchema: Migration = {
  version: 4,
  name: 'delivery-ids',
  sql: `
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('install_id', lower(hex(randomblob(16))));
CREATE INDEX outbox_delivery ON outbox (delivery_id) WHERE delivery_id IS NOT NULL;
`,
};
