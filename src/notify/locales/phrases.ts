import type { PROVISION_FAILURES } from '../../events.js';

/** A (GPU, CPU, memory GB) row of a capacity answer. */
export interface Spec {
  gpu: number;
  cpu: number;
  mem: number;
}

/** What a message names about a watch. */
export interface WatchRef {
  watch: string;
  zone: string;
  gpuType: string;
}

/** What a provision message names about the attempt; `spec` as the title shows it, `instance` as name (id). */
export interface ProvisionRef extends WatchRef {
  provisioner: string;
  name: string;
  instance: string;
  spec: string;
}

/** Why a provision attempt failed, as its event says. */
export type ProvisionFailure = (typeof PROVISION_FAILURES)[number];

/** The rows a provision message can list about its instance, in the order render.ts picks. */
export type ProvisionFact = 'instance' | 'zone' | 'spec' | 'chargeType' | 'stopPolicy' | 'reason' | 'retCode' | 'requestId';

/** What a provision.failed message says for one kind of failure. */
export interface FailurePhrases {
  title(attempt: ProvisionRef, reason: string): string;
  /** What happened, in a sentence that names the provisioner and the watch. */
  what(attempt: ProvisionRef): string;
  /** What to do about it; followed by the console link when an instance may exist. */
  hint(attempt: ProvisionRef): string;
}

/** A key's recent history as an available message tells it: the counts, and the window lengths already in words. */
export interface HistoryFacts {
  days: number;
  /** Closed available windows in the last `days` days; 0: this is the first. */
  windows: number;
  /** Both null when `windows` is 0. */
  median: string | null;
  p90: string | null;
  freeAtThisHourDays: number;
  /** 0: never polled at this hour in those days. */
  observedAtThisHourDays: number;
}

/** `reminder` is "still available", sent by `repeatEvery` while a key stays available. */
export type CapacityKind = 'available' | 'soldout' | 'reminder';

/**
 * Every sentence a message can contain, in one language. Times and durations arrive formatted; render.ts decides
 * what is said and in which order, a locale only how.
 */
export interface Phrases {
  /** The longest title, in characters: about what a phone lock screen shows. */
  titleMax: number;
  /** Appended to the title when the message covers `total` events. */
  more(total: number): string;
  spec(spec: Spec): string;
  /** Between a row's spec and what is said about it. */
  rowSeparator: string;
  /** The spec as the title shows it. */
  specShort(spec: Spec): string;
  capacityTitle(kind: CapacityKind, watch: WatchRef, spec: string): string;
  capacityHeading(kind: CapacityKind, watch: WatchRef): string;
  /**
   * How long the state before this flip lasted (for a sold-out row: how long the window it closes lasted);
   * `null` when this is the first reading of the row.
   */
  previousState(kind: 'available' | 'soldout', lasted: string | null): string;
  /** How long its windows lasted lately and how often it was free at this hour: short, it is read on a phone. */
  recentHistory(history: HistoryFacts): string;
  /** Between a row and its history when they share a line (a message that lists several rows). */
  historySeparator: string;
  /** A duration in this language, e.g. `3h 5m` or `3小时5分钟`. */
  duration(ms: number): string;
  availableSince(time: string): string;
  at(time: string, timezone: string): string;
  /** Followed by the console link. */
  nextStep: string;
  error(message: string): string;
  blindTitle(watch: string): string;
  blind(watch: WatchRef, lasted: string, since: string): string;
  blindHint: string;
  recoveredTitle(watch: string): string;
  recovered(watch: WatchRef, lasted: string, since: string): string;
  policyFailedTitle(instance: string): string;
  policyFailed(instance: string, policy: string): string;
  /** Followed by the console link. */
  policyHint: string;
  storageFailingTitle: string;
  storageFailing(database: string, since: string): string;
  storageFailingHint: string;
  storageRecoveredTitle: string;
  storageRecovered(database: string, lasted: string, lostPolls: number): string;
  /** Opens the title of every provision message of a dry run. */
  dryRunTag: string;
  /** A line of every provision message of a dry run: nothing was created. */
  dryRunNote: string;
  createdTitle(dryRun: boolean, attempt: ProvisionRef): string;
  /** Followed by the list of facts. */
  created(dryRun: boolean, attempt: ProvisionRef): string;
  failures: Record<ProvisionFailure, FailurePhrases>;
  factLabel: Record<ProvisionFact, string>;
  /** The price row; `amount` already has two decimals, `null` when the price was not known. */
  hourlyPrice(amount: string | null): string;
  /** The stop row; `time` is `null` when the instance has no scheduled stop. */
  scheduledStop(time: string | null, timezone: string): string;
  /** Followed by the console link. */
  consoleLink: string;
  genericTitle(type: string): string;
  generic(type: string, time: string): string;
  testTitle: string;
  test: string;
}
