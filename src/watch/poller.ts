import type { CompshareClient } from '../compshare/client.js';
import { checkResourceCapacity, type CapacityRequest } from '../compshare/actions/check-capacity.js';
import { CompshareError } from '../compshare/errors.js';
import type { HistoryStore } from '../store/history-store.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../log.js';
import type { Detection, DetectorSettings, PollOutcome } from './detector.js';
import { keyId } from './detector.js';
import { recordPoll } from './record-poll.js';
import type { WatchIdentity } from './stored-events.js';

/** Everything one watch needs to be polled. */
export interface PollTarget extends WatchIdentity {
  request: CapacityRequest;
  detector: DetectorSettings;
}

export interface PollerDeps {
  client: CompshareClient;
  store: HistoryStore;
  clock: Clock;
  log: Logger;
}

/** Polls one watch once, records the outcome and logs each flip and error. A failed call is data, not a throw. */
export async function pollWatch(deps: PollerDeps, target: PollTarget): Promise<Detection> {
  const startedAt = deps.clock.now();
  let outcome: PollOutcome;
  let requestUuid: string | undefined;
  try {
    const result = await checkResourceCapacity(deps.client, target.request);
    outcome = { ok: true, rows: result.rows };
    requestUuid = result.requestUuid;
  } catch (error) {
    if (!(error instanceof CompshareError)) throw error;
    outcome = { ok: false, error: { kind: error.kind, message: error.message } };
    requestUuid = error.requestUuid;
  }
  const at = deps.clock.now();
  const detection = recordPoll(deps.store, target, { at, latencyMs: at - startedAt, outcome, requestUuid }, target.detector);
  logDetection(deps.log, target.name, outcome, detection);
  return detection;
}

function logDetection(log: Logger, watch: string, outcome: PollOutcome, detection: Detection): void {
  if (!outcome.ok) log.warn({ watch, kind: outcome.error.kind }, `poll failed: ${outcome.error.message}`);
  for (const t of detection.transitions) {
    log.info({ watch, spec: keyId(t.key), from: t.from, to: t.to }, t.from ? 'capacity flipped' : 'baseline');
  }
  for (const event of detection.events) {
    if (event.type === 'watch.blind') log.error({ watch, since: new Date(event.failingSince).toISOString() }, 'watch is blind');
    if (event.type === 'watch.recovered') log.info({ watch }, 'watch recovered');
  }
}
