import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventHook } from '../store/history-store.js';
import type { PolicyActionRepository } from '../store/policy-actions.js';
import type { DeliveryListener } from '../notify/dispatcher.js';
import type { DaemonState } from './state-view.js';

/** Poll latency buckets (seconds): the API answers in tens of milliseconds, a slow one near its 10 s timeout. */
const POLL_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * How often the event-loop delay histogram (nodejs_eventloop_lag_p50_seconds and friends) samples the loop, in ms.
 * prom-client's default, 10 ms, wakes the daemon 100 times a second: about 5 ms of CPU a second on an idle
 * daemon, a fifth of a poll's CPU at 40 polls/s. Ten samples a second still give the percentiles of a long-lived
 * process, and nodejs_eventloop_lag_seconds is measured at each scrape as before.
 */
export const EVENT_LOOP_SAMPLE_MS = 100;

const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * The daemon's Prometheus metrics in a registry of its own (no global state, so two daemons in one test process
 * do not mix). Counters grow from hooks (polls, events, deliveries, policy actions); the gauges are set from the
 * daemon's state at each scrape, so they never drift from the database. Build it once per process: the counters
 * must survive a reload.
 */
export class DaemonMetrics {
  readonly registry = new Registry();
  readonly #polls = new Counter({ name: 'compshare_watch_polls_total', help: 'Capacity polls by watch and result (ok, error).', labelNames: ['watch', 'result'], registers: [this.registry] });
  readonly #pollDuration = new Histogram({ name: 'compshare_watch_poll_duration_seconds', help: 'Time a capacity poll took, by watch.', labelNames: ['watch'], buckets: POLL_BUCKETS, registers: [this.registry] });
  readonly #flips = new Counter({ name: 'compshare_watch_flips_total', help: 'Spec key state changes by watch and new state (baselines excluded).', labelNames: ['watch', 'to'], registers: [this.registry] });
  readonly #notifications = new Counter({ name: 'compshare_watch_notifications_total', help: 'Notification messages by channel and result (sent, retry, failed).', labelNames: ['channel', 'result'], registers: [this.registry] });
  readonly #provisions = new Counter({ name: 'compshare_watch_provisions_total', help: 'Provisioning outcomes by provisioner and result (created, dry-run, or the failure kind).', labelNames: ['provisioner', 'result'], registers: [this.registry] });
  readonly #policyActions = new Counter({ name: 'compshare_watch_policy_actions_total', help: 'Scheduled-stop changes by result (ok, failed, unconfirmed).', labelNames: ['result'], registers: [this.registry] });
  readonly #outboxPending = new Gauge({ name: 'compshare_watch_outbox_pending', help: 'Notifications waiting in the outbox.', registers: [this.registry] });
  readonly #specAvailable = new Gauge({ name: 'compshare_watch_spec_available', help: '1 while a spec key reads available, 0 while sold out.', labelNames: ['watch', 'gpu', 'cpu', 'mem'], registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    // Gauges named like counters: `promtool check metrics` refuses them, and nodejs_active_handles (by type) and
    // friends say the same per type.
    for (const name of MISNAMED_DEFAULTS) this.registry.removeSingleMetric(name);
  }

  /** For PollerDeps.onPolled. */
  readonly observePoll = (watch: string, ok: boolean, latencyMs: number): void => {
    this.#polls.inc({ watch, result: ok ? 'ok' : 'error' });
    this.#pollDuration.observe({ watch }, latencyMs / 1000);
  };

  /** For the dispatcher's onDelivery. */
  readonly observeDelivery: DeliveryListener = (channel, result): void => {
    this.#notifications.inc({ channel, result });
  };

  /** For store.onEvent: flips, provisioning outcomes and policy failures all arrive as events. */
  readonly observeEvent: EventHook = (event) => {
    const payload = event.payload;
    if ((event.type === 'capacity.available' || event.type === 'capacity.soldout') && payload.previousSince !== null) {
      this.#flips.inc({ watch: event.watch ?? '', to: event.type === 'capacity.available' ? 'available' : 'soldout' });
    } else if (event.type === 'provision.created') {
      this.#provisions.inc({ provisioner: String(payload.provisioner), result: payload.dryRun ? 'dry-run' : 'created' });
    } else if (event.type === 'provision.failed') {
      this.#provisions.inc({ provisioner: String(payload.provisioner), result: String(payload.failure) });
    }
  };

  /** The reconciler's action log with every recorded action counted by result; pass it as its `actions`. */
  countingPolicyActions(actions: PolicyActionRepository): PolicyActionRepository {
    const record: PolicyActionRepository['record'] = (action, alongside) => {
      actions.record(action, alongside);
      this.#policyActions.inc({ result: action.result });
    };
    return Object.assign(Object.create(actions) as PolicyActionRepository, { record });
  }

  /** The scrape: gauges from `state` (built at this moment), then the exposition text. */
  async scrape(state: DaemonState): Promise<string> {
    this.#outboxPending.set(state.outbox.pending);
    // Reset first: a key or watch that left the config must not linger at its last value.
    this.#specAvailable.reset();
    for (const watch of state.watches) {
      for (const key of watch.keys) {
        const labels = { watch: watch.name, gpu: String(key.gpu), cpu: String(key.cpu), mem: String(key.mem) };
        this.#specAvailable.set(labels, key.state === 'available' ? 1 : 0);
      }
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
