import { it } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HistoryStore } from '../../src/store/history-store.js';
import { recordPoll } from '../../src/watch/record-poll.js';
import { runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { report } from './results.js';

const tempDir = useTempDir();
const settings = { confirmUp: 1, confirmDown: 2, blindAfterMs: 300_000 };
const DAY = 86_400_000;
const keys = Array.from({ length: 10 }, (_, index) => ({ gpu: 1 + (index % 4), cpu: 16 * (1 + index), mem: 64 * (1 + index) }));

/** Simulated polls every 10 s; key i is available in a few windows a day, so there are flips to record. */
function fill(store: HistoryStore, days: number, start: number): number {
  const watch = { name: 'bench-4090', zone: 'cn-wlcb-01', gpuType: '4090' };
  let polls = 0;
  for (let at = start; at < start + days * DAY; at += 10_000) {
    const minuteOfDay = Math.floor((at % DAY) / 60_000);
    const rows = keys.map((key, index) => ({ ...key, resourceEnough: Math.floor(minuteOfDay / (97 + index * 13)) % 5 === 0 }));
    recordPoll(store, watch, { at, latencyMs: 40 + (polls % 30), outcome: { ok: true, rows } }, settings);
    polls++;
  }
  return polls;
}

/** Folds the WAL into the file and drops free pages, so the size measured is the data's. */
function compact(path: string): void {
  const db = new Database(path);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('VACUUM');
  db.close();
}

function sizeOf(path: string): number {
  return ['', '-wal'].reduce((sum, suffix) => {
    try {
      return sum + statSync(path + suffix).size;
    } catch {
      return sum;
    }
  }, 0);
}

it('storage: 10-second polling of 10 spec keys', () => {
  // Size after 1 day and after 8 days: the difference is what each further day costs, without SQLite's fixed pages.
  const measure = (days: number) => {
    const path = join(tempDir(), `days-${days}.db`);
    const store = HistoryStore.open(path);
    const started = performance.now();
    const polls = fill(store, days, Date.UTC(2026, 10, 1));
    const elapsedMs = performance.now() - started;
    const transitions = store.transitions.list(0).length;
    store.close();
    compact(path);
    return { polls, transitions, bytes: sizeOf(path), microsecondsPerPoll: (elapsedMs * 1000) / polls };
  };
  const oneDay = measure(1);
  const eightDays = measure(8);
  const perDay = (eightDays.bytes - oneDay.bytes) / 7;
  report('storage-10s-polling-10-keys', {
    pollsPerDay: oneDay.polls,
    transitionsPerDay: oneDay.transitions,
    databaseBytesAfterOneDay: oneDay.bytes,
    databaseBytesAfterEightDays: eightDays.bytes,
    bytesPerKeyPerDay: Math.round(perDay / keys.length),
    recordPollMicroseconds: Math.round(eightDays.microsecondsPerPoll),
  });
});

it('recordPoll: microseconds per poll of a 10-key watch', () => {
  const store = HistoryStore.open(join(tempDir(), 'steady.db'));
  /** µs per poll of a fresh watch after a warm-up; key 0 flips every `flipEvery` polls, the others never do. */
  const timed = (name: string, flipEvery: number) => {
    const watch = { name, zone: 'cn-wlcb-01', gpuType: '4090' };
    const poll = (i: number) => {
      const flipped = Math.floor(i / flipEvery) % 2 === 1;
      const rows = keys.map((key, index) => ({ ...key, resourceEnough: index === 0 ? flipped : index % 2 === 0 }));
      recordPoll(store, watch, { at: Date.UTC(2026, 10, 1) + i * 10_000, latencyMs: 40, outcome: { ok: true, rows } }, settings);
    };
    for (let i = 0; i < 1_000; i++) poll(i);
    const polls = 20_000;
    const started = performance.now();
    for (let i = 1_000; i < 1_000 + polls; i++) poll(i);
    return Number((((performance.now() - started) * 1000) / polls).toFixed(1));
  };
  // Most polls change nothing; a flip every 100 polls (a sold-out flip takes two) is already a busy key.
  const unchangedPollMicroseconds = timed('bench-steady', Number.MAX_SAFE_INTEGER);
  const flipEvery100PollsMicroseconds = timed('bench-flips', 100);
  store.close();
  report('record-poll-10-keys', { unchangedPollMicroseconds, flipEvery100PollsMicroseconds });
});

it('stats over 30 days of synthetic history', async () => {
  const dir = tempDir();
  const path = join(dir, 'month.db');
  const store = HistoryStore.open(path);
  const now = Date.now();
  fill(store, 30, now - 30 * DAY);
  store.close();
  const { writeFileSync } = await import('node:fs');
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `storage: { path: ${path} }\nwatches: []\n`);
  const env = { COMPSHARE_PUBLIC_KEY: 'x', COMPSHARE_PRIVATE_KEY: 'y' };
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const result = await runCli(['stats', '--config', config, '--since', '30d', '--json'], { env });
    if (result.code !== 0) throw new Error(result.stderr);
    runs.push(performance.now() - started);
  }
  runs.sort((a, b) => a - b);
  report('stats-30-days', {
    specKeys: keys.length,
    databaseBytes: sizeOf(path),
    statsCommandMedianMs: Math.round(runs[2]!),
    statsCommandMinMs: Math.round(runs[0]!),
  });
});
