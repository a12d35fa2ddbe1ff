import { defineEvent } from '../events.js';
import type { HistoryStore } from '../store/history-store.js';
import type { NewEvent } from '../store/events.js';
import { StoreWriteError } from '../store/errors.js';
import type { Logger } from '../log.js';

/** Sends an alert without the database, whose outbox cannot be written while storage fails; never throws. */
export type DirectAlert = (event: NewEvent) => Promise<void>;

/**
 * Watches whether polls can be recorded, the way the detector watches whether they can be made. The first poll that
 * cannot be written (disk full, the file locked by another program, damaged) is logged and alerted at once,
 * straight to the channels; the first poll written after that stores a `storage.recovered` event (which reaches
 * the outbox as usual) saying how many polls were lost.
 */
export class StorageHealth {
  private failingSince: number | null = null;
  private lostPolls = 0;

  constructor(
    private readonly store: HistoryStore,
    private readonly log: Logger,
    private readonly alert?: DirectAlert,
  ) {}

  /** A poll made at `at` could not be recorded. */
  failed(error: StoreWriteError, at: number): void {
    this.lostPolls += 1;
    if (this.failingSince !== null) return;
    this.failingSince = at;
    const database = this.store.path;
    this.log.error({ database, code: error.code }, `cannot record polls: ${error.message}; polls are lost until this is fixed`);
    const payload = { database, failingSince: at, error: error.message, at };
    void this.alert?.(defineEvent('storage.failing', { id: `storage.failing:${at}`, watch: null, createdAt: at, payload }));
  }

  /** A poll was recorded at `at`: if storage was failing, it works again. */
  recorded(at: number): void {
    if (this.failingSince === null) return;
    const { failingSince, lostPolls } = this;
    const database = this.store.path;
    const payload = { database, failingSince, lostPolls, at };
    try {
      this.store.addEvent(defineEvent('storage.recovered', { id: `storage.recovered:${failingSince}`, watch: null, createdAt: at, payload }));
    } catch (error) {
      // Failing again already: the next recorded poll tries once more.
      if (error instanceof StoreWriteError) return;
      throw error;
    }
    this.failingSince = null;
    this.lostPolls = 0;
    this.log.info({ database, lostPolls }, 'storage recovered: polls are recorded again');
  }
}
