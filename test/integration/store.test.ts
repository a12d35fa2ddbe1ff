import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../src/store/db.js';
import { migrations } from '../../src/store/migrations/index.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { StoreClosedError, StoreError } from '../../src/store/errors.js';
import { acquireLock } from '../../src/daemon/lock.js';
import type { PollOutcome } from '../../src/watch/detector.js';
import { recordPoll } from '../../src/watch/record-poll.js';
import { queryDb } from '../helpers/daemon.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const watch = { name: 'w4090', zone: 'cn-wlcb-01', gpuType: '4090' };
const settings = { confirmUp: 1, confirmDown: 2, blindAfterMs: 60_000 };
const rows = (enough: boolean): PollOutcome => ({ ok: true, rows: [{ gpu: 1, cpu: 16, mem: 64, resourceEnough: enough }] });

describe('database', () => {
  it('creates the file and its folder readable only by the owner, in WAL mode, with every migration applied', () => {
    const path = join(tempDir(), 'nested', 'history.db');
    const db = openDatabase(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const applied = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
    expect(applied).toEqual(migrations.map((m) => ({ version: m.version })));
    db.close();
  });

  it('numbers migrations 1, 2, 3… with no gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, index) => index + 1));
  });

  it('refuses a database written by a newer version, saying so', () => {
    const path = join(tempDir(), 'history.db');
    openDatabase(path).close();
    const raw = new Database(path);
    raw.prepare("INSERT INTO schema_migrations VALUES (999, 'future', 0)").run();
    raw.close();
    expect(() => openDatabase(path)).toThrow(/written by a newer compshare-watch \(schema 999/);
  });

  it('says in one line that a file is not a database', () => {
    const path = join(tempDir(), 'notes.txt');
    writeFileSync(path, 'these are my notes, not a database, and there are enough of them to fill a header\n'.repeat(10));
    expect(() => openDatabase(path)).toThrow(new StoreError(`cannot use database ${path}: it is not a compshare-watch database; point storage.path at another file`));
  });

  it('names the path when the database cannot be opened', () => {
    const dir = tempDir();
    expect(() => openDatabase(dir)).toThrow(StoreError);
  });
});

describe('HistoryStore and a poll\'s unit of work', () => {
  it('keeps state across reopen: a flip is judged against what was stored', () => {
    const path = join(tempDir(), 'history.db');
    const first = HistoryStore.open(path);
    recordPoll(first, watch, { at: 1_000, latencyMs: 5, outcome: rows(false) }, settings);
    first.close();
    const second = HistoryStore.open(path);
    const detection = recordPoll(second, watch, { at: 2_000, latencyMs: 5, outcome: rows(true) }, settings);
    expect(detection.transitions).toMatchObject([{ from: 'soldout', to: 'available' }]);
    const history = second.transitions.list(0);
    expect(history.map((t) => [t.from, t.to, t.until])).toEqual([
      ['soldout', 'available', null],
      [null, 'soldout', 2_000],
    ]);
    expect(second.events.list(0).map((e) => e.type)).toEqual(['capacity.available']);
    second.close();
  });

  it('adds no row for a successful poll that changes nothing, only hourly counters', () => {
    const path = join(tempDir(), 'history.db');
    const store = HistoryStore.open(path);
    recordPoll(store, watch, { at: 1_000, latencyMs: 5, outcome: rows(true) }, settings);
    const count = (table: string) => queryDb<{ n: number }>(path, `SELECT COUNT(*) AS n FROM ${table}`)[0]!.n;
    const tables = () => ({ polls: count('polls'), transitions: count('transitions'), events: count('events'), hourly: count('hourly_spec') });
    const before = tables();
    for (let i = 1; i <= 50; i++) recordPoll(store, watch, { at: 1_000 + i * 10_000, latencyMs: 5, outcome: rows(true) }, settings);
    expect(tables()).toEqual(before);
    const hourly = queryDb(path, 'SELECT SUM(polls) AS polls, SUM(available) AS available FROM hourly_spec');
    expect(hourly).toEqual([{ polls: 51, available: 51 }]);
    expect(queryDb(path, 'SELECT SUM(polls) AS polls, SUM(latency_ms_sum) AS latency FROM hourly_watch')).toEqual([{ polls: 51, latency: 255 }]);
    store.close();
  });

  it('writes nothing of a poll whose event hook fails: state, transition and event roll back together', () => {
    const store = HistoryStore.open(join(tempDir(), 'history.db'));
    store.onEvent(() => {
      throw new Error('outbox full');
    });
    expect(() => recordPoll(store, watch, { at: 1_000, latencyMs: 5, outcome: rows(true) }, settings)).toThrow('outbox full');
    expect(store.transitions.list(0)).toEqual([]);
    expect(store.events.list(0)).toEqual([]);
    expect(store.watchState.find(watch.name)).toBeUndefined();
    store.close();
  });

  it('starts the poll after a rolled-back one from the stored state, as if the failed poll never happened', () => {
    const store = HistoryStore.open(join(tempDir(), 'history.db'));
    recordPoll(store, watch, { at: 1_000, latencyMs: 5, outcome: rows(false) }, settings);
    let failNext = true;
    store.onEvent(() => {
      if (failNext) throw new Error('outbox full');
    });
    expect(() => recordPoll(store, watch, { at: 2_000, latencyMs: 5, outcome: rows(true) }, settings)).toThrow('outbox full');
    failNext = false;
    const detection = recordPoll(store, watch, { at: 3_000, latencyMs: 5, outcome: rows(true) }, settings);
    expect(detection.transitions).toMatchObject([{ from: 'soldout', to: 'available', previousSince: 1_000 }]);
    expect(store.transitions.list(0).map((t) => [t.from, t.to, t.at])).toEqual([
      ['soldout', 'available', 3_000],
      [null, 'soldout', 1_000],
    ]);
    expect(store.events.list(0).map((e) => [e.type, e.createdAt])).toEqual([['capacity.available', 3_000]]);
    store.close();
  });

  it('makes a watch whose first poll rolled back start from no state: the next poll is its baseline', () => {
    const store = HistoryStore.open(join(tempDir(), 'history.db'));
    const unsubscribe = store.onEvent(() => {
      throw new Error('outbox full');
    });
    expect(() => recordPoll(store, watch, { at: 1_000, latencyMs: 5, outcome: rows(true) }, settings)).toThrow('outbox full');
    unsubscribe();
    recordPoll(store, watch, { at: 2_000, latencyMs: 5, outcome: rows(true) }, settings);
    expect(store.transitions.list(0).map((t) => [t.from, t.to, t.at])).toEqual([[null, 'available', 2_000]]);
    expect(store.watchState.find(watch.name)?.health.baselineAt).toBe(2_000);
    store.close();
  });

  it('forgets a poll recorded inside an outer transaction that rolled back', () => {
    const store = HistoryStore.open(join(tempDir(), 'history.db'));
    recordPoll(store, watch, { at: 1_000, latencyMs: 5, outcome: rows(false) }, settings);
    expect(() =>
      store.transaction(() => {
        recordPoll(store, watch, { at: 2_000, latencyMs: 5, outcome: rows(true) }, settings);
        throw new Error('caller gave up');
      }),
    ).toThrow('caller gave up');
    const detection = recordPoll(store, watch, { at: 3_000, latencyMs: 5, outcome: rows(true) }, settings);
    expect(detection.transitions).toMatchObject([{ from: 'soldout', to: 'available', at: 3_000 }]);
    store.close();
  });

  it('carries a half-confirmed flip across a restart: a new store on the file continues from the stored streak', () => {
    const path = join(tempDir(), 'history.db');
    const first = HistoryStore.open(path);
    recordPoll(first, watch, { at: 1_000, latencyMs: 5, outcome: rows(true) }, settings);
    // confirmDown is 2: one sold-out reading is stored as a streak, not a flip.
    expect(recordPoll(first, watch, { at: 2_000, latencyMs: 5, outcome: rows(false) }, settings).transitions).toEqual([]);
    first.close();
    const second = HistoryStore.open(path);
    const detection = recordPoll(second, watch, { at: 3_000, latencyMs: 5, outcome: rows(false) }, settings);
    expect(detection.transitions).toMatchObject([{ from: 'available', to: 'soldout', at: 3_000, previousSince: 1_000 }]);
    expect(second.watchState.find(watch.name)?.health.lastOkAt).toBe(3_000);
    second.close();
  });

  it('records a failed poll with its kind and request id but never the state', () => {
    const path = join(tempDir(), 'history.db');
    const store = HistoryStore.open(path);
    recordPoll(store, watch, { at: 1_000, latencyMs: 5, outcome: rows(true) }, settings);
    const failure: PollOutcome = { ok: false, error: { kind: 'retcode', message: 'RetCode 153' } };
    recordPoll(store, watch, { at: 2_000, latencyMs: 9, outcome: failure, requestUuid: 'req-1' }, settings);
    const poll = queryDb(path, 'SELECT error_kind, request_uuid FROM polls WHERE error_kind IS NOT NULL');
    expect(poll).toEqual([{ error_kind: 'retcode', request_uuid: 'req-1' }]);
    expect([...(store.watchState.find(watch.name)?.keys.values() ?? [])].map((entry) => entry.state.state)).toEqual(['available']);
    store.close();
  });

  it('reads a watch never polled without writing: no row appears until its first poll', () => {
    const path = join(tempDir(), 'history.db');
    const store = HistoryStore.open(path);
    expect(store.watchState.find(watch.name)).toBeUndefined();
    expect(queryDb(path, 'SELECT name FROM watches')).toEqual([]);
    recordPoll(store, watch, { at: 1_000, latencyMs: 5, outcome: rows(true) }, settings);
    expect(queryDb(path, 'SELECT name FROM watches')).toEqual([{ name: watch.name }]);
    store.close();
  });

  it('stops calling an event hook once it is unsubscribed', () => {
    const store = HistoryStore.open(join(tempDir(), 'history.db'));
    const kept: string[] = [];
    const dropped: string[] = [];
    store.onEvent((event) => kept.push(event.type));
    const unsubscribe = store.onEvent((event) => dropped.push(event.type));
    recordPoll(store, watch, { at: 1_000, latencyMs: 5, outcome: rows(true) }, settings);
    unsubscribe();
    recordPoll(store, watch, { at: 2_000, latencyMs: 5, outcome: rows(false) }, settings);
    recordPoll(store, watch, { at: 3_000, latencyMs: 5, outcome: rows(false) }, settings);
    expect(kept).toEqual(['capacity.available', 'capacity.soldout']);
    expect(dropped).toEqual(['capacity.available']);
    store.close();
  });

  it('hands out no database handle: every way in is a repository or a transaction', () => {
    const store = HistoryStore.open(join(tempDir(), 'history.db'));
    expect(Object.values(store).some((value) => value instanceof Database)).toBe(false);
    store.close();
  });

  it('refuses a write after close with StoreClosedError, which work finishing late can tell from a failure', () => {
    const store = HistoryStore.open(join(tempDir(), 'history.db'));
    store.close();
    expect(() => recordPoll(store, watch, { at: 1_000, latencyMs: 5, outcome: rows(true) }, settings)).toThrow(StoreClosedError);
  });

  it('prunes raw rows older than the retention period', () => {
    const store = HistoryStore.open(join(tempDir(), 'history.db'));
    const day = 86_400_000;
    recordPoll(store, watch, { at: 1 * day, latencyMs: 5, outcome: rows(true) }, settings);
    recordPoll(store, watch, { at: 2 * day, latencyMs: 5, outcome: rows(true) }, settings);
    recordPoll(store, watch, { at: 200 * day, latencyMs: 5, outcome: rows(true) }, settings);
    const removed = store.prune(180, 200 * day);
    expect(removed).toMatchObject({ polls: 1, transitions: 0, events: 1, hourly_spec: 2 });
    // The key has been available since day 1: its only transition is what says so, and it stays.
    expect(store.transitions.list(0).map((t) => [t.gpu, t.to])).toEqual([[1, 'available']]);
    store.close();
  });
});

describe('daemon lock', () => {
  it('lets one holder in and names its pid to the next', () => {
    const path = join(tempDir(), 'history.db');
    const lock = acquireLock(path);
    expect(() => acquireLock(path, process.pid + 1)).toThrow(new RegExp(`pid ${process.pid}\\b`));
    lock.release();
    acquireLock(path, process.pid + 1).release();
  });

  it('is free again once its holder is killed, and a stale pid file does not block', async () => {
    const path = join(tempDir(), 'history.db');
    const lockModule = new URL('../../dist/daemon/lock.js', import.meta.url).href;
    const script = `const { acquireLock } = await import(${JSON.stringify(lockModule)}); globalThis.held = acquireLock(${JSON.stringify(path)}); console.log('held'); setInterval(() => {}, 1000);`;
    // The holder keeps its lock referenced, as the daemon does: a dropped lock is closed by the garbage collector.
    const holder = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    expect(() => acquireLock(path)).toThrow(new RegExp(`pid ${holder.pid}\\b`));

    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('close', resolve));
    // The killed holder's pid file is still there (and its pid could be anyone's now): only a held lock counts.
    expect(existsSync(`${path}.pid`)).toBe(true);
    const lock = acquireLock(path);
    expect(readFileSync(`${path}.pid`, 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
    expect(existsSync(`${path}.pid`)).toBe(false);
  });


});
