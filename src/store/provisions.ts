import type { Db } from './db.js';

/**
 * How far an intent got: `pending` (written with its event, nothing sent), `blocked` (a guardrail said no),
 * `dry-run` (everything but the call), `creating` (Create sent, no answer recorded), `unknown` (the answer was lost;
 * being resolved by listing), `created`, `failed` (a definite refusal), `not-created` (resolved: it never appeared).
 */
export type IntentStatus = 'pending' | 'blocked' | 'dry-run' | 'creating' | 'unknown' | 'created' | 'failed' | 'not-created';

/** Whether the new instance has its scheduled stop: `waiting` for it to run, `set`, `failed`, or `none` wanted. */
export type StopStatus = 'waiting' | 'set' | 'failed' | 'none';

/** Statuses under which an instance may exist or come to exist: they count against `maxInstances`. */
const OWNING_STATUSES = ['creating', 'unknown', 'created'] as const;
/** Instance states that no longer run or bill for compute; `gone` is this ledger's word for "no longer listed". */
const NOT_RUNNING_STATES = ['Stopped', 'Install Fail', 'gone'] as const;

export interface Trigger {
  gpu: number;
  cpu: number;
  mem: number;
}

export interface NewIntent {
  provisioner: string;
  name: string;
  eventId: string;
  watch: string;
  trigger: Trigger;
  dryRun: boolean;
  createdAt: number;
}

export interface Intent extends NewIntent {
  id: number;
  status: IntentStatus;
  /** What was (or would have been) sent, without the password; its shape is the provisioner's business. */
  request: unknown;
  hourlyPrice: number | null;
  orderPrice: number | null;
  attemptedAt: number | null;
  resolvedAt: number | null;
  instanceId: string | null;
  /** The instance's State at the last listing, or `gone` once it is no longer listed. */
  instanceState: string | null;
  listedAt: number | null;
  failure: string | null;
  retCode: number | null;
  reason: string | null;
  requestUuid: string | null;
  stopStatus: StopStatus | null;
  stopTime: number | null;
}

/** What a provisioner has used of its guardrails at one moment. */
export interface Usage {
  /** Instances that exist or may exist (unresolved creates included) and still run. */
  owned: number;
  /** Sum of hourly price x 24 of what was created (or may have been) since the window's start. */
  spent: number;
  /** When its last create failed, for the cooldown. */
  lastFailureAt: number | null;
}

export interface Pause {
  provisioner: string;
  since: number;
  retCode: number | null;
  reason: string;
}

interface Row {
  id: number;
  provisioner: string;
  name: string;
  event_id: string;
  watch: string;
  trigger_gpu: number;
  trigger_cpu: number;
  trigger_mem: number;
  dry_run: number;
  status: IntentStatus;
  request: string | null;
  hourly_price: number | null;
  order_price: number | null;
  created_at: number;
  attempted_at: number | null;
  resolved_at: number | null;
  instance_id: string | null;
  instance_state: string | null;
  listed_at: number | null;
  failure: string | null;
  ret_code: number | null;
  reason: string | null;
  request_uuid: string | null;
  stop_status: StopStatus | null;
  stop_time: number | null;
}

function toIntent(row: Row): Intent {
  return {
    id: row.id,
    provisioner: row.provisioner,
    name: row.name,
    eventId: row.event_id,
    watch: row.watch,
    trigger: { gpu: row.trigger_gpu, cpu: row.trigger_cpu, mem: row.trigger_mem },
    dryRun: row.dry_run === 1,
    createdAt: row.created_at,
    status: row.status,
    request: row.request === null ? null : JSON.parse(row.request),
    hourlyPrice: row.hourly_price,
    orderPrice: row.order_price,
    attemptedAt: row.attempted_at,
    resolvedAt: row.resolved_at,
    instanceId: row.instance_id,
    instanceState: row.instance_state,
    listedAt: row.listed_at,
    failure: row.failure,
    retCode: row.ret_code,
    reason: row.reason,
    requestUuid: row.request_uuid,
    stopStatus: row.stop_status,
    stopTime: row.stop_time,
  };
}

const list = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ');

/**
 * The provisioning ledger: one row per intent to create, written before the call and updated as it goes. Each
 * `mark…` is one statement, so it is atomic by itself; callers that add an event alongside run both in a store
 * transaction.
 */
