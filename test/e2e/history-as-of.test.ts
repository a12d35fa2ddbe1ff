import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, writeSimConfig } from '../helpers/cli.js';
import { queryDb, startDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { put4090Rows, startTestSim, SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, type TestSim } from '../helpers/sim.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { COPY_AFTER_MS } from '../../src/store/weekly-rollup.js';
import { recordPoll } from '../../src/watch/record-poll.js';

const tempDir = useTempDir();
const keys = { COMPSHARE_PUBLIC_KEY: SIM_PUBLIC_KEY, COMPSHARE_PRIVATE_KEY: SIM_PRIVATE_KEY };
const HOUR = 3_600_000;
const LAST_POLL = /as of the last poll \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)/;
let sim: TestSim;
let daemon: DaemonProcess | undefined;

beforeEach(async () => {
  sim = await startTestSim();
  await put4090Rows(sim, [[1, 16, 64, true]]);
});
afterEach(async () => {
  daemon?.child.kill('SIGKILL');
  await daemon?.exited;
  daemon = undefined;
  await sim.close();
});

interface OngoingRow {
  at: number;
  ongoing: boolean;
  lastedMs: number;
  asOf?: number;
  live?: boolean;
}

describe('history and stats say up to when they know the state', () => {
  it('count "so far" while a daemon polls, and "as of the last poll" once it has stopped', async () => {
    const dir = tempDir();
    const config = writeSimConfig(dir, sim.url);
    daemon = startDaemon(config, keys);
    const transitions = () => queryDb<{ id: number }>(join(dir, 'history.db'), 'SELECT id FROM transitions');
    await waitFor(transitions, (rows) => rows.length === 1, 'the baseline');

    const whileRunning = await runCli(['history', '--config', config], { env: keys });
    expect(whileRunning.stdout).toMatch(/\(start\) -> available\s+.+ so far$/m);
    const statsWhileRunning = await runCli(['stats', '--config', config], { env: keys });
    expect(statsWhileRunning.stdout).toMatch(/^w4090\s+1 GPU \/ 16 CPU \/ 64 GB\s+now available$/m);
    expect(statsWhileRunning.stdout).toMatch(/^ {2}forecast: available now$/m);

    daemon.child.kill('SIGTERM');
    await daemon.exited;
    const afterwards = await runCli(['history', '--config', config], { env: keys });
    expect(afterwards.stdout).toMatch(new RegExp(`\\(start\\) -> available\\s+.+ ${LAST_POLL.source}$`, 'm'));
    expect(afterwards.stdout).not.toMatch(/so far/);
    const statsAfterwards = await runCli(['stats', '--config', config], { env: keys });
    expect(statsAfterwards.stdout).toMatch(new RegExp(`^w4090\\s+1 GPU / 16 CPU / 64 GB\\s+available ${LAST_POLL.source}$`, 'm'));
    // Once no daemon says it is still available, the forecast speaks from the history: this hour alone.
    expect(statsAfterwards.stdout).toMatch(/^ {2}forecast: \d+% within 1h, .+; no history for 2[34](\.\d)? of the next 24h$/m);

    const json = JSON.parse((await runCli(['history', '--config', config, '--json'], { env: keys })).stdout) as OngoingRow[];
    expect(json[0]).toMatchObject({ ongoing: true, live: false });
    // The ongoing state lasts up to the last poll, not up to whenever the command runs.
    expect(json[0]!.lastedMs).toBe(json[0]!.asOf! - json[0]!.at);
  });
});

describe('the daemon copies ended hours for stats', () => {
  it('catches up on a history it finds at start, and stats reads the same figures', async () => {
    const dir = tempDir();
    const config = writeSimConfig(dir, sim.url);
    const path = join(dir, 'history.db');
    // Ten days a version without the weekly copy wrote (or a daemon that was stopped meanwhile): a poll every 10 min,
    // of a watch no longer configured, so the daemon's own polls (which count a key missing from an answer as sold
    // out) leave its counters as they are.
    const store = HistoryStore.open(path);
    const watch = { name: 'w-retired', zone: 'cn-wlcb-01', gpuType: '4090' };
    const now = Date.now();
    for (let at = now - 10 * 24 * HOUR, index = 0; at < now - 3 * HOUR; at += 600_000, index++) {
      const rows = [{ gpu: 2, cpu: 32, mem: 128, resourceEnough: Math.floor(index / 9) % 4 === 0 }];
      recordPoll(store, watch, { at, latencyMs: 40, outcome: { ok: true, rows } }, { confirmUp: 1, confirmDown: 1, blindAfterMs: HOUR });
    }
    store.close();
    const figures = async () => {
      const report = JSON.parse((await runCli(['stats', '--config', config, '--since', '30d', '--json'], { env: keys })).stdout) as {
        keys: Array<{ watch: string; polls: number; availabilityPercent: number; grid: unknown }>;
      };
      return report.keys.filter((key) => key.watch === 'w-retired').map(({ polls, availabilityPercent, grid }) => ({ polls, availabilityPercent, grid }));
    };
    const before = await figures();
    expect(before).toHaveLength(1);

    daemon = startDaemon(config, keys);
    const readyBefore = Math.floor((Date.now() - COPY_AFTER_MS) / HOUR);
    const copied = () => queryDb<{ fromHour: number; toHour: number }>(path, 'SELECT from_hour AS fromHour, to_hour AS toHour FROM weekly_rollup');
    const [mark] = await waitFor(copied, (rows) => rows.length === 1 && rows[0]!.toHour >= readyBefore, 'the ended hours copied');
    expect(mark!.fromHour).toBe(Math.floor((now - 10 * 24 * HOUR) / HOUR));
    expect(queryDb<{ weeks: number }>(path, 'SELECT COUNT(*) AS weeks FROM weekly_spec')[0]!.weeks).toBeGreaterThanOrEqual(2);
    daemon.child.kill('SIGTERM');
    await daemon.exited;
    daemon = undefined;
    expect(await figures()).toEqual(before);
  });
});
