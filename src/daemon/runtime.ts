import { setImmediate } from 'node:timers/promises';
import type { LoadedConfig } from '../config/load.js';
import type { CompshareClient } from '../compshare/client.js';
import { clientFromConfig } from '../compshare/from-config.js';
import type { HistoryStore } from '../store/history-store.js';
import { StoreClosedError } from '../store/errors.js';
import { reconcilePolicies } from '../policy/reconcile.js';
import { Scheduler, type JobSpec } from '../watch/scheduler.js';
import { pollWatches } from '../watch/poller.js';
import { sharedPollsOf } from '../watch/targets.js';
import { pollDemand } from '../watch/demand.js';
import { StorageHealth } from '../watch/storage-health.js';
import type { IntervalClock } from '../util/clock.js';
import type { Logger } from '../log.js';
import { Notifier } from '../notify/notifier.js';
import { Provisioning } from '../provision/provisioning.js';
import { ownedByStopPolicy } from '../provision/owned.js';
import type { DaemonCore } from './core.js';
import { startHttpServer, type DaemonView, type RunningHttpServer } from './http.js';

/** Daily at 04:10 local time: a quiet hour for pruning old history. */
export const RETENTION_SCHEDULE = '0 10 4 * * *';
/**
 * Every 5 minutes (at second 37, off the watches' usual :00): copy the hours that have ended into the weekly
 * blobs `stats` and the status page read (store/weekly-rollup.ts), so what they read as hourly rows stays 1-2 hours.
 */
export const ROLLUP_SCHEDULE = '37 */5 * * * *';
/** How long stopping a runtime (shutdown or reload) waits for polls under way before abandoning them. */
export const SHUTDOWN_GRACE_MS = 5_000;

/** One piece of a runtime, started in list order and stopped in reverse. */
export interface RuntimePart {
  readonly name: string;
  start(): void | Promise<void>;
  stop(): Promise<void>;
}

/**
 * Everything built from the config around the process's store: the API client, notifier and its event routes,
 * provisioning, and the scheduler's jobs (shared polls, policy reconciler, retention). One runtime is started and
 * stopped once; a reload builds a new one. Its parts are a list so that another part (HTTP) is one more entry.
 */
export class Runtime {
  private readonly client: CompshareClient;
  private readonly parts: RuntimePart[] = [];
  private started: RuntimePart[] = [];

  private readonly store: HistoryStore;

  constructor(
    readonly loaded: LoadedConfig,
    private readonly core: DaemonCore,
    private readonly log: Logger,
    private readonly clock: IntervalClock,
    /** Whether the daemon has finished starting, for /readyz. */
    ready: () => boolean,
  ) {
    const { config } = loaded;
    const store = core.store;
    this.store = store;
    const demand = pollDemand(config, clock.now());
    // Throttling may slow the client down, never below one call per shared poll a minute.
    this.client = clientFromConfig(loaded, {
      minRequestsPerSecond: demand.floorPerSecond,
      onRateChange: (rate) => this.logRate(rate, config.api.maxRequestsPerSecond),
    });
    // Notifier and provisioning before the jobs, so the first poll's events reach the outbox and the ledger.
    const notifier = Object.keys(config.notifiers).length > 0 ? new Notifier(config, store, clock, log) : undefined;
    if (notifier) {
      const unsubscribe = notifier.dispatcher.onDelivery(core.metrics.observeDelivery);
      this.parts.push({ name: 'notifier', start: () => notifier.start(), stop: async () => { await notifier.stop(); unsubscribe(); } });
    }
    const provisioning = Object.keys(config.provisioners).length > 0
      ? new Provisioning(config, store, this.client, clock, log, { instancePassword: loaded.credentials.instancePassword })
      : undefined;
    // A create under way records its answer (its events reach the outbox) before the notifier stops.
    if (provisioning) this.parts.push({ name: 'provisioning', start: () => provisioning.start(), stop: () => provisioning.stop() });
    this.parts.push(this.schedulerPart(notifier, provisioning));
    if (config.http !== false) this.parts.push(this.httpPart(config.http, ready));
  }

