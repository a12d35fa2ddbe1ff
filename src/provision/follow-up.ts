import { listAllInstances, type Instance } from '../compshare/actions/describe-instances.js';
import { CompshareError } from '../compshare/errors.js';
import { applyPlan } from '../policy/apply.js';
import { planInstances } from '../policy/plan.js';
import type { Intent } from '../store/provisions.js';
import type { GrabDeps } from './grab.js';
import type { CandidateRequest } from './provisioners.js';
import { createdEvent, failedEvent, type EventContext } from './provision-events.js';

/** Timings of the follow-up; tests shorten them. */
export interface FollowUpTiming {
  /** How long after an ambiguous Create the instance is looked for before it is declared not created. */
  resolveWindowMs: number;
  /** How long a new instance may take to run before it is reported as left without its stop. */
  runningWaitMs: number;
  /** How often owned instances are listed, so the instance count sees one stopped or released. */
  listingIntervalMs: number;
}

export const FOLLOW_UP_TIMING: FollowUpTiming = {
  // A new instance can take a while to appear in the listing; ten minutes is far beyond what is seen.
  resolveWindowMs: 10 * 60_000,
  runningWaitMs: 15 * 60_000,
  listingIntervalMs: 60_000,
};

/** How long after a create declared not to have happened its name is still looked for, at each listing. */
const LATE_INSTANCE_WINDOW_MS = 24 * 3_600_000;

/** States in which the API takes a stop schedule and the policy can compute one. */
const STOPPABLE_STATES = new Set(['Running', 'Starting']);

export interface FollowUpDeps extends GrabDeps {
  timing: FollowUpTiming;
}

/**
 * What happens after Create, in one pass: intents whose answer was lost are looked for by name (created, or after
 * the window not created); new instances that now run get their stop policy; owned instances are listed again now
 * and then. Each step is recorded as it ends, so a crash repeats at most the step under way.
 */
