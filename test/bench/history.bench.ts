import { it } from 'vitest';
import { execFile } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HistoryStore } from '../../src/store/history-store.js';
import { recordPoll } from '../../src/watch/record-poll.js';
import { runCli } from '../helpers/cli.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { boundedNumber } from './fleet.js';
import { measured, once, quantile, report } from './results.js';

/**
 * The history's figures: `history_bytes_per_key_day` (what a day of 10-second polling costs on disk per spec key),
 * the write cost of one poll, and `stats_query_ms` (the computation `stats --json` runs, over 100 keys x 30 days).
 * BENCH_STORAGE_RUNS (default 3) and BENCH_STATS_RUNS (default 20) set how many runs each figure's median takes.
 */
const STORAGE_RUNS = boundedNumber('BENCH_STORAGE_RUNS', process.env.BENCH_STORAGE_RUNS, 3, 1, 20);
const STATS_RUNS = boundedNumber('BENCH_STATS_RUNS', process.env.BENCH_STATS_RUNS, 20, 1, 500);
const STATS_WARMUP_RUNS = 3;
const STATS_WATCHES = 10;
/** stats reads hourly counters and transitions, never raw polls: a poll every 5 min fills every hour's row alike. */
const STATS_POLL_EVERY_MS = 300_000;

const tempDir = useTempDir();
const execFileAsync = promisify(execFile);
const settings = { confirmUp: 1, confirmDown: 2, blindAfterMs: 300_000 };
const DAY = 86_400_000;
/** 1 KB = 1000 bytes, as README quotes it. */
const KB = 1000;
const keys = Array.from({ length: 10 }, (_, index) => ({ gpu: 1 + (index % 4), cpu: 16 * (1 + index), mem: 64 * (1 + index) }));

/**
 * Simulated polls of `watchName`'s 10 keys every `everyMs` from `start` for `days`; key i is available in a few
 * windows a day (`phase` shifts them), so there are flips to record.
 */
function fill(store: HistoryStore, days: number, start: number, options: { watchName?: string; everyMs?: number; phase?: number } = {}): number {
  const { watchName = 'bench-4090', everyMs = 10_000, phase = 0 } = options;
  const watch = { name: watchName, zone: 'cn-wlcb-01', gpuType: '4090' };
  let polls = 0;
  for (let at = start; at < start + days * DAY; at += everyMs) {
    const minuteOfDay = Math.floor((at % DAY) / 60_000) + phase;
    const rows = keys.map((key, index) => ({ ...key, resourceEnough: Math.floor(minuteOfDay / (97 + index * 13)) % 5 === 0 }));
    recordPoll(store, watch, { at, latencyMs: 40 + (polls % 30), outcome: { ok: true, rows } }, settings);
    polls++;
  }
  return polls;
}

/** What the daemon's history-rollup job does as hours end: copies them into the weekly blobs stats reads. */
function copyEndedHours(store: HistoryStore, now: number): void {
  while (store.rollup.copyStep(now));
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

it(`history_bytes_per_key_day: 10-second polling of 10 spec keys, ${STORAGE_RUNS} runs`, () => {
  /** A database of `days` of polling, compacted; its size, and what the polls cost to record. */
  const measure = (days: number, phase: number) => {
    const path = join(tempDir(), `days-${days}-${phase}.db`);
    const store = HistoryStore.open(path);
    const started = performance.now();
    const polls = fill(store, days, Date.UTC(2026, 10, 1), { phase });
    const elapsedMs = performance.now() - started;
    copyEndedHours(store, Date.UTC(2026, 10, 1) + days * DAY);
    const transitions = store.transitions.list(0).length;
    store.close();
    compact(path);
    return { polls, transitions, bytes: sizeOf(path), microsecondsPerPoll: (elapsedMs * 1000) / polls };
  };
  // Each run shifts the windows, so the runs differ in when and how often keys flip.
  const runs = Array.from({ length: STORAGE_RUNS }, (_, run) => ({ oneDay: measure(1, run * 37), eightDays: measure(8, run * 37) }));
  const perKeyDay = runs.map(({ oneDay, eightDays }) => (eightDays.bytes - oneDay.bytes) / 7 / keys.length / KB);
  const { oneDay, eightDays } = runs[0]!;
  report('history_bytes_per_key_day', {
    setup: `one watch of ${keys.length} spec keys polled every 10 s (each key free in a few windows a day), recorded by recordPoll into a fresh DB, the ended hours copied into the weekly blobs as the daemon does; (size after 8 days - size after 1 day) / 7 days / ${keys.length} keys, each DB checkpointed and VACUUMed first, so SQLite's fixed pages and free pages are left out; no prune runs (storage.retentionDays, default 180, prunes every table alike, so this is the steady daily growth); KB = 1000 bytes; ${STORAGE_RUNS} runs with shifted windows`,
    value: measured(perKeyDay, 'KB', 2),
    pollsPerDay: oneDay.polls,
    transitionsPerDay: oneDay.transitions,
    databaseBytesAfterOneDay: oneDay.bytes,
    databaseBytesAfterEightDays: eightDays.bytes,
    recordPoll10Keys: measured(runs.map((run) => run.eightDays.microsecondsPerPoll), 'µs', 0),
  });
});

it('record_poll_us: microseconds per poll of a 10-key watch', () => {
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
    return ((performance.now() - started) * 1000) / polls;
  };
  // Most polls change nothing; a flip every 100 polls (a sold-out flip takes two) is already a busy key.
  const unchanged = timed('bench-steady', Number.MAX_SAFE_INTEGER);
  const flipEvery100Polls = timed('bench-flips', 100);
  store.close();
  report('record_poll_us', {
    setup: 'recordPoll of a 10-key watch into one DB, 20,000 polls after 1,000 warm-up polls; one run each',
    value: once(unchanged, 'µs', 1),
    flipEvery100Polls: once(flipEvery100Polls, 'µs', 1),
  });
});

