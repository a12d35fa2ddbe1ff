import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, writeSimConfig } from '../helpers/cli.js';
import { queryDb, startDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { put4090Rows, startTestSim, SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, type TestSim } from '../helpers/sim.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const tempDir = useTempDir();
const keys = { COMPSHARE_PUBLIC_KEY: SIM_PUBLIC_KEY, COMPSHARE_PRIVATE_KEY: SIM_PRIVATE_KEY };
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
