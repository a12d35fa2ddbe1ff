import type { LoadedConfig } from '../config/load.js';
import { systemClock, type IntervalClock } from '../util/clock.js';
import type { Logger } from '../log.js';
import { demandWarning, pollDemand } from '../watch/demand.js';
import { DaemonCore } from './core.js';
import { replacementFor, watchChanges } from './reload.js';
import { Runtime } from './runtime.js';

/**
 * The long-running process: a core (lock, store) for its whole life and a runtime built from the config, which
 * reload() swaps whole. Start, reloads and stop run one after another, never two at once.
 */
export class Daemon {
  private core: DaemonCore | undefined;
  private runtime: Runtime | undefined;
  /** The start, reload or stop under way (or the last one); the next waits for it. */
  private transition: Promise<void> = Promise.resolve();
  private reloadQueued = false;
  private stopping = false;
  /** Set once the first start has finished: /readyz. */
  private ready = false;

  constructor(
    private loaded: LoadedConfig,
    private readonly log: Logger,
    private readonly clock: IntervalClock = systemClock,
  ) {}

  start(): Promise<void> {
    return this.next(async () => {
      this.core = DaemonCore.open(this.loaded.config.storage.path);
      try {
        this.runtime = await this.startRuntime(this.loaded);
      } catch (error) {
        this.core.close();
        throw error;
      }
      this.ready = true;
      this.logRunning();
    });
  }

  /**
   * Re-reads the config file and swaps the runtime, or keeps the running one and logs why in one line. The file is
   * read and checked while the old runtime runs on; only the swap itself pauses polling. SIGHUPs that arrive while
   * one waits its turn join it.
   */
  reload(): Promise<void> {
    if (this.stopping || this.reloadQueued) return this.transition;
    this.reloadQueued = true;
    return this.next(async () => {
      this.reloadQueued = false;
      if (!this.stopping) await this.swap();
    });
  }

  /** Stops the runtime (jobs, provisioning, notifier, in that order), then closes the store and the lock. */
  stop(): Promise<void> {
    this.stopping = true;
    return this.next(async () => {
      await this.runtime?.stop();
      this.core?.close();
      await this.runtime?.close();
      this.log.info('compshare-watch stopped');
    });
  }

  /** For a second signal during shutdown: closes the database between two writes, and nothing else waits. */
  closeNow(): void {
    this.core?.close();
  }

  private next(work: () => Promise<void>): Promise<void> {
    // A failed transition has been reported to its caller; the next one still runs.
    this.transition = this.transition.catch(() => undefined).then(work);
    return this.transition;
  }

  private async swap(): Promise<void> {
    const running = this.loaded;
    const replacement = await replacementFor(running);
    if (!replacement.ok) {
      this.log.error({ config: running.displayPath }, `config not reloaded, the running one stays: ${replacement.reason}`);
      return;
    }
    const { loaded } = replacement;
    const rate = demandWarning(pollDemand(loaded.config, this.clock.now()), loaded.config.api.maxRequestsPerSecond);
    for (const warning of [...loaded.warnings, ...(rate === undefined ? [] : [rate])]) this.log.warn({ config: loaded.displayPath }, warning);
    await this.runtime?.stop();
    await this.runtime?.close();
    this.runtime = undefined;
    try {
      this.runtime = await this.startRuntime(loaded);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.log.error({ config: loaded.displayPath }, `the reloaded config could not start, back to the previous one: ${reason}`);
      this.runtime = await this.startRuntime(running);
      return;
    }
    this.loaded = loaded;
    this.log.info({ config: loaded.displayPath, ...watchChanges(running, loaded) }, 'config reloaded');
  }

  private async startRuntime(loaded: LoadedConfig): Promise<Runtime> {
    const runtime = new Runtime(loaded, this.core!, this.log, this.clock, () => this.ready);
    await runtime.start();
    return runtime;
  }

  private logRunning(): void {
    const { config } = this.loaded;
    const demand = pollDemand(config, this.clock.now());
    this.log.info(
      {
        config: this.loaded.path,
        database: config.storage.path,
        watches: config.watches.map((w) => w.name),
        demand: { requestsPerSecond: Math.round(demand.requestsPerSecond * 1000) / 1000, sharedPolls: demand.sharedPolls, shapes: demand.shapes },
        maxRequestsPerSecond: config.api.maxRequestsPerSecond,
      },
      'compshare-watch running',
    );
    if (config.watches.length === 0 && Object.keys(config.stopPolicies).length === 0) {
      this.log.warn({ config: this.loaded.path }, 'nothing to do: the config has no watches and no stopPolicies');
    }
    if (Object.keys(config.stopPolicies).length > 0 && config.notify.length === 0) {
      this.log.warn('a stop policy that fails will only be logged: list notifiers under the top-level notify to hear of it');
    }
  }
}
