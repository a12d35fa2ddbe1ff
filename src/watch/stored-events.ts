import { defineEvent } from '../events.js';
import type { RecentHistory } from '../history/window-summary.js';
import type { NewEvent } from '../store/events.js';
import { keyId, type DetectorEvent } from './detector.js';

/** What a watch is, as far as stored events need to describe it. */
export interface WatchIdentity {
  name: string;
  zone: string;
  gpuType: string;
}

/**
 * The event to store for a detector event. Events carry what a message needs (zone, GPU type), since the config
 * may change before they are read; the id after type and watch is what makes each kind unique, so a repeat of
 * the same flip, reminder or blind spell is recognised as already there. `history` goes with a flip to available
 * (other events ignore it): the key's recent history as the poll that saw the flip knew it.
 */
export function storedEventOf(watch: WatchIdentity, event: DetectorEvent, history?: RecentHistory): NewEvent {
  const base = { watch: watch.name, zone: watch.zone, gpuType: watch.gpuType, at: event.at };
  const identity = (key: string) => ({ id: `${event.type}:${watch.name}:${key}`, watch: watch.name, createdAt: event.at });
  switch (event.type) {
    case 'capacity.available':
    case 'capacity.soldout':
      return defineEvent(event.type, {
        ...identity(`${keyId(event.key)}:${event.at}`),
        payload: { ...base, ...event.key, previousSince: event.previousSince, ...(event.type === 'capacity.available' && history && { history }) },
      });
    case 'capacity.reminder':
      return defineEvent(event.type, {
        ...identity(`${keyId(event.key)}:${event.since}:${event.count}`),
        payload: { ...base, ...event.key, previousSince: null, availableSince: event.since, count: event.count },
      });
    case 'watch.blind':
      return defineEvent(event.type, {
        ...identity(String(event.failingSince)),
        payload: { ...base, failingSince: event.failingSince, error: event.error },
      });
    case 'watch.recovered':
      return defineEvent(event.type, {
        ...identity(String(event.failingSince)),
        payload: { ...base, failingSince: event.failingSince },
      });
  }
}
