import { HistoryStore, WAL_CHECKPOINT_EVERY_MS } from '../store/history-store.js';
import { acquireLock, type DaemonLock } from './lock.js';
import { DaemonMetrics } from './metrics.js';

/**
 * What lives as long as the process: the lock that keeps one daemon per database, the store and the metrics. A reload swaps
 * the runtime around it and never reopens either, which is why `storage.path` cannot change without a restart.
 */
export class DaemonCore {
  private closed = false;
  /** Counters survive a reload, as Prometheus expects of a process that keeps running. */
  readonly metrics = new DaemonMetrics();
  readonly startedAt = Date.now();

  private constructor(
    readonly storagePath: string,
    readonly store: HistoryStore,
    private readonly lock: DaemonLock,
  ) {
    store.onEvent(this.metrics.observeEvent);
  }

  static open(storagePath: string): DaemonCore {
    const lock = acquireLock(storagePath);
    try {
      return new DaemonCore(storagePath, HistoryStore.open(storagePath, { checkpointEveryMs: WAL_CHECKPOINT_EVERY_MS }), lock);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /**
   * Synchronous, and safe at any moment (a second signal during shutdown): every write is one synchronous SQLite
   * transaction, so closing between two of them leaves the database consistent. Closing twice does nothing.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.store.close();
    this.lock.release();
  }
}
