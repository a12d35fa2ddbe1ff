import { openDatabase, type Db } from './db.js';
import { StoreClosedError } from './errors.js';
import { WatchStateRepository } from './watch-state.js';
import { PollRepository } from './polls.js';
import { TransitionRepository } from './transitions.js';
import { EventRepository, type NewEvent } from './events.js';
import { OutboxRepository } from './outbox.js';
import { PolicyActionRepository } from './policy-actions.js';
import { StatsRepository } from './stats.js';
import { pruneOlderThan } from './retention.js';

/** Called inside the transaction that adds an event, so what it writes commits or rolls back with it. */
export type EventHook = (event: NewEvent & { seq: number }) => void;

/**
 * The history database and the only way into it: one repository per table group, and transactions to group their
 * writes. What a poll or a policy run means is decided above (watch/, policy/); nothing here knows.
 */
export class HistoryStore {
  readonly watchState: WatchStateRepository;
  readonly polls: PollRepository;
  readonly transitions: TransitionRepository;
  readonly events: EventRepository;
  readonly outbox: OutboxRepository;
  readonly policyActions: PolicyActionRepository;
  readonly stats: StatsRepository;
  readonly #db: Db;
  readonly #eventHooks = new Set<EventHook>();

  private constructor(
    db: Db,
    /** The database file, for messages. */
    readonly path: string,
  ) {
    this.#db = db;
    this.watchState = new WatchStateRepository(db);
    this.polls = new PollRepository(db);
    this.transitions = new TransitionRepository(db);
    this.events = new EventRepository(db);
    this.outbox = new OutboxRepository(db);
    this.policyActions = new PolicyActionRepository(db, (work) => this.transaction(work));
    this.stats = new StatsRepository(db);
  }

  /** Opens (creating and migrating it if needed) the database at `path`. */
  static open(path: string): HistoryStore {
    return new HistoryStore(openDatabase(path), path);
  }

  /**
   * Runs `work` in one transaction: everything it writes commits together or not at all. Nested calls join the
   * outer transaction. After close() it throws StoreClosedError, which a caller finishing late can recognise.
   */
  transaction<T>(work: () => T): T {
    if (!this.#db.open) throw new StoreClosedError();
    return this.#db.transaction(work)();
  }

  /** Calls `hook` for every event added from now on; the returned function stops that. */
  onEvent(hook: EventHook): () => void {
    // A wrapper, so the same hook subscribed twice runs twice and each unsubscribe removes only its own.
    const subscription: EventHook = (event) => hook(event);
    this.#eventHooks.add(subscription);
    return () => {
      this.#eventHooks.delete(subscription);
    };
  }

  /**
   * Adds an event and runs the event hooks in the same transaction (joining the caller's, if any). Returns its
   * sequence number, or null when an event with that id was already there (then no hook runs).
   */
  addEvent(event: NewEvent): number | null {
    return this.transaction(() => {
      const seq = this.events.add(event);
      if (seq === null) return null;
      for (const hook of this.#eventHooks) hook({ ...event, seq });
      return seq;
    });
  }

  prune(retentionDays: number, now: number): Record<string, number> {
    return this.transaction(() => pruneOlderThan(this.#db, retentionDays, now));
  }

  close(): void {
    this.#db.close();
  }
}
