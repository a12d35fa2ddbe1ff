import type { HistoryStore } from '../store/history-store.js';
import { detect, keyId, UNPOLLED, type Detection, type DetectorSettings, type PollOutcome } from './detector.js';
import { storedEventOf, type WatchIdentity } from './stored-events.js';

export interface PollFacts {
  at: number;
  latencyMs: number;
  outcome: PollOutcome;
  requestUuid?: string | undefined;
}

/**
 * A poll's unit of work: runs the detector on the stored state and writes the poll, the watch's health, its keys'
 * state, the transitions and the events (with whatever the event hooks add, such as outbox rows) in one
 * transaction, so a crash leaves all of it or none.
 */
export function recordPoll(store: HistoryStore, watch: WatchIdentity, facts: PollFacts, settings: DetectorSettings): Detection {
  return store.transaction(() => {
    const stored = store.watchState.find(watch.name);
    const keys = new Map(stored?.keys.map((entry) => [keyId(entry.key), entry]));
    const detection = detect(stored?.health ?? UNPOLLED, keys, facts.outcome, settings, facts.at);
    const watchId = stored?.watchId ?? store.watchState.ensure(watch.name);
    store.watchState.saveHealth(watchId, detection.health);
    const specKeyIds = new Map([...keys].map(([id, entry]) => [id, entry.specKeyId]));
    for (const [id, { key, state }] of detection.changedKeys) {
      specKeyIds.set(id, store.watchState.saveKey(watchId, key, state));
    }
    for (const { key, available } of detection.readings) {
      store.polls.countReading(specKeyIds.get(keyId(key))!, facts.at, available);
    }
    for (const t of detection.transitions) {
      store.transitions.add(specKeyIds.get(keyId(t.key))!, t.from, t.to, t.at, t.previousSince);
    }
    for (const event of detection.events) store.addEvent(storedEventOf(watch, event));
    const error = facts.outcome.ok ? undefined : { ...facts.outcome.error, requestUuid: facts.requestUuid };
    const changed = detection.transitions.length > 0 || detection.events.length > 0;
    store.polls.record({ watchId, at: facts.at, latencyMs: facts.latencyMs, error, changed });
    return detection;
  });
}
