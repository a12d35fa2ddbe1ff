import type { CompshareClient } from '../compshare/client.js';
import { capacityCheck, type CapacityAnswer, type CapacityRequest } from '../compshare/actions/check-capacity.js';
import { CompshareError } from '../compshare/errors.js';
import type { HistoryStore } from '../store/history-store.js';
import { StoreWriteError } from '../store/errors.js';
import type { IntervalClock } from '../util/clock.js';
import type { Logger } from '../log.js';
import type { Detection, DetectorSettings, PollOutcome } from './detector.js';
import { keyId } from './detector.js';
import { recordPoll, type PollFacts } from './record-poll.js';
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
  /** Told of every poll answered (whether or not storage could record it), for metrics. */
  onPolled?: (watch: string, ok: boolean, latencyMs: number) => void;
}

/**
 * Polls a group of watches that ask the same question (one request shape, one tick) with one call, then records
 * the answer for each watch as its own poll: its own `match`, detector state, error sample and log lines. A failed
 * call is data, not a throw; a poll that storage cannot record is reported to `storage` and yields null.
 *
 * Once `signal` aborts (shutdown), an answer still on its way is awaited briefly; a call still waiting for its turn
 * is let go and records nothing, as does a call that fails then: its failure would be the shutdown's, not the
 * API's, and nothing may reach the store after the store closes.
 */
export async function pollWatches(
  deps: PollerDeps,
  targets: readonly PollTarget[],
  signal?: AbortSignal,
): Promise<Array<Detection | null>> {
  const first = targets[0];
  if (first === undefined) return [];
  const startedAt = deps.clock.monotonic();
  const answer = await untilAborted(askCapacity(deps.client, first.request), signal);
  if (answer === undefined || (!answer.outcome.ok && signal?.aborted)) return [];
  const at = deps.clock.now();
  // Latency on the monotonic clock: a wall-clock step during the call would make it negative or huge.
  const latencyMs = Math.round(deps.clock.monotonic() - startedAt);
  return targets.map((target) => record(deps, target, { at, latencyMs, ...answer }));
}

/**
 * Each request shape's check, prepared once per client: a watch asks the same question every poll, so its request is
 * signed and encoded on the first poll only. Keyed by the request the targets hold, which lives as long as they do.
 */
const preparedChecks = new WeakMap<CapacityRequest, { client: CompshareClient; check: () => Promise<CapacityAnswer> }>();

function checkOf(client: CompshareClient, request: CapacityRequest): () => Promise<CapacityAnswer> {
  let prepared = preparedChecks.get(request);
  if (prepared?.client !== client) {
    prepared = { client, check: capacityCheck(client, request) };
    preparedChecks.set(request, prepared);
  }
  return prepared.check;
}

/** The call's outcome as data: an API failure becomes an error sample, anything else is a bug and throws. */
async function askCapacity(client: CompshareClient, request: CapacityRequest): Promise<{ outcome: PollOutcome; requestUuid: string | undefined }> {
  try {
    const result = await checkOf(client, request)();
    return { outcome: { ok: true, rows: result.rows }, requestUuid: result.requestUuid };
  } catch (error) {
    if (!(error instanceof CompshareError)) throw error;
    return { outcome: { ok: false, error: { kind: error.kind, message: error.message } }, requestUuid: error.requestUuid };
  }
}

/**
 * How long a poll still waits for its answer once shutdown begins. An answer already on its way arrives well
 * within it; a call still queued behind the rate limit would hold shutdown for as long as the queue is.
 */
export const LET_GO_AFTER_MS = 1_000;

/**
 * `work`'s result, or undefined if it has not come `LET_GO_AFTER_MS` after `signal` aborts. Work let go that way
 * still ends inside the client (whose close() ends its waits); its result, or its error, is dropped.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
  if (signal === undefined) return work;
  return new Promise<T | undefined>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const letGo = () => (timer = setTimeout(() => resolve(undefined), LET_GO_AFTER_MS));
    if (signal.aborted) letGo();
    else signal.addEventListener('abort', letGo, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', letGo);
    });
  });
}

function record(deps: PollerDeps, target: PollTarget, facts: PollFacts): Detection | null {
  deps.onPolled?.(target.name, facts.outcome.ok, facts.latencyMs);
  let detection: Detection;
  try {
    detection = recordPoll(deps.store, target, facts, target.detector);
  } catch (error) {
    if (!(error instanceof StoreWriteError)) throw error;
    deps.storage.failed(error, facts.at);
    return null;
  }
  deps.storage.recorded(facts.at);
  logDetection(deps.log, target.name, facts.outcome, detection);
  return detection;
}

/**
 * The poll's lines, from a child logger bound to the watch. Most polls change nothing and log nothing: the child
 * is made only for a poll that has something to say, not on every poll of every watch.
 */
function logDetection(parent: Logger, watch: string, outcome: PollOutcome, detection: Detection): void {
  if (outcome.ok && detection.transitions.length === 0 && detection.events.length === 0) return;
  const log = parent.child({ watch });
  if (!outcome.ok) log.warn({ kind: outcome.error.kind }, `poll failed: ${outcome.error.message}`);
  for (const t of detection.transitions) {
    log.info({ spec: keyId(t.key), from: t.from, to: t.to }, t.from ? 'capacity flipped' : 'baseline');
  }
  for (const event of detection.events) {
    if (event.type === 'watch.blind') log.error({ since: new Date(event.failingSince).toISOString() }, 'watch is blind');
    if (event.type === 'watch.recovered') log.info('watch recovered');
  }
}
