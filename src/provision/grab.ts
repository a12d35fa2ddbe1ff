import type { CompshareClient } from '../compshare/client.js';
import { createInstance } from '../compshare/actions/create-instance.js';
import { CompshareError } from '../compshare/errors.js';
import type { HistoryStore } from '../store/history-store.js';
import type { Intent, Pause, Usage } from '../store/provisions.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../log.js';
import { desiredStopTime } from '../policy/compute.js';
import { classifyCreateError } from './create-outcome.js';
import { accountBlock, BUDGET_WINDOW_MS, priceBlock, type Block } from './guardrails.js';
import type { PriceBook, Quote } from './prices.js';
import type { Candidate, CandidateRequest, Provisioner } from './provisioners.js';
import { createdEvent, failedEvent, type EventContext } from './provision-events.js';

export interface GrabDeps {
  client: CompshareClient;
  store: HistoryStore;
  clock: Clock;
  log: Logger;
  provisioners: ReadonlyMap<string, Provisioner>;
  prices: PriceBook;
  /** The configured watch's zone and GPU type, for messages about an intent that chose no request. */
  watchOf(name: string): { zone: string; gpuType: string };
  /** Called when a create's outcome is unknown, or an instance waits for its stop: the follow-up has work. */
  onFollowUp(): void;
}

/**
 * Carries one pending intent to its end: the guardrails, the first candidate (in order) that is available now and
 * within the price limits, then exactly one Create. The intent is marked `creating` and committed before the
 * request leaves, so a crash at any later point leaves a row that says "look for this name", never a second try.
 */
export async function grab(intent: Intent, deps: GrabDeps): Promise<void> {
  const { store, clock, log } = deps;
  const ledger = store.provisions;
  const provisioner = deps.provisioners.get(intent.provisioner);
  const at = clock.now();
  const context: EventContext = { request: undefined, watch: deps.watchOf(intent.watch), at };
  const fields = { provisioner: intent.provisioner, name: intent.name, watch: intent.watch, dryRun: intent.dryRun };
  if (provisioner === undefined) {
    ledger.mark(intent.id, { status: 'blocked', failure: 'blocked', reason: 'the provisioner is no longer configured', resolvedAt: at });
    return;
  }
  const decision = await decide(provisioner, intent.watch, {
    usage: ledger.usage(provisioner.name, at - BUDGET_WINDOW_MS),
    pause: ledger.pauseOf(provisioner.name),
    isAvailable: (candidate) => isAvailable(store, candidate),
    prices: deps.prices,
    now: at,
  });
  if (decision.kind === 'blocked') return block(intent, decision.block, context, deps);
  const { request, quote } = decision;
  const priced = { request, hourlyPrice: quote.hourly, orderPrice: quote.period };
  context.request = request;
  if (intent.dryRun) {
    const stopTime = dryRunStop(provisioner, request, at);
    store.transaction(() => {
      ledger.mark(intent.id, { ...priced, status: 'dry-run', resolvedAt: at, stopTime, stopStatus: 'none' });
      const stopPolicy = provisioner.stopPolicy?.name ?? null;
      store.addEvent(createdEvent(ledger.get(intent.id)!, context, { stopPolicy, stopTime }));
    });
    log.info({ ...fields, request: describe(request), hourlyPrice: quote.hourly }, 'dry run: would create an instance (nothing created)');
    return;
  }
  ledger.mark(intent.id, { ...priced, status: 'creating', attemptedAt: at });
  log.info({ ...fields, request: describe(request), hourlyPrice: quote.hourly }, 'creating an instance');
  let instanceIds: string[];
  let requestUuid: string | undefined;
  try {
    ({ instanceIds, requestUuid } = await createInstance(deps.client, { ...request, name: intent.name, password: provisioner.password }));
  } catch (error) {
    if (!(error instanceof CompshareError)) {
      ledger.mark(intent.id, { status: 'unknown', reason: `the create ended in an unexpected error: ${String(error)}` });
      deps.onFollowUp();
      throw error;
    }
    return failed(intent, provisioner, error, context, deps);
  }
  const created = clock.now();
  const stopStatus = provisioner.stopPolicy ? 'waiting' : 'none';
  store.transaction(() => {
    ledger.mark(intent.id, { status: 'created', instanceId: instanceIds[0]!, requestUuid: requestUuid ?? null, resolvedAt: created, stopStatus });
    // Without a stop policy there is nothing more to wait for: say so now.
    if (stopStatus === 'none') store.addEvent(createdEvent(ledger.get(intent.id)!, { ...context, at: created }, { stopPolicy: null, stopTime: null }));
  });
  log.info({ ...fields, instance: instanceIds[0], requestUuid }, 'instance created');
  if (stopStatus === 'waiting') deps.onFollowUp();
}

function isAvailable(store: HistoryStore, candidate: Candidate): boolean {
  return store.watchState.current(candidate.watch)?.keys.get(candidate.key)?.state.state === 'available';
}

