import { openDatabase, type Db } from './db.js';
import { StoreClosedError, StoreWriteError, storageFailureCode } from './errors.js';
import { WatchStateRepository } from './watch-state.js';
import { PollRepository } from './polls.js';
import { TransitionRepository } from './transitions.js';
import { EventRepository, type NewEvent } from './events.js';
import { OutboxRepository } from './outbox.js';
import { PolicyActionRepository } from './policy-actions.js';
import { StatsRepository } from './stats.js';
import { RecentWindowsRepository } from './recent-windows.js';
import { ProvisionLedger } from './provisions.js';
import { pruner, type Pruner } from './retention.js';
import { WeeklyRollup } from './weekly-rollup.js';

/**
 * How often the daemon's store copies the write-ahead log back into the database. At this interval the log holds
 * a few MB at most (500 watches polling every 10 s write about 1 MB/s), and the copy (and its two fsyncs) runs
 * between polls instead of inside whichever commit crossed SQLite's 1000-page threshold: that commit used to take
 * 10-17 ms instead of 0.3, the tail of a flip's time to its alert. It is also as much as a power cut can lose.
 */
export const WAL_CHECKPOINT_EVERY_MS = 5_000;

export interface StoreOptions {
  /**
   * For the one long-lived writer (the daemon): checkpoint on a timer of this period (ms) and never inside a
   * commit. Left out (short-lived commands), SQLite checkpoints itself as a commit grows the log past 1000 pages.
   */
  checkpointEveryMs?: number;
}

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
  readonly recentWindows: RecentWindowsRepository;
  readonly provisions: ProvisionLedger;
  readonly rollup: WeeklyRollup;
  readonly #db: Db;
  readonly #eventHooks = new Set<EventHook>();
  readonly #prune: Pruner;
  /** Runs its argument in a transaction, or in a savepoint inside one; made once, not per call. */
  readonly #inTransaction: <T>(work: () => T) => T;
  /** What the innermost open transaction runs once everything around it commits; null outside a transaction. */
  #onCommit: Array<() => void> | null = null;
  #checkpointTimer: NodeJS.Timeout | undefined;

  private constructor(
    db: Db,
    /** The database file, for messages. */
    readonly path: string,
  ) {
    this.#db = db;
    this.#inTransaction = db.transaction((work: () => unknown) => work()) as <T>(work: () => T) => T;
    this.watchState = new WatchStateRepository(db, (work) => this.#afterCommit(work));
    this.rollup = new WeeklyRollup(db, (work) => this.transaction(work));
    this.polls = new PollRepository(db, this.rollup);
    this.transitions = new TransitionRepository(db, this.rollup);
    this.events = new EventRepository(db);
    this.outbox = new OutboxRepository(db);
    this.policyActions = new PolicyActionRepository(db, (work) => this.transaction(work));
    this.stats = new StatsRepository(db, this.rollup);
    this.recentWindows = new RecentWindowsRepository(db, (work) => this.#afterCommit(work));
    this.provisions = new ProvisionLedger(db);
    this.#prune = pruner(db, this.rollup);
  }

  /** Opens (creating and migrating it if needed) the database at `path`. */
  static open(path: string, options: StoreOptions = {}): HistoryStore {
    const store = new HistoryStore(openDatabase(path), path);
    if (options.checkpointEveryMs !== undefined) store.#checkpointOnTimer(options.checkpointEveryMs);
    return store;
  }

  #checkpointOnTimer(everyMs: number): void {
    this.#db.pragma('wal_autocheckpoint = 0');
    this.#checkpointTimer = setInterval(() => this.#checkpoint(), everyMs);
    // The store is closed explicitly; its timer alone must not keep a process alive.
    this.#checkpointTimer.unref();
  }

  /**
   * PASSIVE: copies what no reader still needs and never waits for one. A failure (disk full, I/O error) loses
   * nothing committed, since the log still holds it; the next tick tries again, and a write failing for the same
   * cause is what the daemon reports, through its storage health.
   */
  #checkpoint(): void {
    try {
      this.#db.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      if (storageFailureCode(error) === null) throw error;
    }
  }

  /**
   * Runs `work` in one transaction: everything it writes commits together or not at all. Nested calls join the
   * outer transaction. After close() it throws StoreClosedError, which a caller finishing late can recognise; when
   * the storage itself fails (disk full, locked, damaged) it throws StoreWriteError.
   */
  transaction<T>(work: () => T): T {
    if (!this.#db.open) throw new StoreClosedError();
    const outer = this.#onCommit;
    const onCommit: Array<() => void> = [];
    this.#onCommit = onCommit;
    let result: T;
    try {
      result = this.#inTransaction(work);
    } catch (error) {
      const code = storageFailureCode(error);
      if (code === null || error instanceof StoreWriteError) throw error;
      throw new StoreWriteError(code, (error as Error).message);
    } finally {
      this.#onCommit = outer;
    }
    // A nested transaction's work commits with the outer one, or not at all.
    if (outer) outer.push(...onCommit);
    else for (const committed of onCommit) committed();
    return result;
  }

  /** Runs `work` once the current transaction commits (dropped if it rolls back); outside one, at once. */
  #afterCommit(work: () => void): void {
    if (this.#onCommit) this.#onCommit.push(work);
    else work();
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
    return this.transaction(() => this.#prune(retentionDays, now));
  }

  /** Closing checkpoints the whole log into the database (SQLite does so when its last connection closes). */
  close(): void {
    clearInterval(this.#checkpointTimer);
    this.#db.close();
  }
}
