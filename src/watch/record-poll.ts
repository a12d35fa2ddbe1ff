import { recentHistory, type RecentHistory } from '../history/window-summary.js';
import type { HistoryStore } from '../store/history-store.js';
import { hourOf } from '../store/polls.js';
import { RECENT_DAYS } from '../store/recent-windows.js';
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
 * watch's first poll, so a poll only writes. A flip to available carries its key's recent history, read from the
 * store's per-key memory too, so the numbers are those of the moment of the flip wherever the event is read.
 */
export function recordPoll(store: HistoryStore, watch: WatchIdentity, facts: PollFacts, settings: DetectorSettings): Detection {
  return store.transaction(() => {
    const stored = store.watchState.current(watch.name);
    const detection = detect(stored?.health ?? UNPOLLED, stored?.keys ?? NO_KEYS, facts.outcome, settings, facts.at);
    const saved = store.watchState.save(watch.name, detection.health, detection.changedKeys);
    const specKeyId = (key: SpecKey) => saved.keys.get(keyId(key))!.specKeyId;
    for (const { key, available } of detection.readings) store.polls.countReading(specKeyId(key), facts.at, available);
    for (const t of detection.transitions) {
      store.transitions.add(specKeyId(t.key), t.from, t.to, t.at, t.previousSince);
      if (t.to === 'soldout' && t.previousSince !== null) store.recentWindows.closed(specKeyId(t.key), t.previousSince, t.at);
    }
    for (const event of detection.events) {
      const history = event.type === 'capacity.available' ? historyOf(store, specKeyId(event.key), event.at) : undefined;
      store.addEvent(storedEventOf(watch, event, history));
    }
    const error = facts.outcome.ok ? undefined : { ...facts.outcome.error, requestUuid: facts.requestUuid };
    const changed = detection.transitions.length > 0 || detection.events.length > 0;
    store.polls.record({ watchId: saved.watchId, at: facts.at, latencyMs: facts.latencyMs, error, changed });
    return detection;
  });
}

function historyOf(store: HistoryStore, specKeyId: number, at: number): RecentHistory {
  const windows = store.recentWindows.closedWindows(specKeyId, at);
  const sameHour = store.recentWindows.sameHourOnDaysBefore(specKeyId, hourOf(at));
  return recentHistory(windows, sameHour, at, RECENT_DAYS);
}
