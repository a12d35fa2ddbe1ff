import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { HistoryStore } from '../../src/store/history-store.js';
import { StoreError } from '../../src/store/errors.js';
import { openDatabase } from '../../src/store/db.js';
import { migrations } from '../../src/store/migrations/index.js';
import { COPY_AFTER_MS, HOURS_PER_WEEK } from '../../src/store/weekly-rollup.js';
import { recordPoll } from '../../src/watch/record-poll.js';
import { runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const settings = { confirmUp: 1, confirmDown: 2, blindAfterMs: 3_600_000 };
const keys = [
  { gpu: 1, cpu: 16, mem: 64 },
  { gpu: 2, cpu: 32, mem: 128 },
  { gpu: 4, cpu: 64, mem: 256 },
];

/** A small deterministic generator, so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** Polls of the three keys from `from` to `to`, a random 1-15 minutes apart, each key free at random. */
function poll(store: HistoryStore, from: number, to: number, seed = 1, watchName = 'w4090'): void {
  const next = random(seed);
  const watch = { name: watchName, zone: 'cn-wlcb-01', gpuType: '4090' };
  for (let at = from; at < to; at += Math.ceil(60_000 + next() * 14 * 60_000)) {
    const rows = keys.map((key) => ({ ...key, resourceEnough: next() < 0.3 }));
    recordPoll(store, watch, { at, latencyMs: 40, outcome: { ok: true, rows } }, settings);
  }
}

/** What the hourly rows say, hour by hour over [first, last]: the record the weekly copy must agree with. */
function hourlyTruth(path: string, specKeyId: number, first: number, last: number): { polls: number[]; available: number[] } {
  const db = new Database(path, { readonly: true });
  const rows = db
    .prepare('SELECT hour, polls, available FROM hourly_spec WHERE spec_key_id = ? AND hour >= ? AND hour <= ?')
    .all(specKeyId, first, last) as Array<{ hour: number; polls: number; available: number }>;
  db.close();
  const start = Math.max(first, Math.min(...rows.map((row) => row.hour), last + 1));
  const polls = new Array<number>(last + 1 - start).fill(0);
  const available = new Array<number>(last + 1 - start).fill(0);
  for (const row of rows) {
    polls[row.hour - start] = row.polls;
    available[row.hour - start] = row.available;
  }
  return { polls, available };
}

/** What the store's reader gives, from the key's first hour with polls on (the reader may start a series earlier). */
function readBack(store: HistoryStore, specKeyId: number, first: number, last: number): { polls: number[]; available: number[] } {
  const { series } = store.stats.history(first, last)(specKeyId);
  return trimmed({ polls: Array.from(series.polls), available: Array.from(series.available) });
}

function copyAll(store: HistoryStore, now: number): void {
  while (store.rollup.copyStep(now));
}

/** A key's transitions from `firstHour` on, after the last one before it, as the transitions table has them. */
function transitionsTruth(path: string, specKeyId: number, firstHour: number): Array<{ to: string; at: number }> {
  const db = new Database(path, { readonly: true });
  const rows = db
    .prepare(
      `SELECT to_state AS "to", at FROM transitions WHERE spec_key_id = @key AND at >= COALESCE(
         (SELECT MAX(at) FROM transitions WHERE spec_key_id = @key AND at < @since), @since) ORDER BY at, id`,
    )
    .all({ key: specKeyId, since: firstHour * HOUR }) as Array<{ to: string; at: number }>;
  db.close();
  return rows;
}

/** Every key reads through the store what its hourly rows and transitions say, over [first, last]. */
function expectSameAsHourly(store: HistoryStore, path: string, first: number, last: number): void {
  for (const { specKeyId } of store.stats.keys()) {
    expect(readBack(store, specKeyId, first, last)).toEqual(trimmed(hourlyTruth(path, specKeyId, first, last)));
    expect(store.stats.history(first, last)(specKeyId).transitions).toEqual(transitionsTruth(path, specKeyId, first));
  }
}

/** A store with 20 days of polls of the three keys from `start`, every hour copied that ended a day before `end`. */
function copiedHistory(): { store: HistoryStore; path: string } {
  const path = join(tempDir(), 'history.db');
  const store = HistoryStore.open(path);
  poll(store, start, end);
  copyAll(store, end + DAY);
  return { store, path };
}

function copied(path: string): { fromHour: number; toHour: number } | undefined {
  const db = new Database(path, { readonly: true });
  const row = db.prepare('SELECT from_hour AS fromHour, to_hour AS toHour FROM weekly_rollup').get() as { fromHour: number; toHour: number } | undefined;
  db.close();
  return row;
}

function weekRows(path: string): number {
  const db = new Database(path, { readonly: true });
  const count = db.prepare('SELECT COUNT(*) FROM weekly_spec').pluck().get() as number;
  db.close();
  return count;
}

const start = Date.UTC(2026, 9, 5, 7, 23);
const end = start + 20 * DAY;
const hourOf = (at: number) => Math.floor(at / HOUR);
/** The hour a copy at `now` reaches: every hour that ended COPY_AFTER_MS before. */
const readyBefore = (now: number) => Math.floor((now - COPY_AFTER_MS) / HOUR);

describe('the weekly copy of the hourly counters', () => {
  it('reads the same counters as the hourly rows before, while and after it copies them, over any period', () => {
    const path = join(tempDir(), 'history.db');
    const store = HistoryStore.open(path);
    poll(store, start, end);
    const periods: Array<[number, number]> = [
      [0, hourOf(end) + 2],
      [hourOf(end - 7 * DAY), hourOf(end)],
      [hourOf(start + 3 * DAY + 5 * HOUR), hourOf(start + 4 * DAY)],
      [hourOf(start + 10 * DAY), hourOf(end) + 24],
    ];
    const agrees = () => {
      for (const [first, last] of periods) expectSameAsHourly(store, path, first, last);
    };
    agrees();
    expect(store.rollup.copyStep(end + DAY)).toBe(true);
    expect(copied(path)).toEqual({ fromHour: hourOf(start), toHour: hourOf(start) + HOURS_PER_WEEK });
    agrees();
    copyAll(store, end + DAY);
    expect(copied(path)).toEqual({ fromHour: hourOf(start), toHour: readyBefore(end + DAY) });
    agrees();
    store.close();
  });

  it('copies an hour once it ended COPY_AFTER_MS ago, not before', () => {
    const path = join(tempDir(), 'history.db');
    const store = HistoryStore.open(path);
    const hourStart = hourOf(start) * HOUR;
    poll(store, hourStart, hourStart + HOUR);
    expect(store.rollup.copyStep(hourStart + HOUR + COPY_AFTER_MS - 1)).toBe(false);
    expect(weekRows(path)).toBe(0);
    expect(store.rollup.copyStep(hourStart + HOUR + COPY_AFTER_MS)).toBe(false);
    expect(weekRows(path)).toBe(keys.length);
    expect(copied(path)).toEqual({ fromHour: hourOf(start), toHour: hourOf(start) + 1 });
    store.close();
  });

  it('copies a step of about 20,000 hourly rows at a time, so a long history is caught up in steps', () => {
    const path = join(tempDir(), 'history.db');
    const store = HistoryStore.open(path);
    poll(store, start, end);
    // 3 keys: a week (168 hours) a step; 481 hours take 3 steps.
    const steps: boolean[] = [];
    do steps.push(store.rollup.copyStep(end + DAY));
    while (steps.at(-1) === true);
    expect(steps).toEqual([true, true, false]);
    for (let watch = 0; watch < 70; watch++) poll(store, end + DAY, end + DAY + 2 * HOUR, watch, `w${watch}`);
    // 213 keys now: 93 hours a step.
    const before = copied(path)!.toHour;
    store.rollup.copyStep(end + 10 * DAY);
    expect(copied(path)!.toHour - before).toBe(Math.floor(20_000 / store.stats.keys().length));
    store.close();
  });

  it('copies a range for 250 keys a step and moves the mark once every key has it', () => {
    const path = join(tempDir(), 'history.db');
    const store = HistoryStore.open(path);
    // 84 watches x 3 keys = 252 keys: a range takes two steps.
    for (let watch = 0; watch < 84; watch++) poll(store, start, start + 3 * HOUR, watch, `w${watch}`);
    expect(store.rollup.copyStep(end)).toBe(true);
    expect(copied(path)).toEqual({ fromHour: hourOf(start), toHour: hourOf(start) });
    expect(weekRows(path)).toBe(250);
    expectSameAsHourly(store, path, 0, hourOf(end));
    expect(store.rollup.copyStep(end)).toBe(true);
    expect(copied(path)!.toHour).toBeGreaterThan(hourOf(start) + 3);
    expect(weekRows(path)).toBe(252);
    copyAll(store, end);
    expectSameAsHourly(store, path, 0, hourOf(end));
    store.close();
  });

  it('steps over hours without rows at once: a clock that jumped years ahead costs one step', () => {
    const path = join(tempDir(), 'history.db');
    const store = HistoryStore.open(path);
    poll(store, start, start + 2 * HOUR);
    const later = start + 3 * 365 * DAY;
    poll(store, later, later + 2 * HOUR, 2);
    expect([store.rollup.copyStep(later + DAY), store.rollup.copyStep(later + DAY)]).toEqual([true, false]);
    expectSameAsHourly(store, path, 0, hourOf(later) + 2);
    store.close();
  });

  it('copies an hour again when a reading comes for it after it was copied (the clock stepped back)', () => {
    const { store, path } = copiedHistory();
    const back = start + 9 * DAY + 17 * 60_000;
    poll(store, back, back + 30 * 60_000, 7);
    expect(copied(path)).toEqual({ fromHour: hourOf(start), toHour: hourOf(back) });
    expectSameAsHourly(store, path, 0, hourOf(end));
    copyAll(store, end + DAY);
    expect(copied(path)).toEqual({ fromHour: hourOf(start), toHour: readyBefore(end + DAY) });
    expectSameAsHourly(store, path, 0, hourOf(end));
    store.close();
  });

  it('is pruned with the hourly rows: whole weeks before the cutoff go, and what is left reads as before', () => {
    const { store, path } = copiedHistory();
    const weeksBefore = weekRows(path);
    const removed = store.prune(10, end);
    const cutoffHour = hourOf(end - 10 * DAY);
    expect(removed.weekly_spec).toBe(keys.length * (Math.floor(cutoffHour / HOURS_PER_WEEK) - Math.floor(hourOf(start) / HOURS_PER_WEEK)));
    expect(weekRows(path)).toBe(weeksBefore - removed.weekly_spec!);
    expect(copied(path)).toEqual({ fromHour: Math.ceil((end - 10 * DAY) / HOUR), toHour: readyBefore(end + DAY) });
    expectSameAsHourly(store, path, 0, hourOf(end));
    store.close();
  });

  it('says the database is damaged when a weekly blob is not the size it writes', () => {
    const path = join(tempDir(), 'history.db');
    const store = HistoryStore.open(path);
    poll(store, start, start + DAY);
    copyAll(store, end);
    const db = new Database(path);
    db.prepare("UPDATE weekly_spec SET counts = x'0000'").run();
    db.close();
    const id = store.stats.keys()[0]!.specKeyId;
    expect(() => store.stats.history(0, hourOf(end))(id)).toThrow(StoreError);
    expect(() => store.stats.history(0, hourOf(end))(id)).toThrow(/damaged: weekly_spec row \(spec key \d+, week \d+\): counts is not 1344 bytes/);
    store.close();
  });

  it('upgrades a database of schema 5: its history reads the same, copied or not', () => {
    const path = join(tempDir(), 'history.db');
    openDatabase(path, migrations.slice(0, 5)).close();
    // The rows an older version wrote: what recordPoll writes today, minus the weekly copy.
    const fresh = HistoryStore.open(join(tempDir(), 'model.db'));
    poll(fresh, start, end);
    fresh.close();
    const model = new Database(fresh.path, { readonly: true });
    const db = new Database(path);
    for (const table of ['watches', 'spec_keys', 'hourly_spec', 'transitions']) {
      const rows = model.prepare(`SELECT * FROM ${table}`).all() as Array<Record<string, unknown>>;
      const columns = Object.keys(rows[0]!);
      const insert = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((column) => `@${column}`).join(', ')})`);
      for (const row of rows) insert.run(row);
    }
    model.close();
    db.close();
    const store = HistoryStore.open(path);
    const ids = store.stats.keys().map((key) => key.specKeyId);
    const before = ids.map((id) => [readBack(store, id, 0, hourOf(end)), store.stats.history(hourOf(start + DAY), hourOf(end))(id).transitions]);
    expect(before.map(([hours]) => hours)).toEqual(ids.map((id) => trimmed(hourlyTruth(path, id, 0, hourOf(end)))));
    copyAll(store, end + DAY);
    expect(ids.map((id) => [readBack(store, id, 0, hourOf(end)), store.stats.history(hourOf(start + DAY), hourOf(end))(id).transitions])).toEqual(before);
    store.close();
  });

  it('gives `stats --json` the same figures before and after the copy', async () => {
    const dir = tempDir();
    const path = join(dir, 'history.db');
    const config = join(dir, 'config.yaml');
    writeFileSync(config, `storage: { path: ${path} }\nwatches: []\n`);
    const now = Date.now();
    const store = HistoryStore.open(path);
    poll(store, now - 20 * DAY, now - 2 * HOUR, 3);
    store.close();
    const figures = async () => {
      const result = await runCli(['stats', '--config', config, '--json'], { env: { COMPSHARE_PUBLIC_KEY: 'x', COMPSHARE_PRIVATE_KEY: 'y' } });
      expect(result.stderr).toBe('');
      const report = JSON.parse(result.stdout) as { keys: Array<Record<string, unknown>> };
      return report.keys.map(({ polls, availabilityPercent, grid, windows, medianWindowMs }) => ({ polls, availabilityPercent, grid, windows, medianWindowMs }));
    };
    const before = await figures();
    expect(before).toHaveLength(keys.length);
    const copying = HistoryStore.open(path);
    copyAll(copying, now);
    copying.close();
    expect(weekRows(path)).toBeGreaterThan(0);
    expect(await figures()).toEqual(before);
  });
});

/** Counters from the first hour with polls on. */
function trimmed(truth: { polls: number[]; available: number[] }): { polls: number[]; available: number[] } {
  const lead = truth.polls.findIndex((count) => count > 0);
  return lead < 0 ? { polls: [], available: [] } : { polls: truth.polls.slice(lead), available: truth.available.slice(lead) };
}