/** What a decision reads: the ledger's figures for the provisioner, what is available now, and prices. */
export interface DecisionInputs {
  usage: Usage;
  pause: Pause | undefined;
  isAvailable(candidate: Candidate): boolean;
  prices: Pick<PriceBook, 'quote'>;
  now: number;
}

/** What a provisioner does for an event of `watch` now; `provision test` shows the same decision without acting. */
export type Decision =
  | { kind: 'create'; candidate: Candidate; request: CandidateRequest; quote: Quote }
  | { kind: 'blocked'; block: Block };

/**
 * The guardrails, then the first candidate (in order) that is available now and whose price passes; when none
 * passes, why each one was refused.
 */
export async function decide(provisioner: Provisioner, watch: string, inputs: DecisionInputs): Promise<Decision> {
  const account = accountBlock(provisioner, inputs.usage, inputs.pause, inputs.now);
  if (account) return { kind: 'blocked', block: account };
  const available = provisioner.candidatesFor(watch).filter((candidate) => inputs.isAvailable(candidate));
  if (available.length === 0) {
    return { kind: 'blocked', block: { guard: 'sold-out', reason: 'no candidate is available now', alert: false } };
  }
  const blocks: Array<Block & { request: CandidateRequest }> = [];
  for (const candidate of available) {
    const { request } = candidate;
    let quote: Quote | undefined;
    let quoteError: string | undefined;
    try {
      quote = await inputs.prices.quote(request);
    } catch (error) {
      quoteError = error instanceof Error ? error.message : String(error);
    }
    const refused = priceBlock(provisioner, request.chargeType, quote, inputs.usage, quoteError);
    if (refused === undefined) return { kind: 'create', candidate, request, quote: quote! };
    blocks.push({ ...refused, request });
  }
  return { kind: 'blocked', block: combined(blocks) };
}

/** One block for all the candidates that were refused, each named by its row. */
function combined(blocks: ReadonlyArray<Block & { request: CandidateRequest }>): Block {
  if (blocks.length === 1) return blocks[0]!;
  const reason = blocks.map((b) => `${b.request.gpu}/${b.request.cpu}/${b.request.memGb}: ${b.reason}`).join('; ');
  return { guard: blocks[0]!.guard, reason, alert: blocks.some((b) => b.alert) };
}

function block(intent: Intent, refused: Block, context: EventContext, deps: GrabDeps): void {
  const { store } = deps;
  store.transaction(() => {
    store.provisions.mark(intent.id, { status: 'blocked', failure: 'blocked', reason: refused.reason, resolvedAt: context.at });
    if (refused.alert) store.addEvent(failedEvent(store.provisions.get(intent.id)!, context, { failure: 'blocked', reason: refused.reason, retCode: null }));
  });
  const fields = { provisioner: intent.provisioner, name: intent.name, watch: intent.watch, guard: refused.guard, dryRun: intent.dryRun };
  deps.log[refused.alert ? 'warn' : 'info'](fields, `not created: ${refused.reason}`);
}

function failed(intent: Intent, provisioner: Provisioner, error: CompshareError, context: EventContext, deps: GrabDeps): void {
  const { store, clock, log } = deps;
  const outcome = classifyCreateError(error);
  const fields = { provisioner: intent.provisioner, name: intent.name, watch: intent.watch, requestUuid: error.requestUuid };
  if (outcome.outcome === 'ambiguous') {
    store.provisions.mark(intent.id, { status: 'unknown', reason: outcome.reason, requestUuid: error.requestUuid ?? null });
    log.warn(fields, `create outcome unknown, looking for the instance by name: ${outcome.reason}`);
    deps.onFollowUp();
    return;
  }
  const at = clock.now();
  const { failure, retCode, reason } = outcome;
  store.transaction(() => {
    const ledger = store.provisions;
    ledger.mark(intent.id, { status: 'failed', failure, retCode, reason, requestUuid: error.requestUuid ?? null, resolvedAt: at });
    if (failure === 'paused') ledger.pause({ provisioner: provisioner.name, since: at, retCode, reason });
    store.addEvent(failedEvent(ledger.get(intent.id)!, { ...context, at }, { failure, reason, retCode }));
  });
  log[failure === 'lost-race' ? 'warn' : 'error']({ ...fields, failure, retCode }, `create failed: ${reason}`);
}

/** The stop the policy would set on an instance started now: what a dry run reports. */
function dryRunStop(provisioner: Provisioner, request: CandidateRequest, at: number): number | null {
  const policy = provisioner.stopPolicy;
  if (policy === undefined) return null;
  const now = Math.floor(at / 1000);
  const facts = { state: 'Running', chargeType: request.chargeType, startTime: now, schedulerStopTime: 0, invalidTimes: [] };
  const decision = desiredStopTime([{ name: policy.name, ...policy.policy }], facts, now);
  return decision.action === 'skip' ? null : decision.desiredStop;
}

/** The request as log lines show it (no password: it is never part of the request kept here). */
export function describe(request: CandidateRequest): string {
  return `${request.zone} ${request.gpuType} ${request.gpu} GPU/${request.cpu} CPU/${request.memGb} GB ${request.chargeType}`;
}
