import { afterEach, describe, expect, it, vi } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { HistoryStore } from '../../src/store/history-store.js';
import { recordPoll } from '../../src/watch/record-poll.js';
import { queryDb } from '../helpers/daemon.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const settings = { confirmUp: 1, confirmDown: 2, blindAfterMs: 60_000 };
const outcome = { ok: true as const, rows: [{ gpu: 1, cpu: 16, mem: 64, resourceEnough: true }, { gpu: 2, cpu: 32, mem: 128, resourceEnough: false }] };
/** Enough commits (a few pages each) to cross SQLite's 1000-page auto-checkpoint several times over. */
const POLLS = 1_500;

/** Polls 30 watches in turn, as a daemon does, and returns the main database file's size before and after. */
function pollMany(store: HistoryStore, path: string): { before: number; after: number } {
  const before = statSync(path).size;
  let at = Date.UTC(2026, 0, 1);
  for (let poll = 0; poll < POLLS; poll++) {
    const watch = { name: `w${poll % 30}`, zone: 'cn-wlcb-01', gpuType: '4090' };
    recordPoll(store, watch, { at: (at += 1_000), latencyMs: 20, outcome }, settings);
  }
  return { before, after: statSync(path).size };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('write-ahead log checkpoints', () => {
  it('in the daemon, run on their timer and never inside a poll’s commit', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const path = join(tempDir(), 'history.db');
    const store = HistoryStore.open(path, { checkpointEveryMs: 5_000 });
    const { before, after } = pollMany(store, path);
    expect(after).toBe(before);
    vi.advanceTimersByTime(5_000);
    expect(statSync(path).size).toBeGreaterThan(before);
    // What was committed is all there, for another process too.
    expect(queryDb<{ polls: number }>(path, 'SELECT SUM(polls) AS polls FROM hourly_watch')).toEqual([{ polls: POLLS }]);
    store.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('in a short-lived command, are SQLite’s own, as its commits grow the log', () => {
    const path = join(tempDir(), 'history.db');
    const store = HistoryStore.open(path);
    const { before, after } = pollMany(store, path);
    expect(after).toBeGreaterThan(before);
    store.close();
  });
});