  /** The HTTP server (health, metrics, API, status page): last to start, first to stop, so it never shows a half-built runtime. */
  private httpPart(http: Exclude<LoadedConfig['config']['http'], false>, ready: () => boolean): RuntimePart {
    const { core, loaded, clock, log } = this;
    const view: DaemonView = { store: core.store, config: () => loaded.config, ready, startedAt: core.startedAt, metrics: core.metrics, clock };
    let server: RunningHttpServer | undefined;
    return {
      name: 'http',
      start: async () => {
        server = await startHttpServer({ listen: http.listen, token: http.token, view, log });
        log.info({ url: server.url }, 'status page and API listening');
      },
      stop: async () => server?.close(),
    };
  }

  /** Starts the parts in order; if one fails, the ones already started are stopped again and the error thrown. */
  async start(): Promise<void> {
    try {
      for (const part of this.parts) {
        await part.start();
        this.started.push(part);
      }
    } catch (error) {
      await this.stop();
      await this.close();
      throw error;
    }
    this.prune();
  }

  /**
   * Stops the parts in reverse order: no job runs, no hook of this runtime is called and nothing of it writes to
   * the store once this resolves. Alerts not yet sent stay in the outbox for the next runtime or start.
   */
  async stop(): Promise<void> {
    for (const part of this.started.reverse()) await part.stop();
    this.started = [];
  }

  /**
   * Closes the client. Apart from stop() so that shutdown can close the store first: a run abandoned then, whose
   * call the client's close cuts off, finds the store closed and records nothing rather than a failure it caused.
   */
  async close(): Promise<void> {
    await this.client.close();
  }

  /**
   * Polls still waiting for their turn (behind the rate limit, or for their slot in a tick) are let go at once and
   * record nothing; an answer already on its way gets a moment (LET_GO_AFTER_MS), the reconciler the full grace.
   */
  private schedulerPart(notifier: Notifier | undefined, provisioning: Provisioning | undefined): RuntimePart {
    const scheduler = new Scheduler(this.log);
    return {
      name: 'scheduler',
      start: () => scheduler.start(this.jobs(notifier, provisioning)),
      stop: async () => {
        const { abandoned } = await scheduler.stop(SHUTDOWN_GRACE_MS);
        if (abandoned > 0) this.log.warn({ abandoned }, 'abandoned polls still under way at shutdown');
      },
    };
  }

  private jobs(notifier: Notifier | undefined, provisioning: Provisioning | undefined): JobSpec[] {
    const { store, client } = this;
    const storage = new StorageHealth(store, this.log, notifier && ((event) => notifier.sendNow(event)));
    const deps = { client, store, clock: this.clock, log: this.log, storage, onPolled: this.core.metrics.observePoll };
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
      run: () => this.unlessClosed('retention', async () => this.prune()),
    };
    // At start too: after an upgrade or a long stop there are hours to copy, which it does a step at a time.
    const rollup: JobSpec = {
      name: 'history-rollup',
      schedule: ROLLUP_SCHEDULE,
      runAtStart: true,
      run: (signal) => this.unlessClosed('history-rollup', () => this.copyEndedHours(signal)),
    };
    return [...watchJobs, ...this.policyJobs(provisioning), retention, rollup];
  }

  /** One step is a transaction of tens of ms; between steps polls due meanwhile get the event loop. */
  private async copyEndedHours(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && this.store.rollup.copyStep(this.clock.now())) await setImmediate();
  }

  /** The policy reconciler, when any stop policy is configured. */
  private policyJobs(provisioning: Provisioning | undefined): JobSpec[] {
    const { store, client } = this;
    const { stopPolicies, policyReconcile, timezone } = this.loaded.config;
    if (Object.keys(stopPolicies).length === 0) return [];
    const provisioners = provisioning?.provisioners;
    const owned = () => (provisioners ? ownedByStopPolicy(store, provisioners) : undefined);
    const actions = this.core.metrics.countingPolicyActions(store.policyActions);
    const deps = { client, store, actions, clock: this.clock, log: this.log, owned };
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

  private prune(): void {
    const removed = this.store.prune(this.loaded.config.storage.retentionDays, this.clock.now());
    if (Object.values(removed).some((count) => count > 0)) this.log.info({ removed }, 'pruned old history');
  }
}
