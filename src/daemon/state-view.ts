import type { Config } from '../config/schema.js';
import type { HistoryStore } from '../store/history-store.js';
import type { Availability } from '../store/watch-state.js';
import { lateAt } from './health.js';

/** One spec key as `/api/state` and `status --json` show it. */
export interface KeyView {
  gpu: number;
  cpu: number;
  mem: number;
  state: Availability;
  since: number;
}

/** One configured watch: how its polls go and what its keys read. */
export interface WatchView {
  name: string;
  zone: string;
  gpuType: string;
  schedule: string;
  /** `ok` when the last poll succeeded, `failing` while polls fail, `never` before the first. */
  result: 'ok' | 'failing' | 'never';
  /** The last poll this process saw, else the last successful or first failing one the database knows. */
  lastPollAt: number | null;
  lastOkAt: number | null;
  failingSince: number | null;
  lastError: string | null;
  /** The detector raised "watch is blind" (failing for longer than blindAfter). */
  blind: boolean;
  /** No successful poll within LATE_AFTER_POLLS of its scheduled times. */
  late: boolean;
  keys: KeyView[];
}

export interface OutboxChannelView {
  channel: string;
  pending: number;
  failed: number;
  oldestPendingAt: number | null;
}

export interface InstanceView {
  provisioner: string;
  watch: string;
  name: string;
  instanceId: string | null;
  state: string | null;
  stopStatus: string | null;
  /** Unix seconds, as the API and the events carry stop times. */
  stopTime: number | null;
  hourlyPrice: number | null;
  createdAt: number;
}

/** Everything `/api/state` answers; the field names are stable (scripts and `status --json` read them). */
export interface DaemonState {
  at: number;
  /** Whether a running daemon produced this (else it was read from the database alone). */
  live: boolean;
  watches: WatchView[];
  /** Names of watches that are blind or late. */
  blind: string[];
  outbox: { pending: number; failed: number; channels: OutboxChannelView[] };
  instances: InstanceView[];
}

/** What the state is built from; `startedAt` and `lastPollAt` come from a running daemon. */
export interface StateSource {
  store: HistoryStore;
  config: Config;
  now: number;
  /** When the daemon started: a watch not yet polled is late only once its polls were due since then. */
  startedAt?: number;
  lastPollAt?: (watch: string) => number | undefined;
}

/** The daemon's state as the database (and, when given, the running daemon) has it: one function for both. */
export function stateView(source: StateSource): DaemonState {
  const watches = source.config.watches.map((watch): WatchView => {
    const stored = source.store.watchState.find(watch.name);
    const health = stored?.health;
    const lastOkAt = health?.lastOkAt ?? null;
    const failingSince = health?.failingSince ?? null;
    const result = failingSince !== null ? 'failing' : lastOkAt !== null ? 'ok' : 'never';
    const from = lastOkAt ?? source.startedAt;
    const deadline = from === undefined ? null : lateAt(watch, source.config, from);
    const keys = [...(stored?.keys.values() ?? [])]
      .map(({ key, state }) => ({ ...key, state: state.state, since: state.since }))
      .sort((a, b) => a.gpu - b.gpu || a.cpu - b.cpu || a.mem - b.mem);
    return {
      name: watch.name,
      zone: watch.zone,
      gpuType: watch.gpuType,
      schedule: watch.schedule,
      result,
      lastPollAt: source.lastPollAt?.(watch.name) ?? maxOf(lastOkAt, failingSince),
      lastOkAt,
      failingSince,
      lastError: health?.lastError ?? null,
      blind: health?.blind ?? false,
      // Without a start time and a poll (read from the database alone) there is nothing to be late against.
      late: from === undefined ? true : deadline !== null && source.now > deadline,
      keys,
    };
  });
  return {
    at: source.now,
    live: source.startedAt !== undefined,
    watches,
    blind: watches.filter((watch) => watch.blind || watch.late).map((watch) => watch.name),
    outbox: outboxView(source.store),
    instances: source.store.provisions.ownedInstances().map((intent) => ({
      provisioner: intent.provisioner,
      watch: intent.watch,
      name: intent.name,
      instanceId: intent.instanceId,
      state: intent.instanceState,
      stopStatus: intent.stopStatus,
      stopTime: intent.stopTime,
      hourlyPrice: intent.hourlyPrice,
      createdAt: intent.createdAt,
    })),
  };
}

function outboxView(store: HistoryStore): DaemonState['outbox'] {
  const channels = new Map<string, OutboxChannelView>();
  for (const row of store.outbox.summary()) {
    const channel = channels.get(row.channel) ?? { channel: row.channel, pending: 0, failed: 0, oldestPendingAt: null };
    if (row.status === 'pending') Object.assign(channel, { pending: row.count, oldestPendingAt: row.oldestAt });
    if (row.status === 'failed') channel.failed = row.count;
    channels.set(row.channel, channel);
  }
  const list = [...channels.values()];
  const total = (field: 'pending' | 'failed') => list.reduce((sum, channel) => sum + channel[field], 0);
  return { pending: total('pending'), failed: total('failed'), channels: list };
}

function maxOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}
