import type { HistoryStore } from '../store/history-store.js';
import type { StoredKey } from '../store/watch-state.js';
import { detect, keyId, UNPOLLED, type Detection, type DetectorSettings, type PollOutcome, type SpecKey } from './detector.js';
import { storedEventOf, type WatchIdentity } from './stored-events.js';

export interface PollFacts {
  at: number;
  latencyMs: number;
  outcome: PollOutcome;
  requestUuid?: string | undefined;
}

const NO_KEYS: ReadonlyMap<string, StoredKey> = new Map();

/**
 * A poll's unit of work: runs the detector on the stored state and writes the poll, the watch's health, its keys'
 * state, the transitions and the events (with whatever the event hooks add, such as outbox rows) in one
 * transaction, so a crash leaves all of it or none. The stored state comes from the store's memory after the
 * watch's first poll, so a poll only writes.
 */
export function recordPoll(store: HistoryStore, watch: WatchIdentity, facts: PollFacts, settings: DetectorSettings): Detection {
  return store.transaction(() => {
    const stored = store.watchState.current(watch.name);
    const detection = detect(stored?.health ?? UNPOLLED, stored?.keys ?? NO_KEYS, facts.outcome, settings, facts.at);
    const saved = store.watchState.save(watch.name, detection.health, detection.changedKeys);
    const specKeyId = (key: SpecKey) => saved.keys.get(keyId(key))!.specKeyId;
    for (const { key, available } of detection.readings) store.polls.countReading(specKeyId(key), facts.at, available);
    for (const t of detection.transitions) store.transitions.add(specKeyId(t.key), t.from, t.to, t.at, t.previousSince);
    for (const event of detection.events) store.addEvent(storedEventOf(watch, event));
    const error = facts.outcome.ok ? undefined : { ...facts.outcome.error, requestUuid: facts.requestUuid };
    const changed = detection.transitions.length > 0 || detection.events.length > 0;
    store.polls.record({ watchId: saved.watchId, at: facts.at, latencyMs: facts.latencyMs, error, changed });
    return detection;
  });
}
