import type { Config } from '../config/schema.js';
import type { CompshareClient } from '../compshare/client.js';
import type { HistoryStore } from '../store/history-store.js';
import type { Clock } from '../util/clock.js';
import { WorkerLoop } from '../util/worker-loop.js';
import type { Logger } from '../log.js';
import { FOLLOW_UP_TIMING, FollowUp, type FollowUpTiming } from './follow-up.js';
import { grab, type GrabDeps } from './grab.js';
import { PRICE_TTL_MS, PriceBook } from './prices.js';
import { provisionersOf, type Provisioner } from './provisioners.js';
import { routeAvailabilityToLedger } from './trigger.js';

/** How often the create loop looks for pending intents without being woken (a wake-up after each flip is the norm). */
const CREATE_INTERVAL_MS = 5_000;
/** How often the follow-up runs while something waits (an unknown outcome, a stop to set). */
const FOLLOW_UP_BUSY_MS = 2_000;

export interface ProvisioningOptions {
  instancePassword?: string | undefined;
  timing?: Partial<FollowUpTiming>;
}

/**
 * Auto-provisioning in the daemon: the trigger that turns flips into ledger intents, the create loop that carries
 * them out (woken by each commit, so the path from the confirming poll to Create has no wait and no avoidable
 * call), the follow-up loop (lost answers, stops, listings) and the price refresh. Exists when provisioners are
 * configured.
 */
export class Provisioning {
  readonly provisioners: ReadonlyMap<string, Provisioner>;
  private readonly prices: PriceBook;
  private readonly createLoop: WorkerLoop;
  private readonly followLoop: WorkerLoop;
  private readonly followUp: FollowUp;
  private unsubscribe: (() => void) | undefined;
  private priceTimer: NodeJS.Timeout | undefined;
  private followTimer: NodeJS.Timeout | undefined;

  constructor(
    config: Config,
    private readonly store: HistoryStore,
    client: CompshareClient,
    private readonly clock: Clock,
    private readonly log: Logger,
    options: ProvisioningOptions = {},
  ) {
    this.provisioners = provisionersOf(config, options.instancePassword);
    this.prices = new PriceBook(client, clock);
    const watches = new Map(config.watches.map((watch) => [watch.name, { zone: watch.zone, gpuType: watch.gpuType }]));
    const deps: GrabDeps = {
      client,
      store,
      clock,
      log,
      provisioners: this.provisioners,
      prices: this.prices,
      watchOf: (name) => watches.get(name) ?? { zone: '', gpuType: '' },
      onFollowUp: () => this.followLoop.wake(),
    };
    this.followUp = new FollowUp({ ...deps, timing: { ...FOLLOW_UP_TIMING, ...options.timing } });
    const onError = (loop: string) => (error: unknown) =>
      log.error({ loop, err: error instanceof Error ? error.message : String(error) }, 'provisioning pass failed; it runs again');
    this.createLoop = new WorkerLoop(() => this.createPass(deps), { intervalMs: CREATE_INTERVAL_MS, onError: onError('create') });
    this.followLoop = new WorkerLoop(() => this.followPass(), { intervalMs: FOLLOW_UP_TIMING.listingIntervalMs, onError: onError('follow-up') });
  }

  start(): void {
    const interrupted = this.store.provisions.recoverInterrupted();
    if (interrupted > 0) this.log.warn({ intents: interrupted }, 'creates interrupted by the last shutdown: looking for their instances by name');
    this.unsubscribe = routeAvailabilityToLedger(this.store, this.provisioners, this.clock, () => this.createLoop.wake());
    for (const provisioner of this.provisioners.values()) {
      if (provisioner.watches.length === 0) this.log.warn({ provisioner: provisioner.name }, 'no watch names this provisioner with provision:, so nothing triggers it');
      if (provisioner.settings.dryRun) this.log.info({ provisioner: provisioner.name }, 'dry run: this provisioner creates nothing (dryRun: true)');
    }
    void this.refreshPrices();
    this.priceTimer = setInterval(() => void this.refreshPrices(), PRICE_TTL_MS / 2);
    this.createLoop.start();
    this.followLoop.start();
  }

  /** Stops taking new intents, then lets a create under way record its answer before returning. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    clearInterval(this.priceTimer);
    clearTimeout(this.followTimer);
    await Promise.all([this.createLoop.stop(), this.followLoop.stop()]);
  }

  /** Pending intents, one provisioner's in order (each counts the ones before it), provisioners side by side. */
  private async createPass(deps: GrabDeps): Promise<void> {
    const byProvisioner = new Map<string, ReturnType<HistoryStore['provisions']['withStatus']>>();
    for (const intent of this.store.provisions.withStatus('pending')) {
      byProvisioner.set(intent.provisioner, [...(byProvisioner.get(intent.provisioner) ?? []), intent]);
    }
    await Promise.all([...byProvisioner.values()].map(async (intents) => {
      for (const intent of intents) await grab(intent, deps);
    }));
  }

  private async followPass(): Promise<void> {
    const busy = await this.followUp.pass();
    clearTimeout(this.followTimer);
    if (busy) this.followTimer = setTimeout(() => this.followLoop.wake(), FOLLOW_UP_BUSY_MS);
  }

  private async refreshPrices(): Promise<void> {
    const requests = [...this.provisioners.values()].flatMap((provisioner) => provisioner.allRequests());
    for (const error of await this.prices.refresh(requests)) {
      this.log.warn(`could not fetch a price ahead of time: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
