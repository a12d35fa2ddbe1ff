import { z } from 'zod';
import { EVENT_PAYLOADS } from '../events.js';
import { cut } from '../util/printable.js';
import { formatLocalTime } from '../util/time-format.js';
import type { RenderedMessage } from './channel.js';
import { phrasesFor, type Locale } from './locales/index.js';
import type { CapacityKind, HistoryFacts, Phrases, ProvisionFact, ProvisionFailure, ProvisionRef } from './locales/phrases.js';
import { toHtml, toMarkdown, toText, type Block, type Inline, type Section } from './message-doc.js';

/** Where a user creates an instance; every "available" message ends with it. */
export const CONSOLE_URL = 'https://console.compshare.cn/';
/** The type of the sample event `notify test` sends: no receiver should act on it. */
export const TEST_EVENT_TYPE = 'notify.test';
/** How much of an unknown event's payload a message quotes. */
const GENERIC_DETAIL_CHARS = 300;

export interface RenderableEvent {
  id: string;
  type: string;
  payload: Record<string, unknown>;
  createdAt: number;
}

export interface RenderOptions {
  locale: Locale;
  /** IANA zone the times are shown in. */
  timezone: string;
  /** Word the message as a "still available" reminder (`repeatEvery`). */
  reminder?: boolean;
}

const capacityPayload = EVENT_PAYLOADS['capacity.available'].extend({
  /** Reminders only (they arrive re-typed as available): since when the row has been available. */
  availableSince: z.number().optional(),
});
const blindPayload = EVENT_PAYLOADS['watch.blind'];
const recoveredPayload = EVENT_PAYLOADS['watch.recovered'];
// Only what the message shows, so an alert stored by an older version with fewer fields still renders.
const policyFailedPayload = EVENT_PAYLOADS['policy.failed'].pick({ instance: true, name: true, policy: true, error: true });

const storageFailingPayload = EVENT_PAYLOADS['storage.failing'];
const storageRecoveredPayload = EVENT_PAYLOADS['storage.recovered'];
const provisionCreatedPayload = EVENT_PAYLOADS['provision.created'];
const provisionFailedPayload = EVENT_PAYLOADS['provision.failed'];

/** Failures that need a user at once: an instance billing without a stop, a provisioner that creates nothing until resumed. */
const URGENT_FAILURES: ReadonlySet<ProvisionFailure> = new Set(['stop-not-set', 'paused']);
/** Failures after which an instance exists or may exist: their hint ends with the console link. */
const CONSOLE_FAILURES: ReadonlySet<ProvisionFailure> = new Set(['stop-not-set', 'not-created']);

type CapacityPayload = z.output<typeof capacityPayload>;

interface Context {
  phrases: Phrases;
  timezone: string;
  reminder: boolean;
}

/**
 * Where a section goes in a message (lowest first, and the first names it). An instance created for the user leads
 * even the flip that caused it, so nobody reads "available" on a lock screen and creates a second one by hand.
 */
const RANK = {
  created: 0,
  available: 1,
  /** Something bills or stopped working until a user acts. */
  urgent: 2,
  failed: 3,
  soldout: 4,
  recovered: 5,
  test: 6,
  generic: 7,
} as const;

/** A section and its title; `rank` orders sections so the one to act on comes first and names the message. */
interface Part {
  rank: number;
  title: string;
  blocks: Section;
}

/**
 * One message for a batch of events (oldest first): capacity flips of one watch and type become one section that
 * lists every row, other events a section each. An event whose payload is not what its type promises is shown
 * generically rather than failing the delivery.
 */
export function renderMessage(events: ReadonlyArray<RenderableEvent>, options: RenderOptions): RenderedMessage {
  const context: Context = { phrases: phrasesFor(options.locale), timezone: options.timezone, reminder: options.reminder ?? false };
  const parts = groupEvents(events)
    .map((group) => renderGroup(group, context))
    .sort((a, b) => a.rank - b.rank);
  const [lead] = parts;
  if (lead === undefined) throw new TypeError('renderMessage: a message needs at least one event');
  const more = events.length > 1 ? context.phrases.more(events.length) : '';
  const title = cut(lead.title + more, context.phrases.titleMax);
  const sections = parts.map((part) => part.blocks);
  return {
    title,
    text: toText(sections),
    markdown: toMarkdown(title, sections),
    html: toHtml(sections),
    events: events.map(({ id, type, payload }) => ({ id, type, payload })),
  };
}

