import { openDatabase, type Db } from './db.js';
import { WatchStateRepository } from './watch-state.js';
import { PollRepository } from './polls.js';
import { TransitionRepository } from './transitions.js';
import { EventRepository, type NewEvent } from './events.js';
import { pruneOlderThan } from './retention.js';
import { detect, keyId, type Detection, type DetectorEvent, type DetectorSettings, type PollOutcome } from '../watch/detector.js';

/** What a watch is, as far as stored events need to describe it. */
export interface WatchIdentity {
  name: string;
  zone: string;
  gpuType: string;
}

export interface PollFacts {
  at: number;
  latencyMs: number;
  outcome: PollOutcome;
  requestUuid?: string | undefined;
}

/** Called inside the poll's transaction for each new event, so what it writes commits or rolls back with it. */
export type EventHook = (event: NewEvent & { seq: number }) => void;

/** The history database: every write a poll causes happens in one transaction. */
export class HistoryStore {
  readonly watchState: WatchStateRepository;
  readonly polls: PollRepository;
  readonly transitions: TransitionRepository;
  readonly events: EventRepository;
  private readonly eventHooks: EventHook[] = [];

  constructor(readonly db: Db) {
    this.watchState = new WatchStateRepository(db);
    this.polls = new PollRepository(db);
    this.transitions = new TransitionRepository(db);
    this.events = new EventRepository(db);
  }

  static open(path: string): HistoryStore {
    return new HistoryStore(openDatabase(path));
  }

  onEvent(hook: EventHook): void {
    this.eventHooks.push(hook);
  }

  /** Runs the detector on stored state and writes the poll, state, transitions and events atomically. */
  recordPoll(watch: WatchIdentity, facts: PollFacts, settings: DetectorSettings): Detection {
    return this.db.transaction(() => {
      const stored = this.watchState.load(watch.name);
      const detection = detect(stored.health, stored.keys, facts.outcome, settings, facts.at);
      this.watchState.saveHealth(stored.watchId, detection.health);
      const specKeyIds = new Map([...stored.keys].map(([id, entry]) => [id, entry.specKeyId]));
      for (const [id, { key, state }] of detection.changedKeys) {
        specKeyIds.set(id, this.watchState.saveKey(stored.watchId, key, state));
      }
      for (const { key, available } of detection.readings) {
        this.polls.countReading(specKeyIds.get(keyId(key))!, facts.at, available);
      }
      for (const t of detection.transitions) {
        this.transitions.add(specKeyIds.get(keyId(t.key))!, t.from, t.to, t.at, t.previousSince);
      }
      for (const event of detection.events) this.addEvent(toStoredEvent(watch, event));
      const error = facts.outcome.ok ? undefined : { ...facts.outcome.error, requestUuid: facts.requestUuid };
      const changed = detection.transitions.length > 0 || detection.events.length > 0;
      this.polls.record({ watchId: stored.watchId, at: facts.at, latencyMs: facts.latencyMs, error, changed });
      return detection;
    })();
  }

  prune(retentionDays: number, now: number): Record<string, number> {
    return pruneOlderThan(this.db, retentionDays, now);
  }

  close(): void {
    this.db.close();
  }

  /** Adds an event outside a poll (e.g. a failed policy action); hooks run in the same transaction. */
  addEvent(event: NewEvent): void {
    this.db.transaction(() => {
      const seq = this.events.add(event);
      if (seq === null) return;
      for (const hook of this.eventHooks) hook({ ...event, seq });
    })();
  }
}

/** Events carry what a message needs (zone, GPU type), since the config may change before they are read. */
function toStoredEvent(watch: WatchIdentity, event: DetectorEvent): NewEvent {
  const { key, payload } = identityAndPayload(event);
  return {
    id: `${event.type}:${watch.name}:${key}`,
    type: event.type,
    watch: watch.name,
    payload: { watch: watch.name, zone: watch.zone, gpuType: watch.gpuType, at: event.at, ...payload },
    createdAt: event.at,
  };
}

/** What makes each kind of event unique (its id after type and watch), and what it says beyond the watch. */
function identityAndPayload(event: DetectorEvent): { key: string; payload: Record<string, unknown> } {
  switch (event.type) {
    case 'capacity.available':
    case 'capacity.soldout':
      return { key: `${keyId(event.key)}:${event.at}`, payload: { ...event.key, previousSince: event.previousSince } };
    case 'capacity.reminder':
      return {
        key: `${keyId(event.key)}:${event.since}:${event.count}`,
        payload: { ...event.key, previousSince: null, availableSince: event.since, count: event.count },
      };
    case 'watch.blind':
      return { key: String(event.failingSince), payload: { failingSince: event.failingSince, error: event.error } };
    case 'watch.recovered':
      return { key: String(event.failingSince), payload: { failingSince: event.failingSince } };
  }
}
