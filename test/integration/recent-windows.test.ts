import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { HistoryStore } from '../../src/store/history-store.js';
import { CLOSED_WINDOWS_SQL, SAME_HOUR_SQL } from '../../src/store/recent-windows.js';
import type { PollOutcome } from '../../src/watch/detector.js';
import { recordPoll } from '../../src/watch/record-poll.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Ten minutes into an hour, so a short window around it stays within that hour of day. */
const NOW = 490_000 * HOUR + 10 * MINUTE;
const watch = { name: 'w4090', zone: 'cn-wlcb-01', gpuType: '4090' };
const settings = { confirmUp: 1, confirmDown: 1, blindAfterMs: 60_000 };
const reading = (enough: boolean): PollOutcome => ({ ok: true, rows: [{ gpu: 1, cpu: 16, mem: 64, resourceEnough: enough }] });

/** A store with a week of history of one key: windows of 2, 3, 4, 10 and 20 minutes at this hour on days 1..5 before. */
function storeWithAWeek(): { store: HistoryStore; path: string } {
  const path = join(tempDir(), 'history.db');
  const store = HistoryStore.open(path);
  const poll = (at: number, enough: boolean) => recordPoll(store, watch, { at, latencyMs: 20, outcome: reading(enough) }, settings);
  poll(NOW - 9 * DAY, false);
  // A window that ended 8 days ago: too old to count.
  poll(NOW - 8 * DAY, true);
  poll(NOW - 8 * DAY + HOUR, false);
  // Polled but sold out at this hour 7 and 6 days ago.
  poll(NOW - 7 * DAY, false);
  poll(NOW - 6 * DAY, false);
  const lengths = [20, 10, 4, 3, 2];
  lengths.forEach((minutes, index) => {
    const start = NOW - (5 - index) * DAY;
    poll(start, true);
    poll(start + minutes * MINUTE, false);
  });
  return { store, path };
}

/** Newest first. */
function availableEvents(store: HistoryStore): Array<Record<string, unknown>> {
  return store.events
    .list(0)
    .filter((event) => event.type === 'capacity.available')
    .map((event) => event.payload as Record<string, unknown>);
}

function specKeyIdOf(store: HistoryStore): number {
  return store.watchState.current(watch.name)!.keys.get('1/16/64')!.specKeyId;
}

describe('recent history in a flip to available', () => {
  it('stores the median and p90 of the last 7 days’ windows and how often the key was free at this hour', () => {
    const { store } = storeWithAWeek();
    recordPoll(store, watch, { at: NOW, latencyMs: 20, outcome: reading(true) }, settings);
    expect(availableEvents(store)[0]).toMatchObject({
      at: NOW,
      history: { days: 7, windows: 5, medianWindowMs: 4 * MINUTE, p90WindowMs: 20 * MINUTE, freeAtThisHourDays: 5, observedAtThisHourDays: 7 },
    });
    store.close();
  });

  it('counts the window a sold-out poll closes from memory, without reading the transitions again', () => {
    const { store, path } = storeWithAWeek();
    const poll = (at: number, enough: boolean) => recordPoll(store, watch, { at, latencyMs: 20, outcome: reading(enough) }, settings);
    poll(NOW, true); // loads the key's windows
    poll(NOW + 30 * MINUTE, false); // closes a 30-minute window
    // Behind the store's back: a reload would now find no window at all.
    const raw = new Database(path);
    raw.prepare('DELETE FROM transitions').run();
    raw.close();
    poll(NOW + HOUR, true);
    expect(availableEvents(store)[0]).toMatchObject({
      history: { windows: 6, medianWindowMs: 7 * MINUTE, p90WindowMs: 30 * MINUTE },
    });
    expect(store.recentWindows.closedWindows(specKeyIdOf(store), NOW + HOUR).at(-1)).toEqual({ start: NOW, end: NOW + 30 * MINUTE });
    store.close();
  });

  it('forgets a window whose poll rolled back', () => {
    const { store } = storeWithAWeek();
    const poll = (at: number, enough: boolean) => recordPoll(store, watch, { at, latencyMs: 20, outcome: reading(enough) }, settings);
    poll(NOW, true);
    expect(() =>
      store.transaction(() => {
        poll(NOW + 30 * MINUTE, false);
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    const specKeyId = specKeyIdOf(store);
    expect(store.recentWindows.closedWindows(specKeyId, NOW + HOUR)).toHaveLength(5);
    // The key is still available as stored; it sells out for real later, and that window counts.
    poll(NOW + 40 * MINUTE, false);
    expect(store.recentWindows.closedWindows(specKeyId, NOW + HOUR).at(-1)).toEqual({ start: NOW, end: NOW + 40 * MINUTE });
    store.close();
  });

  it('drops windows once they are more than 7 days old', () => {
    const { store } = storeWithAWeek();
    const specKeyId = specKeyIdOf(store);
    expect(store.recentWindows.closedWindows(specKeyId, NOW)).toHaveLength(5);
    // The 20-minute window ended 5 days before NOW, minus 20 minutes.
    expect(store.recentWindows.closedWindows(specKeyId, NOW + 2 * DAY + 30 * MINUTE)).toHaveLength(4);
    store.close();
  });

  it('reads by index and primary key, never by scanning a table', () => {
    const { store, path } = storeWithAWeek();
    store.close();
    const db = new Database(path, { readonly: true });
    const plan = (sql: string, params: Record<string, number>) =>
      db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(params)
        .map((row) => (row as { detail: string }).detail);
    const closed = plan(CLOSED_WINDOWS_SQL, { key: 1, since: NOW - 7 * DAY, limit: 5_000 });
    const sameHour = plan(SAME_HOUR_SQL, { key: 1, hour: NOW / HOUR });
    db.close();
    expect(closed.join('\n')).toMatch(/^SEARCH transitions USING INDEX transitions_key_at \(spec_key_id=\? AND at>\?\)$/);
    expect(sameHour.join('\n')).toMatch(/^SEARCH hourly_spec USING PRIMARY KEY \(spec_key_id=\? AND hour=\?\)$/);
  });
});