type CapacityType = 'capacity.available' | 'capacity.soldout';

function isCapacityType(type: string): type is CapacityType {
  return type === 'capacity.available' || type === 'capacity.soldout';
}

type Group =
  | { kind: 'capacity'; type: CapacityType; payloads: [CapacityPayload, ...CapacityPayload[]] }
  | { kind: 'single'; event: RenderableEvent };

/** Capacity events of one type and watch join the group the first of them opened; the rest stand alone. */
function groupEvents(events: ReadonlyArray<RenderableEvent>): Group[] {
  const groups: Group[] = [];
  const capacityGroups = new Map<string, CapacityPayload[]>();
  for (const event of events) {
    const { type } = event;
    const parsed = isCapacityType(type) ? capacityPayload.safeParse(event.payload) : undefined;
    if (!isCapacityType(type) || !parsed?.success) {
      groups.push({ kind: 'single', event });
      continue;
    }
    const key = `${type}\u0000${parsed.data.watch}`;
    const existing = capacityGroups.get(key);
    if (existing) {
      existing.push(parsed.data);
    } else {
      const payloads: [CapacityPayload, ...CapacityPayload[]] = [parsed.data];
      capacityGroups.set(key, payloads);
      groups.push({ kind: 'capacity', type, payloads });
    }
  }
  return groups;
}

/** Renders one event's payload, or says (undefined) that the payload is not what its type promises. */
type SingleRenderer = (payload: Record<string, unknown>, context: Context) => Part | undefined;

function parsedWith<S extends z.ZodType>(schema: S, render: (payload: z.output<S>, context: Context) => Part): SingleRenderer {
  return (payload, context) => {
    const parsed = schema.safeParse(payload);
    return parsed.success ? render(parsed.data, context) : undefined;
  };
}

/** Every event type with a message of its own, other than capacity flips (grouped) and the test message. */
const SINGLE_RENDERERS = new Map<string, SingleRenderer>([
  ['watch.blind', parsedWith(blindPayload, renderBlind)],
  ['watch.recovered', parsedWith(recoveredPayload, renderRecovered)],
  ['policy.failed', parsedWith(policyFailedPayload, renderPolicyFailed)],
  ['storage.failing', parsedWith(storageFailingPayload, renderStorageFailing)],
  ['storage.recovered', parsedWith(storageRecoveredPayload, renderStorageRecovered)],
  ['provision.created', parsedWith(provisionCreatedPayload, renderProvisionCreated)],
  ['provision.failed', parsedWith(provisionFailedPayload, renderProvisionFailed)],
]);

function renderGroup(group: Group, context: Context): Part {
  if (group.kind === 'capacity') return renderCapacity(group.type, group.payloads, context);
  const { event } = group;
  if (event.type === TEST_EVENT_TYPE) return renderTest(event, context);
  return SINGLE_RENDERERS.get(event.type)?.(event.payload, context) ?? renderGeneric(event, context);
}

/**
 * One section for a watch's flips of one kind. An available row says how long the key's windows lasted lately: on
 * a line of its own when the message has one row, else after the row (reminders and older events have no history).
 */
function renderCapacity(type: CapacityType, payloads: [CapacityPayload, ...CapacityPayload[]], context: Context): Part {
  const { phrases, timezone } = context;
  const state = type === 'capacity.available' ? 'available' : 'soldout';
  const kind: CapacityKind = state === 'available' && context.reminder ? 'reminder' : state;
  const [first] = payloads;
  const history = (payload: CapacityPayload) => (kind === 'available' && payload.history ? historyLine(payload.history, phrases) : null);
  const shared = payloads.length === 1 ? history(first) : null;
  const rows: Inline[][] = payloads.map((payload) => {
    const row: Inline[] = [
      { strong: phrases.spec(payload) },
      phrases.rowSeparator,
      kind === 'reminder'
        ? phrases.availableSince(formatLocalTime(payload.availableSince ?? payload.at, timezone))
        : phrases.previousState(state, payload.previousSince === null ? null : phrases.duration(payload.at - payload.previousSince)),
    ];
    const own = shared === null ? history(payload) : null;
    if (own !== null) row.push(phrases.historySeparator, own);
    return row;
  });
  const blocks: Block[] = [{ line: [phrases.capacityHeading(kind, first)] }, { list: rows }];
  if (shared !== null) blocks.push({ line: [shared] });
  if (kind !== 'reminder') blocks.push({ line: [phrases.at(timeSpan(payloads.map((p) => p.at), timezone), timezone)] });
  if (state === 'available') blocks.push({ line: [phrases.nextStep, { link: CONSOLE_URL }] });
  return {
    rank: state === 'available' ? RANK.available : RANK.soldout,
    title: phrases.capacityTitle(kind, first, phrases.specShort(first)),
    blocks,
  };
}

