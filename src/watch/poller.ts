import type { CompshareClient } from '../compshare/client.js';
import { checkResourceCapacity, type CapacityRequest } from '../compshare/actions/check-capacity.js';
import { CompshareError } from '../compshare/errors.js';
import type { HistoryStore } from '../store/history-store.js';
import { StoreWriteError } from '../store/errors.js';
import type { IntervalClock } from '../util/clock.js';
import type { Logger } from '../log.js';
import type { Detection, DetectorSettings, PollOutcome } from './detector.js';
import { keyId } from './detector.js';
import { recordPoll } from './record-poll.js';
import type { WatchIdentity } from './stored-events.js';
import type { StorageHealth } from './storage-health.js';

/** Everything one watch needs to be polled. */
export interface PollTarget extends WatchIdentity {
  request: CapacityRequest;
  detector: DetectorSettings;
}

export interface PollerDeps {
  client: CompshareClient;
  store: HistoryStore;
  clock: IntervalClock;
  log: Logger;
  storage: StorageHealth;
}

/**
 * Polls one watch once, records the outcome and logs each flip and error. A failed call is data, not a throw; a
 * poll that storage cannot record is reported to `storage` and yields null.
 */
export async function pollWatch(deps: PollerDeps, target: PollTarget): Promise<Detection | null> {
  const startedAt = deps.clock.monotonic();
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
  // Latency on the monotonic clock: a wall-clock step during the call would make it negative or huge.
  const latencyMs = Math.round(deps.clock.monotonic() - startedAt);
  let detection: Detection;
  try {
    detection = recordPoll(deps.store, target, { at, latencyMs, outcome, requestUuid }, target.detector);
  } catch (error) {
    if (!(error instanceof StoreWriteError)) throw error;
    deps.storage.failed(error, at);
    return null;
  }
  deps.storage.recorded(at);
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