export class ProvisionLedger {
  private readonly insert;
  private readonly selectById;
  private readonly selectByStatus;
  private readonly selectWaitingStops;
  private readonly selectRecent;
  private readonly selectNotCreatedSince;
  private readonly selectRecentOf;
  private readonly selectOwnedInstances;
  private readonly selectUsage;
  private readonly update;
  private readonly updateListingStatement;
  private readonly interruptStatement;
  private readonly insertPause;
  private readonly selectPause;
  private readonly selectPauses;
  private readonly deletePause;

  constructor(db: Db) {
    this.insert = db.prepare(
      `INSERT INTO provision_intents (provisioner, name, event_id, watch, trigger_gpu, trigger_cpu, trigger_mem, dry_run, status, created_at)
       VALUES (@provisioner, @name, @eventId, @watch, @gpu, @cpu, @mem, @dryRun, 'pending', @createdAt)
       ON CONFLICT (provisioner, event_id) DO NOTHING`,
    );
    this.selectById = db.prepare<[number], Row>('SELECT * FROM provision_intents WHERE id = ?');
    this.selectByStatus = db.prepare<[IntentStatus], Row>('SELECT * FROM provision_intents WHERE status = ? ORDER BY id');
    this.selectWaitingStops = db.prepare<[], Row>(
      `SELECT * FROM provision_intents WHERE status = 'created' AND stop_status = 'waiting' ORDER BY id`,
    );
    this.selectRecent = db.prepare<[number], Row>('SELECT * FROM provision_intents ORDER BY id DESC LIMIT ?');
    this.selectNotCreatedSince = db.prepare<[number], Row>(
      `SELECT * FROM provision_intents WHERE status = 'not-created' AND attempted_at >= ? ORDER BY id`,
    );
    this.selectRecentOf = db.prepare<[string, number], Row>(
      'SELECT * FROM provision_intents WHERE provisioner = ? ORDER BY id DESC LIMIT ?',
    );
    this.selectOwnedInstances = db.prepare<[], Row>(
      `SELECT * FROM provision_intents WHERE status = 'created' AND instance_id IS NOT NULL
         AND (instance_state IS NULL OR instance_state <> 'gone') ORDER BY id`,
    );
    this.selectUsage = db.prepare<[{ provisioner: string; since: number }], { owned: number; spent: number | null; last_failure: number | null }>(
      `SELECT
         COUNT(*) FILTER (WHERE status IN (${list(OWNING_STATUSES)})
           AND (instance_state IS NULL OR instance_state NOT IN (${list(NOT_RUNNING_STATES)}))) AS owned,
         SUM(hourly_price * 24) FILTER (WHERE status IN (${list(OWNING_STATUSES)}) AND attempted_at >= @since) AS spent,
         MAX(resolved_at) FILTER (WHERE status IN ('failed', 'not-created')) AS last_failure
       FROM provision_intents WHERE provisioner = @provisioner AND dry_run = 0`,
    );
    // NULL leaves a column as it is, so one statement serves every combination of fields.
    const assignments = Object.entries(UPDATABLE_COLUMNS).map(([field, column]) => `${column} = COALESCE(@${field}, ${column})`);
    this.update = db.prepare(`UPDATE provision_intents SET ${assignments.join(', ')} WHERE id = @id`);
    this.updateListingStatement = db.prepare(
      `UPDATE provision_intents SET instance_state = ?, listed_at = ? WHERE instance_id = ? AND status = 'created'`,
    );
    this.interruptStatement = db.prepare(
      `UPDATE provision_intents SET status = 'unknown',
         reason = 'the daemon stopped before the answer to Create was recorded' WHERE status = 'creating'`,
    );
    this.insertPause = db.prepare(
      `INSERT INTO provisioner_pauses (provisioner, since, ret_code, reason) VALUES (@provisioner, @since, @retCode, @reason)
       ON CONFLICT (provisioner) DO NOTHING`,
    );
    this.selectPause = db.prepare<[string], { provisioner: string; since: number; ret_code: number | null; reason: string }>(
      'SELECT * FROM provisioner_pauses WHERE provisioner = ?',
    );
    this.selectPauses = db.prepare<[], { provisioner: string; since: number; ret_code: number | null; reason: string }>(
      'SELECT * FROM provisioner_pauses ORDER BY provisioner',
    );
    this.deletePause = db.prepare('DELETE FROM provisioner_pauses WHERE provisioner = ?');
  }