function historyLine(history: NonNullable<CapacityPayload['history']>, phrases: Phrases): string {
  const facts: HistoryFacts = {
    days: history.days,
    windows: history.windows,
    median: history.medianWindowMs === null ? null : phrases.duration(history.medianWindowMs),
    p90: history.p90WindowMs === null ? null : phrases.duration(history.p90WindowMs),
    freeAtThisHourDays: history.freeAtThisHourDays,
    observedAtThisHourDays: history.observedAtThisHourDays,
  };
  return phrases.recentHistory(facts);
}

function renderBlind(payload: z.output<typeof blindPayload>, { phrases, timezone }: Context): Part {
  const lasted = phrases.duration(payload.at - payload.failingSince);
  return {
    rank: RANK.failed,
    title: phrases.blindTitle(payload.watch),
    blocks: [
      { line: [phrases.blind(payload, lasted, formatLocalTime(payload.failingSince, timezone))] },
      { line: [phrases.error(payload.error)] },
      { line: [phrases.blindHint] },
    ],
  };
}

function renderRecovered(payload: z.output<typeof recoveredPayload>, { phrases, timezone }: Context): Part {
  const lasted = phrases.duration(payload.at - payload.failingSince);
  return {
    rank: RANK.recovered,
    title: phrases.recoveredTitle(payload.watch),
    blocks: [{ line: [phrases.recovered(payload, lasted, formatLocalTime(payload.failingSince, timezone))] }],
  };
}

/** Names the instance by both name and id in title and text: names repeat across a fleet, ids are what the console searches. */
function renderPolicyFailed(payload: z.output<typeof policyFailedPayload>, { phrases }: Context): Part {
  const instance = instanceLabel(payload.name, payload.instance);
  const error: Block[] = payload.error === null ? [] : [{ line: [phrases.error(payload.error)] }];
  return {
    rank: RANK.urgent,
    title: phrases.policyFailedTitle(instance),
    blocks: [
      { line: [phrases.policyFailed(instance, payload.policy)] },
      ...error,
      { line: [phrases.policyHint, { link: CONSOLE_URL }] },
    ],
  };
}

function renderStorageFailing(payload: z.output<typeof storageFailingPayload>, { phrases, timezone }: Context): Part {
  return {
    rank: RANK.urgent,
    title: phrases.storageFailingTitle,
    blocks: [
      { line: [phrases.storageFailing(payload.database, formatLocalTime(payload.failingSince, timezone))] },
      { line: [phrases.error(payload.error)] },
      { line: [phrases.storageFailingHint] },
    ],
  };
}

function renderStorageRecovered(payload: z.output<typeof storageRecoveredPayload>, { phrases }: Context): Part {
  const lasted = phrases.duration(payload.at - payload.failingSince);
  return {
    rank: RANK.recovered,
    title: phrases.storageRecoveredTitle,
    blocks: [{ line: [phrases.storageRecovered(payload.database, lasted, payload.lostPolls)] }],
  };
}

type ProvisionCreatedPayload = z.output<typeof provisionCreatedPayload>;
type ProvisionFailedPayload = z.output<typeof provisionFailedPayload>;
type ProvisionPayload = ProvisionCreatedPayload | ProvisionFailedPayload;

/** What was (or in a dry run would be) created: the instance, what it costs and when it stops. */
function renderProvisionCreated(payload: ProvisionCreatedPayload, { phrases, timezone }: Context): Part {
  const attempt = provisionRef(payload, phrases);
  const stopTime = payload.stopTime === null ? null : formatLocalTime(payload.stopTime * 1000, timezone);
  const facts: Inline[][] = [
    ...instanceFacts(payload, attempt, phrases),
    [phrases.scheduledStop(stopTime, timezone)],
    ...optionalFact(phrases, 'stopPolicy', payload.stopPolicy),
    ...optionalFact(phrases, 'requestId', payload.requestUuid),
  ];
  return {
    rank: RANK.created,
    title: dryRunTitle(payload.dryRun, phrases.createdTitle(payload.dryRun, attempt), phrases),
    blocks: [
      { line: [phrases.created(payload.dryRun, attempt)] },
      { list: facts },
      ...dryRunNote(payload.dryRun, phrases),
      { line: [phrases.consoleLink, { link: CONSOLE_URL }] },
    ],
  };
}

