/**
 * The per-watch state machine, pure: given what is stored and one poll's outcome, it returns the new state and the
 * transitions and events to record. Time comes in as `now`; nothing here reads a clock or touches storage.
 */

import { keyId, type Availability, type KeyState, type SpecKey, type WatchHealth } from '../store/watch-state.js';

// The state the detector works on is what the store keeps, so the two share these shapes and key names.
export { keyId, type Availability, type KeyState, type SpecKey, type WatchHealth };

/** The health of a watch that has never been polled. */
export const UNPOLLED: WatchHealth = { baselineAt: null, lastOkAt: null, failingSince: null, lastError: null, blind: false };

export interface DetectorSettings {
  confirmUp: number;
  confirmDown: number;
  blindAfterMs: number;
  /** While a key stays available, a reminder each time this much more time has passed (off when unset). */
  remindEveryMs?: number | undefined;
  /**
   * The keys the watch is about (its `match`); others are neither read nor judged. Stored keys the predicate no
   * longer accepts (the user narrowed `match`) are left alone rather than read as gone.
   */
  tracks?: ((key: SpecKey) => boolean) | undefined;
}

export type PollOutcome =
  | { ok: true; rows: ReadonlyArray<SpecKey & { resourceEnough: boolean }> }
  | { ok: false; error: { kind: string; message: string } };

export interface Transition {
  key: SpecKey;
  from: Availability | null;
  to: Availability;
  at: number;
  /** When the state that just ended began (null for a baseline). */
  previousSince: number | null;
}

export type DetectorEvent =
  | { type: 'capacity.available' | 'capacity.soldout'; key: SpecKey; at: number; previousSince: number | null }
  | { type: 'capacity.reminder'; key: SpecKey; at: number; since: number; count: number }
  | { type: 'watch.blind'; at: number; failingSince: number; error: string }
  | { type: 'watch.recovered'; at: number; failingSince: number };

export interface Detection {
  health: WatchHealth;
  /** Only the keys whose stored state changed, by `keyId`. */
  changedKeys: Map<string, { key: SpecKey; state: KeyState }>;
  /** One reading per key on a successful poll (missing rows read as not enough), for the hourly counters. */
  readings: Array<{ key: SpecKey; available: boolean }>;
  transitions: Transition[];
  events: DetectorEvent[];
}

export function detect(
  health: WatchHealth,
  keys: ReadonlyMap<string, { key: SpecKey; state: KeyState }>,
  outcome: PollOutcome,
  settings: DetectorSettings,
  now: number,
): Detection {
  return outcome.ok
    ? detectReadings(health, keys, outcome.rows, settings, now)
    : detectFailure(health, outcome.error.message, settings, now);
}

/** A failed poll never changes a key; it only moves the watch towards, or into, "blind". */
function detectFailure(health: WatchHealth, error: string, settings: DetectorSettings, now: number): Detection {
  const failingSince = health.failingSince ?? now;
  const goesBlind = !health.blind && now - failingSince >= settings.blindAfterMs;
  return {
    health: { ...health, failingSince, lastError: error, blind: health.blind || goesBlind },
    changedKeys: new Map(),
    readings: [],
    transitions: [],
    events: goesBlind ? [{ type: 'watch.blind', at: now, failingSince, error }] : [],
  };
}

function detectReadings(
  health: WatchHealth,
  keys: ReadonlyMap<string, { key: SpecKey; state: KeyState }>,
  rows: ReadonlyArray<SpecKey & { resourceEnough: boolean }>,
  settings: DetectorSettings,
  now: number,
): Detection {
  const isBaseline = health.baselineAt === null;
  const detection: Detection = {
    health: { baselineAt: health.baselineAt ?? now, lastOkAt: now, failingSince: null, lastError: null, blind: false },
    changedKeys: new Map(),
    readings: [],
    transitions: [],
    events: [],
  };
  if (health.blind && health.failingSince !== null) {
    detection.events.push({ type: 'watch.recovered', at: now, failingSince: health.failingSince });
  }
  // Keys we know but the answer left out read as "not enough".
  const tracked = settings.tracks ?? (() => true);
  const readings = new Map<string, { key: SpecKey; available: boolean }>();
  for (const [id, { key }] of keys) if (tracked(key)) readings.set(id, { key, available: false });
  for (const row of rows) {
    const key = { gpu: row.gpu, cpu: row.cpu, mem: row.mem };
    if (tracked(key)) readings.set(keyId(key), { key, available: row.resourceEnough });
  }
  for (const [id, { key, available }] of readings) {
    detection.readings.push({ key, available });
    const stored = keys.get(id)?.state;
    const reminder = reminderDue(stored, available, settings, health.lastOkAt, now);
    if (reminder) detection.events.push({ type: 'capacity.reminder', key, at: now, ...reminder });
    if (!stored && isBaseline) {
      const state: KeyState = { state: available ? 'available' : 'soldout', since: now, streakReading: null, streak: 0 };
      detection.changedKeys.set(id, { key, state });
      detection.transitions.push({ key, from: null, to: state.state, at: now, previousSince: null });
      if (available) detection.events.push({ type: 'capacity.available', key, at: now, previousSince: null });
      continue;
    }
    // A key that appears after the baseline was, in effect, absent (not enough) until now.
    const before = stored ?? { state: 'soldout', since: now, streakReading: null, streak: 0 };
    const after = advance(before, available, settings, now);
    if (after === stored) continue;
    detection.changedKeys.set(id, { key, state: after });
    if (after.state === before.state) continue;
    const previousSince = stored ? stored.since : null;
    detection.transitions.push({ key, from: before.state, to: after.state, at: now, previousSince });
    const type = after.state === 'available' ? 'capacity.available' : 'capacity.soldout';
    detection.events.push({ type, key, at: now, previousSince });
  }
  return detection;
}

/** The n-th reminder for a key that was and still is available, when the n-th period ended since the last poll. */
function reminderDue(
  stored: KeyState | undefined,
  available: boolean,
  settings: DetectorSettings,
  lastOkAt: number | null,
  now: number,
): { since: number; count: number } | null {
  const every = settings.remindEveryMs;
  if (!every || !available || stored?.state !== 'available') return null;
  const count = Math.floor((now - stored.since) / every);
  const before = lastOkAt === null ? 0 : Math.floor((lastOkAt - stored.since) / every);
  return count >= 1 && count > before ? { since: stored.since, count } : null;
}

/** One reading against a stored state: a flip needs `confirmUp` (or `confirmDown`) identical readings in a row. */
export function advance(state: KeyState, available: boolean, settings: DetectorSettings, now: number): KeyState {
  if (available === (state.state === 'available')) {
    return state.streak === 0 ? state : { ...state, streakReading: null, streak: 0 };
  }
  const streak = state.streakReading === available ? state.streak + 1 : 1;
  if (streak >= (available ? settings.confirmUp : settings.confirmDown)) {
    return { state: available ? 'available' : 'soldout', since: now, streakReading: null, streak: 0 };
  }
  return { ...state, streakReading: available, streak };
}