  /** Writes an intent; false when one for this provisioner and event is already there (the event was seen). */
  add(intent: NewIntent): boolean {
    const { trigger, dryRun, ...fields } = intent;
    return this.insert.run({ ...fields, ...trigger, dryRun: dryRun ? 1 : 0 }).changes === 1;
  }

  get(id: number): Intent | undefined {
    const row = this.selectById.get(id);
    return row && toIntent(row);
  }

  withStatus(status: IntentStatus): Intent[] {
    return this.selectByStatus.all(status).map(toIntent);
  }

  /** Created instances still waiting for their scheduled stop. */
  waitingForStop(): Intent[] {
    return this.selectWaitingStops.all().map(toIntent);
  }

  /** Creates declared not to have happened whose request was sent since `since` (epoch ms), oldest first. */
  notCreatedSince(since: number): Intent[] {
    return this.selectNotCreatedSince.all(since).map(toIntent);
  }

  /** Newest first; of one provisioner when named. */
  recent(limit: number, provisioner?: string): Intent[] {
    const rows = provisioner === undefined ? this.selectRecent.all(limit) : this.selectRecentOf.all(provisioner, limit);
    return rows.map(toIntent);
  }

  /** Instances this tool created and has not seen disappear, oldest first. */
  ownedInstances(): Intent[] {
    return this.selectOwnedInstances.all().map(toIntent);
  }

  /** A provisioner's use of its guardrails; spending counts from `since` (epoch ms). Dry runs use none. */
  usage(provisioner: string, since: number): Usage {
    const row = this.selectUsage.get({ provisioner, since })!;
    return { owned: row.owned, spent: row.spent ?? 0, lastFailureAt: row.last_failure };
  }

  /** Sets the given fields of an intent (the others keep their values). */
  mark(id: number, fields: IntentUpdate): void {
    // An unset field is sent as NULL, which leaves its column as it is.
    const params: Record<string, unknown> = Object.fromEntries(Object.keys(UPDATABLE_COLUMNS).map((field) => [field, fields[field as keyof IntentUpdate] ?? null]));
    if (fields.request !== undefined) params.request = JSON.stringify(fields.request);
    this.update.run({ ...params, id });
  }

  /** Records what a listing showed of a created instance (`gone`: not listed any more). */
  recordListing(instanceId: string, state: string, at: number): void {
    this.updateListingStatement.run(state, at, instanceId);
  }

  /** At start: creates a crashed process sent but never heard back from become `unknown`, to be resolved. */
  recoverInterrupted(): number {
    return this.interruptStatement.run().changes;
  }

  /** Pauses a provisioner (the first reason stays); true when it was not paused before. */
  pause(pause: Pause): boolean {
    return this.insertPause.run(pause).changes === 1;
  }

  pauseOf(provisioner: string): Pause | undefined {
    const row = this.selectPause.get(provisioner);
    return row && { provisioner: row.provisioner, since: row.since, retCode: row.ret_code, reason: row.reason };
  }

  pauses(): Pause[] {
    return this.selectPauses.all().map((row) => ({ provisioner: row.provisioner, since: row.since, retCode: row.ret_code, reason: row.reason }));
  }

  /** Lifts a pause; false when the provisioner was not paused. */
  resume(provisioner: string): boolean {
    return this.deletePause.run(provisioner).changes === 1;
  }
}

/** Fields `mark` may set; unset ones keep their stored value. */
export interface IntentUpdate {
  status?: IntentStatus;
  request?: unknown;
  hourlyPrice?: number | null;
  orderPrice?: number | null;
  attemptedAt?: number;
  resolvedAt?: number;
  instanceId?: string;
  instanceState?: string;
  failure?: string;
  retCode?: number | null;
  reason?: string;
  requestUuid?: string | null;
  stopStatus?: StopStatus;
  stopTime?: number | null;
}

/** Every field `mark` can set, and its column. */
const UPDATABLE_COLUMNS: Readonly<Record<keyof IntentUpdate, string>> = {
  status: 'status',
  request: 'request',
  hourlyPrice: 'hourly_price',
  orderPrice: 'order_price',
  attemptedAt: 'attempted_at',
  resolvedAt: 'resolved_at',
  instanceId: 'instance_id',
  instanceState: 'instance_state',
  failure: 'failure',
  retCode: 'ret_code',
  reason: 'reason',
  requestUuid: 'request_uuid',
  stopStatus: 'stop_status',
  stopTime: 'stop_time',
};