/** Why an attempt failed (its `reason` is already words) and what to do about it. */
function renderProvisionFailed(payload: ProvisionFailedPayload, { phrases }: Context): Part {
  const attempt = provisionRef(payload, phrases);
  const failure = phrases.failures[payload.failure];
  const facts: Inline[][] = [
    fact(phrases, 'reason', payload.reason),
    ...instanceFacts(payload, attempt, phrases),
    ...optionalFact(phrases, 'retCode', payload.retCode === null ? null : String(payload.retCode)),
    ...optionalFact(phrases, 'requestId', payload.requestUuid),
  ];
  const hint: Inline[] = [failure.hint(attempt)];
  if (CONSOLE_FAILURES.has(payload.failure)) hint.push({ link: CONSOLE_URL });
  return {
    rank: URGENT_FAILURES.has(payload.failure) ? RANK.urgent : RANK.failed,
    title: dryRunTitle(payload.dryRun, failure.title(attempt, payload.reason), phrases),
    blocks: [{ line: [failure.what(attempt)] }, { list: facts }, { line: hint }, ...dryRunNote(payload.dryRun, phrases)],
  };
}

function provisionRef(payload: ProvisionPayload, phrases: Phrases): ProvisionRef {
  const { watch, zone, gpuType, provisioner, name } = payload;
  return { watch, zone, gpuType, provisioner, name, instance: instanceLabel(name, payload.instance), spec: phrases.specShort(payload) };
}

/** The rows both provision messages list: which instance, where, what, how it is billed and at what price. */
function instanceFacts(payload: ProvisionPayload, attempt: ProvisionRef, phrases: Phrases): Inline[][] {
  const price = payload.hourlyPrice === null ? null : payload.hourlyPrice.toFixed(2);
  return [
    fact(phrases, 'instance', attempt.instance),
    fact(phrases, 'zone', payload.zone),
    fact(phrases, 'spec', `${payload.gpuType} ${phrases.spec(payload)}`),
    fact(phrases, 'chargeType', payload.chargeType),
    [phrases.hourlyPrice(price)],
  ];
}

function fact(phrases: Phrases, label: ProvisionFact, value: string): Inline[] {
  return [phrases.factLabel[label], phrases.rowSeparator, value];
}

function optionalFact(phrases: Phrases, label: ProvisionFact, value: string | null): Inline[][] {
  return value === null ? [] : [fact(phrases, label, value)];
}

/** A dry run says so first in the title, so nobody reads it as an instance that bills. */
function dryRunTitle(dryRun: boolean, title: string, phrases: Phrases): string {
  return dryRun ? phrases.dryRunTag + title : title;
}

function dryRunNote(dryRun: boolean, phrases: Phrases): Block[] {
  return dryRun ? [{ line: [phrases.dryRunNote] }] : [];
}

/** `name (id)`, or whichever of the two is known. */
function instanceLabel(name: string, id: string | null): string {
  if (id === null) return name;
  return name === '' ? id : `${name} (${id})`;
}

function renderTest(event: RenderableEvent, { phrases, timezone }: Context): Part {
  return {
    rank: RANK.test,
    title: phrases.testTitle,
    blocks: [{ line: [phrases.test] }, { line: [phrases.at(formatLocalTime(event.createdAt, timezone), timezone)] }],
  };
}

function renderGeneric(event: RenderableEvent, { phrases, timezone }: Context): Part {
  const details = Object.entries(event.payload)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
  return {
    rank: RANK.generic,
    title: phrases.genericTitle(event.type),
    blocks: [{ line: [phrases.generic(event.type, formatLocalTime(event.createdAt, timezone)), cut(details, GENERIC_DETAIL_CHARS)] }],
  };
}

/** One time, or first–last when a batch spans several polls (the date once when both fall on the same day). */
function timeSpan(times: readonly number[], timezone: string): string {
  const first = formatLocalTime(Math.min(...times), timezone);
  const last = formatLocalTime(Math.max(...times), timezone);
  if (first === last) return first;
  const sameDay = first.slice(0, 10) === last.slice(0, 10);
  return `${first} – ${sameDay ? last.slice(11) : last}`;
}
