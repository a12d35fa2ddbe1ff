import type { LoadedConfig } from '../config/load.js';
import type { CompshareClient } from '../compshare/client.js';
import { clientFromConfig } from '../compshare/from-config.js';
import { HistoryStore } from '../store/history-store.js';
import { StoreClosedError } from '../store/errors.js';
import { reconcilePolicies } from '../policy/reconcile.js';
import { Scheduler, type JobSpec } from '../watch/scheduler.js';
import { pollWatches } from '../watch/poller.js';
import { sharedPollsOf } from '../watch/targets.js';
import { pollDemand } from '../watch/demand.js';
import { StorageHealth } from '../watch/storage-health.js';
import { systemClock, type IntervalClock } from '../util/clock.js';
import type { Logger } from '../log.js';
import { Notifier } from '../notify/notifier.js';
import { Provisioning } from '../provision/provisioning.js';
import { ownedByStopPolicy } from '../provision/owned.js';
import { acquireLock, type DaemonLock } from './lock.js';

/** Daily at 04:10 local time: a quiet hour for pruning old history. */
export const RETENTION_SCHEDULE = '0 10 4 * * *';
/** How long shutdown waits for polls under way before abandoning them. */
export const SHUTDOWN_GRACE_MS = 5_000;

/**
 * The long-running process: one job per shared poll (watches of one request shape and schedule) plus housekeeping.
 * Starts in order (lock, storage, notifier, client, jobs) and stops jobs, drains the notifier, then closes storage,
 * the client and the lock. Storage closes before the client so that a run abandoned at shutdown, whose call the
 * client's close cuts off, finds the store closed and records nothing rather than a failure the shutdown caused.
 */
export class Daemon {
  private lock: DaemonLock | undefined;
  private store: HistoryStore | undefined;
  private client: CompshareClient | undefined;
  private scheduler: Scheduler | undefined;
  private notifier: Notifier | undefined;
  private provisioning: Provisioning | undefined;

  constructor(
    private readonly loaded: LoadedConfig,
    private readonly log: Logger,
    private readonly clock: IntervalClock = systemClock,
  ) {}

  start(): void {
    const { config } = this.loaded;
    const demand = pollDemand(config, this.clock.now());
    this.lock = acquireLock(config.storage.path);
    try {
      this.store = HistoryStore.open(config.storage.path);
      // Before any job runs, so the first poll's events already reach the outbox.
      if (Object.keys(config.notifiers).length > 0) {
        this.notifier = new Notifier(config, this.store, this.clock, this.log);
        this.notifier.start();
      }
      // Throttling may slow the client down, never below one call per shared poll a minute.
      this.client = clientFromConfig(this.loaded, {
        minRequestsPerSecond: demand.floorPerSecond,
        onRateChange: (rate) => this.logRate(rate, config.api.maxRequestsPerSecond),
      });
      // Before the jobs too, so the first poll's flips already reach the ledger.
      if (Object.keys(config.provisioners).length > 0) {
        this.provisioning = new Provisioning(config, this.store, this.client, this.clock, this.log, {
          instancePassword: this.loaded.credentials.instancePassword,
        });
        this.provisioning.start();
      }
      this.scheduler = new Scheduler(this.log);
      this.scheduler.start(this.jobs(this.store, this.client));
      this.prune(this.store);
    } catch (error) {
      void this.provisioning?.stop();
      void this.notifier?.stop();
      this.store?.close();
      this.lock.release();
      throw error;
    }
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

  /**
   * Polls still waiting for their turn (behind the rate limit, or for their slot in a tick) are let go at once and
   * record nothing; an answer already on its way gets a moment (LET_GO_AFTER_MS), the reconciler the full grace.
   */
  async stop(): Promise<void> {
    const { abandoned } = (await this.scheduler?.stop(SHUTDOWN_GRACE_MS)) ?? { abandoned: 0 };
    if (abandoned > 0) this.log.warn({ abandoned }, 'abandoned polls still under way at shutdown');
    // A create under way records its answer (its events reach the outbox) before the notifier stops.
    await this.provisioning?.stop();
    // Alerts not yet sent stay in the outbox for the next start.
    await this.notifier?.stop();
    this.store?.close();
    await this.client?.close();
    this.lock?.release();
    this.log.info('compshare-watch stopped');
  }

  private jobs(store: HistoryStore, client: CompshareClient): JobSpec[] {
    const notifier = this.notifier;
    const storage = new StorageHealth(store, this.log, notifier && ((event) => notifier.sendNow(event)));
    const deps = { client, store, clock: this.clock, log: this.log, storage };
    const { watches, timezone: defaultZone } = this.loaded.config;
    const watchJobs = sharedPollsOf(watches, defaultZone).map(({ targets, schedule, timezone, jitterMs }): JobSpec => {
      const members = targets.map((target) => target.name);
      const name = members.length === 1 ? members[0]! : `${members[0]} and ${members.length - 1} more`;
      const run = (signal: AbortSignal) => this.unlessClosed(name, () => pollWatches(deps, targets, signal));
      return { name, schedule, timezone, jitterMs, members, run };
    });
    const retention: JobSpec = {
      name: 'retention',
      schedule: RETENTION_SCHEDULE,
      timezone: this.loaded.config.timezone,
      run: () => this.unlessClosed('retention', async () => this.prune(store)),
    };
    return [...watchJobs, ...this.policyJobs(store, client), retention];
  }

  /** The policy reconciler, when any stop policy is configured. */
  private policyJobs(store: HistoryStore, client: CompshareClient): JobSpec[] {
    const { stopPolicies, policyReconcile, timezone } = this.loaded.config;
    if (Object.keys(stopPolicies).length === 0) return [];
    const provisioners = this.provisioning?.provisioners;
    const owned = () => (provisioners ? ownedByStopPolicy(store, provisioners) : undefined);
    const deps = { client, store, actions: store.policyActions, clock: this.clock, log: this.log, owned };
    // At start too: an instance left without its stop while the daemon was down should not wait for the next tick.
    const run = () => this.unlessClosed('policy-reconcile', () => reconcilePolicies(deps, stopPolicies));
    return [{ name: 'policy-reconcile', schedule: policyReconcile, timezone, runAtStart: true, run }];
  }

  /**
   * Runs a job; one that was abandoned at shutdown and ends after the store closed is expected, not a failure, so
   * it gets a debug line instead of an error with a stack.
   */
  private async unlessClosed(job: string, run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (error) {
      if (!(error instanceof StoreClosedError)) throw error;
      this.log.debug({ job }, 'run ended after shutdown; nothing recorded');
    }
  }

  private logRate(rate: number, max: number): void {
    const requestsPerSecond = Math.round(rate * 100) / 100;
    if (rate < max) this.log.warn({ requestsPerSecond, max }, 'the API is throttling: requests slowed down');
    else this.log.info({ requestsPerSecond }, 'API request rate back to api.maxRequestsPerSecond');
  }

  private prune(store: HistoryStore): void {
    const removed = store.prune(this.loaded.config.storage.retentionDays, this.clock.now());
    if (Object.values(removed).some((count) => count > 0)) this.log.info({ removed }, 'pruned old history');
  }
}