export class FollowUp {
  private lastListing = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: FollowUpDeps) {}

  /** True while something is left to follow (an unknown outcome or a stop to set): the loop then comes back soon. */
  async pass(): Promise<boolean> {
    const ledger = this.deps.store.provisions;
    await this.resolveAll(ledger.withStatus('unknown'));
    await this.setStops(ledger.waitingForStop());
    if (this.deps.clock.now() - this.lastListing >= this.deps.timing.listingIntervalMs) await this.refreshListing();
    return ledger.withStatus('unknown').length > 0 || ledger.waitingForStop().length > 0;
  }

  /** Looks for each intent's instance by name, listing every zone they were sent to once, not once per intent. */
  private async resolveAll(intents: readonly Intent[]): Promise<void> {
    const byZone = new Map<string, Intent[]>();
    for (const intent of intents) {
      const { zone } = intent.request as CandidateRequest;
      byZone.set(zone, [...(byZone.get(zone) ?? []), intent]);
    }
    for (const [zone, waiting] of byZone) {
      const byName = new Map<string, Instance>();
      try {
        // The first listed wins, should someone have made another instance under the same name by hand.
        for (const instance of await listAllInstances(this.deps.client, { zone })) if (!byName.has(instance.name)) byName.set(instance.name, instance);
      } catch (error) {
        if (!(error instanceof CompshareError)) throw error;
        this.deps.log.warn({ zone, names: waiting.map((intent) => intent.name) }, `could not list instances to resolve a create: ${error.message}`);
        continue;
      }
      for (const intent of waiting) this.resolve(intent, byName.get(intent.name));
    }
  }

  private resolve(intent: Intent, found: Instance | undefined): void {
    const { store, clock, log } = this.deps;
    const at = clock.now();
    const provisioner = this.deps.provisioners.get(intent.provisioner);
    if (found) {
      const stopStatus = provisioner?.stopPolicy ? 'waiting' : 'none';
      store.transaction(() => {
        store.provisions.mark(intent.id, { status: 'created', instanceId: found.id, instanceState: found.state, resolvedAt: at, stopStatus });
        if (stopStatus === 'none') store.addEvent(createdEvent(store.provisions.get(intent.id)!, this.context(intent, at), { stopPolicy: null, stopTime: null }));
      });
      const late = intent.status === 'not-created' ? ' (it appeared after it had been declared not created)' : '';
      log[late ? 'warn' : 'info']({ provisioner: intent.provisioner, name: intent.name, instance: found.id }, `create resolved: the instance exists${late}`);
      return;
    }
    if (intent.status === 'not-created' || at - (intent.attemptedAt ?? intent.createdAt) < this.deps.timing.resolveWindowMs) return;
    const reason = `the answer to Create was lost (${intent.reason ?? 'no answer'}) and no instance named ${intent.name} appeared within ${Math.round(this.deps.timing.resolveWindowMs / 60_000)} min`;
    store.transaction(() => {
      store.provisions.mark(intent.id, { status: 'not-created', failure: 'not-created', reason, resolvedAt: at });
      store.addEvent(failedEvent(store.provisions.get(intent.id)!, this.context(intent, at), { failure: 'not-created', reason, retCode: null }));
    });
    log.warn({ provisioner: intent.provisioner, name: intent.name }, `create resolved: ${reason}`);
  }

  /** New instances waiting for their stop, listed in one call (not one per instance: boots take a while). */
  private async setStops(waiting: readonly Intent[]): Promise<void> {
    if (waiting.length === 0) return;
    let listed: Map<string, Instance>;
    try {
      const instances = await listAllInstances(this.deps.client, { ids: waiting.map((intent) => intent.instanceId!) });
      listed = new Map(instances.map((instance) => [instance.id, instance]));
    } catch (error) {
      if (!(error instanceof CompshareError)) throw error;
      for (const intent of waiting) this.waitedTooLong(intent, error.message);
      return;
    }
    for (const intent of waiting) await this.setStop(intent, listed.get(intent.instanceId!));
  }

  private async setStop(intent: Intent, instance: Instance | undefined): Promise<void> {
    const { store, clock, client } = this.deps;
    const provisioner = this.deps.provisioners.get(intent.provisioner);
    const policy = provisioner?.stopPolicy;
    if (policy === undefined) return this.stopFailed(intent, 'its provisioner no longer has a stop policy');
    if (instance === undefined || !STOPPABLE_STATES.has(instance.state)) {
      if (instance?.state === 'Install Fail') return this.stopFailed(intent, 'the instance failed to install (Install Fail)');
      return this.waitedTooLong(intent, instance ? `it is ${instance.state}` : 'it is not listed yet');
    }
    const now = Math.floor(clock.now() / 1000);
    const plan = planInstances({ [policy.name]: policy.policy }, [instance], { now, owned: new Map([[instance.id, policy.name]]) });
    const [row] = plan.rows;
    const [problem] = plan.problems;
    if (problem) return this.stopFailed(intent, `policy ${problem.policy}: ${problem.error}`);
    if (row === undefined || row.action === 'skip') return this.stopFailed(intent, row?.reason ?? 'the policy does not apply');
    let stopTime = row.desiredStop;
    if (row.action === 'set') {
      const [result] = await applyPlan(plan, { client, store, actions: store.policyActions, clock, failureEvents: false });
      if (result === undefined || result.result !== 'ok') return this.stopFailed(intent, result?.error ?? 'the stop was not set');
      stopTime = result.stopTime;
    }
    const at = clock.now();
    store.transaction(() => {
      store.provisions.mark(intent.id, { stopStatus: 'set', stopTime, instanceState: instance.state });
      store.addEvent(createdEvent(store.provisions.get(intent.id)!, this.context(intent, at), { stopPolicy: policy.name, stopTime }));
    });
    this.deps.log.info({ provisioner: intent.provisioner, name: intent.name, instance: instance.id, stopTime, policy: policy.name }, 'scheduled stop set on the new instance');
  }

  /** Not running yet: fine until the wait is over, then the user must hear that it has no stop. */
  private waitedTooLong(intent: Intent, why: string): void {
    const waited = this.deps.clock.now() - (intent.resolvedAt ?? intent.createdAt);
    if (waited < this.deps.timing.runningWaitMs) return;
    this.stopFailed(intent, `it did not run within ${Math.round(this.deps.timing.runningWaitMs / 60_000)} min (${why})`);
  }

  private stopFailed(intent: Intent, why: string): void {
    const { store, clock, log } = this.deps;
    const at = clock.now();
    const reason = `the new instance has no scheduled stop: ${why}; it bills until you stop it`;
    store.transaction(() => {
      store.provisions.mark(intent.id, { stopStatus: 'failed', reason });
      store.addEvent(failedEvent(store.provisions.get(intent.id)!, this.context(intent, at), { failure: 'stop-not-set', reason, retCode: null }));
    });
    log.error({ provisioner: intent.provisioner, name: intent.name, instance: intent.instanceId }, reason);
  }

  /**
   * Lists the owned instances by id; those missing from the answer are gone (released). Also looks once more, by
   * name, for creates declared not to have happened in the last day: one that shows up after the window is taken
   * in (and gets its stop) rather than billing unseen.
   */
  private async refreshListing(): Promise<void> {
    const { store, clock, client, log } = this.deps;
    this.lastListing = clock.now();
    await this.resolveAll(store.provisions.notCreatedSince(clock.now() - LATE_INSTANCE_WINDOW_MS));
    const owned = store.provisions.ownedInstances();
    if (owned.length === 0) return;
    let listed: Instance[];
    try {
      listed = await listAllInstances(client, { ids: owned.map((intent) => intent.instanceId!) });
    } catch (error) {
      if (!(error instanceof CompshareError)) throw error;
      log.warn(`could not list the instances provisioners own: ${error.message}`);
      return;
    }
    const states = new Map(listed.map((instance) => [instance.id, instance.state]));
    const at = clock.now();
    store.transaction(() => {
      for (const intent of owned) store.provisions.recordListing(intent.instanceId!, states.get(intent.instanceId!) ?? 'gone', at);
    });
  }

  private context(intent: Intent, at: number): EventContext {
    return { request: (intent.request ?? undefined) as CandidateRequest | undefined, watch: this.deps.watchOf(intent.watch), at };
  }
}

