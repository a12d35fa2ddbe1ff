import { initialSchema } from './001-initial.js';
import { policyActionsSchema } from './002-policy-actions.js';
import { outboxSchema } from './003-outbox.js';
import { deliveryIdsSchema } from './004-delivery-ids.js';
import { provisioningSchema } from './005-provisioning.js';
import { weeklyRollupSchema } from './006-weekly-rollup.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every schema change in order; adding one is one file in this folder and one line here. */
export const migrations: readonly Migration[] = [initialSchema, policyActionsSchema, outboxSchema, deliveryIdsSchema, provisioningSchema, weeklyRollupSchema];
