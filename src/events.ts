import { z } from 'zod';
import type { NewEvent } from './store/events.js';

/**
 * The one catalog of event types and what each one's payload holds. Producers build events through defineEvent,
 * which checks the payload; consumers (rendering, routing) read payloads with these schemas. A new kind of event
 * (provision.created, provision.failed…) is one line in EVENT_PAYLOADS.
 */

/** What every event of a watch carries, since the config may change before the event is read. */
const watchFields = { watch: z.string(), zone: z.string(), gpuType: z.string(), at: z.number() };

/** A spec key of a watch that flipped; `previousSince` is when the state that ended began (null for a baseline). */
const capacityPayload = z.object({
  ...watchFields,
  gpu: z.number(),
  cpu: z.number(),
  mem: z.number(),
  previousSince: z.number().nullable(),
});

/**
 * What the stored history said about the key when it became available, fixed when the event is made so every
 * delivery and every reader says the same. Absent on events stored by versions before it.
 */
const recentHistory = z.object({
  /** The period looked back on, in days. */
  days: z.int().positive(),
  /** Available windows that ended in the period; 0: this is the first one seen in it. */
  windows: z.int().nonnegative(),
  /** Median length of those windows (ms); null when there were none. */
  medianWindowMs: z.number().nonnegative().nullable(),
  /** Nearest-rank 90th percentile of their lengths (ms); null when there were none. */
  p90WindowMs: z.number().nonnegative().nullable(),
  /** On how many of the period's days the key was free at this hour of day at least once. */
  freeAtThisHourDays: z.int().nonnegative(),
  /** On how many of them it was polled at this hour at all (the count above is out of these). */
  observedAtThisHourDays: z.int().nonnegative(),
});

/** A key became available; `history` says how long its windows lasted lately and how often it was free at this hour. */
const availablePayload = capacityPayload.extend({ history: recentHistory.optional() });

/** The `count`-th reminder that a key has stayed available since `availableSince`. */
const reminderPayload = capacityPayload.extend({
  previousSince: z.null(),
  availableSince: z.number(),
  count: z.int().positive(),
});

const blindPayload = z.object({ ...watchFields, failingSince: z.number(), error: z.string() });

const recoveredPayload = z.object({ ...watchFields, failingSince: z.number() });

/** A scheduled stop that could not be set, confirmed or planned on an instance; it names the instance by id and name. */
const policyFailedPayload = z.object({
  instance: z.string(),
  name: z.string(),
  tag: z.string(),
  zone: z.string(),
  policy: z.string(),
  /** Unix seconds; null when the instance had no stop. */
  currentStop: z.number().nullable(),
  /** Unix seconds; null when no stop could be planned. */
  stopTime: z.number().nullable(),
  result: z.string(),
  error: z.string().nullable(),
  requestUuid: z.string().nullable(),
  at: z.number(),
});

/** Polls could not be recorded in `database` since `failingSince`; sent straight to the channels, not stored. */
const storageFailingPayload = z.object({ database: z.string(), failingSince: z.number(), error: z.string(), at: z.number() });

/** Polls are recorded again; `lostPolls` were not. */
const storageRecoveredPayload = z.object({
  database: z.string(),
  failingSince: z.number(),
  lostPolls: z.int().nonnegative(),
  at: z.number(),
});

/** What a provision event says about the instance it made, or tried or (in a dry run) would have made. */
const provisionFields = {
  ...watchFields,
  provisioner: z.string(),
  /** The unique name the instance got, or would have got: how it is found in the console and the listing. */
  name: z.string(),
  gpu: z.number(),
  cpu: z.number(),
  mem: z.number(),
  chargeType: z.string(),
  /** CNY per hour, as GetCompShareInstancePrice quoted it; null when it was not known. */
  hourlyPrice: z.number().nullable(),
  /** Nothing was created: every message about it must say so. */
  dryRun: z.boolean(),
};

/** An instance was created (or a dry run would have created one) and, when its provisioner has one, got its stop. */
const provisionCreatedPayload = z.object({
  ...provisionFields,
  /** The UHostId; null in a dry run. */
  instance: z.string().nullable(),
  stopPolicy: z.string().nullable(),
  /** Unix seconds: the scheduled stop set (or, in a dry run, that would be set); null when none. */
  stopTime: z.number().nullable(),
  requestUuid: z.string().nullable(),
});

/** Why an attempt failed, as the ledger records it. */
export const PROVISION_FAILURES = ['lost-race', 'paused', 'refused', 'not-created', 'stop-not-set', 'blocked'] as const;

/** An attempt to create failed, or its instance could not get its stop: `reason` says it in words. */
const provisionFailedPayload = z.object({
  ...provisionFields,
  failure: z.enum(PROVISION_FAILURES),
  reason: z.string(),
  /** The API's RetCode when it answered with one. */
  retCode: z.int().nullable(),
  /** Set for `stop-not-set`: the instance that exists without its stop. */
  instance: z.string().nullable(),
  requestUuid: z.string().nullable(),
});

/** Every event type and its payload schema (objects that ignore unknown fields, so readers stay lenient). */
export const EVENT_PAYLOADS = {
  'capacity.available': availablePayload,
  'capacity.soldout': capacityPayload,
  'capacity.reminder': reminderPayload,
  'watch.blind': blindPayload,
  'watch.recovered': recoveredPayload,
  'policy.failed': policyFailedPayload,
  'storage.failing': storageFailingPayload,
  'storage.recovered': storageRecoveredPayload,
  'provision.created': provisionCreatedPayload,
  'provision.failed': provisionFailedPayload,
} as const;

export type EventType = keyof typeof EVENT_PAYLOADS;
export type EventPayload<T extends EventType> = z.output<(typeof EVENT_PAYLOADS)[T]>;

/**
 * The catalog's schemas refusing unknown fields, made once: zod compiles each new schema on its first parse, which
 * cost a flip ~100 µs when `.strict()` was called per event.
 */
const strictPayloads = Object.fromEntries(
  Object.entries(EVENT_PAYLOADS).map(([type, schema]) => [type, schema.strict()]),
) as { [T in EventType]: ReturnType<(typeof EVENT_PAYLOADS)[T]['strict']> };

/** A producer built an event its type does not describe: a bug, caught before the event is stored or sent. */
export class EventPayloadError extends Error {
  override readonly name = 'EventPayloadError';
}

/**
 * An event ready to store, its payload checked strictly against the catalog (a missing, mistyped or unknown
 * field throws EventPayloadError), so what is stored is exactly what consumers are promised.
 */
export function defineEvent<T extends EventType>(
  type: T,
  event: { id: string; watch: string | null; createdAt: number; payload: EventPayload<T> },
): NewEvent {
  const parsed = strictPayloads[type].safeParse(event.payload);
  if (!parsed.success) {
    throw new EventPayloadError(`event ${event.id} does not match ${type}: ${z.prettifyError(parsed.error).replaceAll('\n', '; ')}`);
  }
  return { id: event.id, type, watch: event.watch, payload: parsed.data, createdAt: event.createdAt };
}