it(`stats_query_ms: ${STATS_WATCHES * keys.length} keys x 30 days, ${STATS_RUNS} runs after ${STATS_WARMUP_RUNS} warm-up`, async () => {
  const dir = tempDir();
  const path = join(dir, 'month.db');
  const store = HistoryStore.open(path);
  const now = Date.now();
  for (let watch = 0; watch < STATS_WATCHES; watch++) {
    fill(store, 30, now - 30 * DAY, { watchName: `bench-${watch}`, everyMs: STATS_POLL_EVERY_MS, phase: watch * 53 });
  }
  const transitions = store.transitions.list(0).length;
  store.close();
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `storage: { path: ${path} }\nwatches: []\n`);

  /** What `stats --json` computes per run, in a plain Node process on dist/ (stats-runs.mjs). */
  const timeStats = async (runs: number) => {
    const script = fileURLToPath(new URL('./stats-runs.mjs', import.meta.url));
    const { stdout } = await execFileAsync(process.execPath, [script, config, String(STATS_WARMUP_RUNS), String(runs)]);
    const { keys: reported, times } = JSON.parse(stdout) as { keys: number; times: number[] };
    if (reported !== STATS_WATCHES * keys.length) throw new Error(`stats reported ${reported} keys, expected ${STATS_WATCHES * keys.length}`);
    return times;
  };
  // Before the daemon copied anything (a history it never ran on): every hour is read as an hourly row.
  const uncopiedTimes = await timeStats(Math.min(5, STATS_RUNS));
  const copying = HistoryStore.open(path);
  copyEndedHours(copying, now);
  copying.close();
  const times = await timeStats(STATS_RUNS);

  // The whole command once per run, start-up included, for scale (the figure leaves start-up out).
  const env = { COMPSHARE_PUBLIC_KEY: 'x', COMPSHARE_PRIVATE_KEY: 'y' };
  const commandTimes: number[] = [];
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    const result = await runCli(['stats', '--config', config, '--since', '30d', '--json'], { env });
    if (result.code !== 0) throw new Error(result.stderr);
    commandTimes.push(performance.now() - started);
  }
  report('stats_query_ms', {
    setup: `${STATS_WATCHES} watches x ${keys.length} spec keys, 30 days of history (a poll every ${STATS_POLL_EVERY_MS / 60_000} min: stats reads the hourly counters and transitions, which fill alike), the ended hours copied into the weekly blobs as the daemon's history-rollup job does (the last 10-70 min are read as hourly rows); in a plain Node process on the built dist/ (the code the command runs, nothing else in the process), DB and config opened once: statsReport (what \`stats --json\` computes: counters, hours, windows, grid, forecast per key) + JSON.stringify, ${STATS_RUNS} runs after ${STATS_WARMUP_RUNS} warm-up`,
    value: measured(times, 'ms', 2),
    p99: { value: Number(quantile(times, 0.99).toFixed(2)), unit: 'ms', runs: times.length, spread: null },
    beforeAnyCopy: measured(uncopiedTimes, 'ms', 1),
    keys: STATS_WATCHES * keys.length,
    transitions,
    databaseBytes: sizeOf(path),
    statsCommandWithStartup: measured(commandTimes, 'ms', 0),
  });
});
