import type { Db } from './db.js';

/** How an attempted change ended: confirmed by reading the instance back, refused or failed, or not seen on read-back. */
export type PolicyActionResult = 'ok' | 'failed' | 'unconfirmed';

/** One change to an instance's scheduled stop. `at` is epoch ms; stop times are unix seconds, null meaning none. */
export interface PolicyAction {
  at: number;
  instanceId: string;
  instanceName: string;
  /** The policy that asked for it; null for a manual `policy clear`. */
  policy: string | null;
  action: 'set' | 'clear';
  oldStop: number | null;
  newStop: number | null;
  result: PolicyActionResult;
  error: string | null;
  requestUuid: string | null;
}

export interface StoredPolicyAction extends PolicyAction {
  id: number;
}

interface Row {
  id: number;
  at: number;
  instance_id: string;
  instance_name: string;
  policy: string | null;
  action: 'set' | 'clear';
  old_stop: number | null;
  new_stop: number | null;
  result: PolicyActionResult;
  error: string | null;
  request_uuid: string | null;
}

/** The log of scheduled-stop changes. */
export class PolicyActionRepository {
  private readonly insert;
  private readonly selectRecent;
  private readonly selectOwnStops;

  constructor(
    db: Db,
    private readonly transaction: <T>(work: () => T) => T,
  ) {
    this.insert = db.prepare(
      `INSERT INTO policy_actions (at, instance_id, instance_name, policy, action, old_stop, new_stop, result, error, request_uuid)
       VALUES (@at, @instanceId, @instanceName, @policy, @action, @oldStop, @newStop, @result, @error, @requestUuid)`,
    );
    this.selectRecent = db.prepare<[number], Row>('SELECT * FROM policy_actions ORDER BY id DESC LIMIT ?');
    // The latest successful action per instance, when it set a stop.
    this.selectOwnStops = db.prepare<[], { instance_id: string; new_stop: number }>(
      `SELECT instance_id, new_stop FROM policy_actions
       WHERE id IN (SELECT MAX(id) FROM policy_actions WHERE result = 'ok' GROUP BY instance_id)
         AND action = 'set'`,
    );
  }

  /** Records an action; `alongside` (e.g. adding the failure event) runs in the same transaction. */
  record(action: PolicyAction, alongside?: () => void): void {
    this.transaction(() => {
      this.insert.run(action);
      alongside?.();
    });
  }

  /** Newest first. */
  recent(limit: number): StoredPolicyAction[] {
    return this.selectRecent.all(limit).map((row) => ({
      id: row.id,
      at: row.at,
      instanceId: row.instance_id,
      instanceName: row.instance_name,
      policy: row.policy,
      action: row.action,
      oldStop: row.old_stop,
      newStop: row.new_stop,
      result: row.result,
      error: row.error,
      requestUuid: row.request_uuid,
    }));
  }

  /** The stop time this tool last set on each instance, unless a later successful action cleared it. */
  ownStops(): Map<string, number> {
    return new Map(this.selectOwnStops.all().map((row) => [row.instance_id, row.new_stop]));
  }
}
