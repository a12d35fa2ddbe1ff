import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, writeSimConfig } from '../helpers/cli.js';
import { queryDb, startDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { put4090Rows, startTestSim, SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, SIM_ZONE, type TestSim } from '../helpers/sim.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { SHUTDOWN_GRACE_MS } from '../../src/daemon/runtime.js';

const tempDir = useTempDir();
const keys = { COMPSHARE_PUBLIC_KEY: SIM_PUBLIC_KEY, COMPSHARE_PRIVATE_KEY: SIM_PRIVATE_KEY };
let sim: TestSim;
let dir: string;
let config: string;
let db: string;
const daemons: DaemonProcess[] = [];

interface TransitionRow {
  gpu: number;
  from_state: string | null;
  to_state: string;
}

const transitions = () =>
  queryDb<TransitionRow>(db, 'SELECT k.gpu, t.from_state, t.to_state FROM transitions t JOIN spec_keys k ON k.id = t.spec_key_id ORDER BY t.id');
const events = () => queryDb<{ type: string }>(db, 'SELECT type FROM events ORDER BY seq').map((row) => row.type);
const polls = () =>
  queryDb<{ ok: number; failed: number }>(db, 'SELECT SUM(polls) - SUM(errors) AS ok, SUM(errors) AS failed FROM hourly_watch')[0]!;

/** One more watch entry for the config's `watches:` list, on the same schedule as the first. */
const watchYaml = (name: string, imageId: string, match: string) => `  - name: ${name}
    schedule: "*/1 * * * * *"
    zone: ${SIM_ZONE}
    gpuType: "4090"
    imageId: ${imageId}
    chargeType: Dynamic
    disks: [{ isBoot: true, type: CLOUD_SSD, size: 60 }]
    match: ${match}
`;

const setRow = (gpu: number, enough: boolean) =>
  sim.control('PATCH', 'capacity', { zone: SIM_ZONE, gpuType: '4090', rows: [{ gpu, enough }] });

function start(): DaemonProcess {
  const daemon = startDaemon(config, keys);
  daemons.push(daemon);
  return daemon;
}

beforeEach(async () => {
  sim = await startTestSim();
  await put4090Rows(sim, [
    [1, 16, 64, false],
    [2, 32, 128, false],
    // Outside the watch's match: never tracked, never alerted on.
    [4, 64, 256, true],
  ]);
  dir = tempDir();
  db = join(dir, 'history.db');
  config = writeSimConfig(dir, sim.url);
});

afterEach(async () => {
  for (const daemon of daemons.splice(0)) {
    daemon.child.kill('SIGKILL');
    await daemon.exited;
  }
  await sim.close();
});

describe('compshare-watch run', () => {
  it('turns each capacity flip into exactly one transition and one event, and stops cleanly on SIGTERM', async () => {
    const daemon = start();
    await waitFor(transitions, (rows) => rows.length === 2, 'the baseline');
    expect(events()).toEqual([]);

    await setRow(1, true);
    await waitFor(transitions, (rows) => rows.length === 3, 'the flip to available');
    await setRow(1, false);
    await waitFor(transitions, (rows) => rows.length === 4, 'the flip to sold out');
    // A few more polls of unchanged capacity add nothing.
    const pollsAfterFlips = polls().ok;
    await waitFor(polls, (count) => count.ok >= pollsAfterFlips + 3, 'three more polls');

    expect(transitions().slice(2)).toEqual([
      { gpu: 1, from_state: 'soldout', to_state: 'available' },
      { gpu: 1, from_state: 'available', to_state: 'soldout' },
    ]);
    expect(events()).toEqual(['capacity.available', 'capacity.soldout']);
    expect(daemon.stderr()).toMatch(/"msg":"capacity flipped"/);

    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    expect(daemon.stderr()).toMatch(/compshare-watch stopped/);
    expect(existsSync(`${db}.pid`)).toBe(false);
  });

  // Rate-limit answers slow the client down by a second each, on purpose: this test takes a while.
  it('records a burst of faults as failed polls and invents no transition', { timeout: 40_000 }, async () => {
    start();
    await waitFor(transitions, (rows) => rows.length === 2, 'the baseline');
    await setRow(1, true);
    await waitFor(transitions, (rows) => rows.length === 3, 'the flip to available');
    const action = 'CheckCompShareResourceCapacity';
    await sim.addFault({ kind: 'http', status: 503, count: 4, action });
    await sim.addFault({ kind: 'malformed', count: 2, action });
    await sim.addFault({ kind: 'hang', count: 2, action });
    await sim.addFault({ kind: 'retcode', retCode: 153, count: 4, action });
    await waitFor(polls, (count) => count.failed >= 3, 'failed polls');
    await waitFor(() => sim.simulator.state.faults.list().length, (left) => left === 0, 'the faults to be used up');
    const okBefore = polls().ok;
    await waitFor(polls, (count) => count.ok >= okBefore + 2, 'two good polls after the faults');

    expect(transitions()).toHaveLength(3);
    expect(events()).toEqual(['capacity.available']);
    const kinds = queryDb<{ error_kind: string }>(db, 'SELECT DISTINCT error_kind FROM polls WHERE error_kind IS NOT NULL').map((row) => row.error_kind);
    expect(kinds.length).toBeGreaterThanOrEqual(2);
  });

  it('loses no committed transition and invents none across kill -9 and restart', async () => {
    const first = start();
    await waitFor(transitions, (rows) => rows.length === 2, 'the baseline');
    await setRow(2, true);
    await waitFor(transitions, (rows) => rows.length === 3, 'the flip');
    first.child.kill('SIGKILL');
    await first.exited;
    const committed = transitions();

    // Capacity changes while the daemon is down; the restart must notice it on its first poll.
    await setRow(2, false);
    await setRow(1, true);
    const second = start();
    await waitFor(transitions, (rows) => rows.length >= 5, 'the flips that happened while down');
    const okBefore = polls().ok;
    await waitFor(polls, (count) => count.ok >= okBefore + 3, 'three more polls');

    const after = transitions();
    expect(after.slice(0, committed.length)).toEqual(committed);
    expect(after.slice(committed.length)).toEqual(
      expect.arrayContaining([
        { gpu: 1, from_state: 'soldout', to_state: 'available' },
        { gpu: 2, from_state: 'available', to_state: 'soldout' },
      ]),
    );
    expect(after).toHaveLength(5);
    expect(second.stderr()).not.toMatch(/already running/);
  });

  // The poll hangs past the shutdown grace (5 s), so this test takes that long.
  it('abandons a poll hung at shutdown quietly: no error after "stopped", exit 0', { timeout: 20_000 }, async () => {
    // One attempt hangs until its timeout, then rate-limit answers keep the poll retrying (and sleeping between
    // attempts) past the grace: it ends, and tries to record itself, only after shutdown.
    writeFileSync(config, readFileSync(config, 'utf8').replace('timeoutMs: 2000', 'timeoutMs: 3500'));
    const action = 'CheckCompShareResourceCapacity';
    await sim.addFault({ kind: 'hang', action, count: 1 });
    await sim.addFault({ kind: 'retcode', retCode: 153, action });
    const daemon = start();
    await waitFor(() => sim.simulator.state.requests.list().filter((entry) => entry.action === action).length, (count) => count > 0, 'a hung poll');
    daemon.child.kill('SIGTERM');

    expect(await daemon.exited).toBe(0);
    const lines = daemon.stderr().trim().split('\n');
    const stopped = lines.findIndex((line) => line.includes('compshare-watch stopped'));
    expect(stopped).toBeGreaterThan(-1);
    expect(lines.slice(stopped + 1)).toEqual([]);
    expect(daemon.stderr()).not.toMatch(/database connection is not open|"level":50/);
  });

  it('makes one call per tick for two watches of one request shape, and both record every poll', async () => {
    writeFileSync(config, `${readFileSync(config, 'utf8')}${watchYaml('w4090-two', 'compshareImage-test', '{ gpu: [2] }')}`);
    const daemon = start();
    const pollsPerWatch = () =>
      queryDb<{ name: string; polls: number }>(db, 'SELECT w.name, SUM(h.polls) AS polls FROM hourly_watch h JOIN watches w ON w.id = h.watch_id GROUP BY w.name ORDER BY w.name');
    await waitFor(pollsPerWatch, (rows) => rows.length === 2 && rows.every((row) => row.polls >= 3), 'three polls of each watch');
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);

    const [first, second] = pollsPerWatch();
    expect(first!.polls).toBe(second!.polls);
    const calls = (await sim.requests()).filter((entry) => entry.action === 'CheckCompShareResourceCapacity').length;
    // One more call than polls at most: the one a shutdown may cut off before its answer is recorded.
    expect(calls).toBeGreaterThanOrEqual(first!.polls);
    expect(calls).toBeLessThanOrEqual(first!.polls + 1);
    const keys = queryDb<{ name: string; gpu: number }>(db, 'SELECT w.name, k.gpu FROM spec_keys k JOIN watches w ON w.id = k.watch_id ORDER BY w.name, k.gpu');
    expect(keys).toEqual([
      { name: 'w4090', gpu: 1 },
      { name: 'w4090', gpu: 2 },
      { name: 'w4090-two', gpu: 2 },
    ]);
  });

  it('stops within the shutdown grace on SIGTERM with 500 polls queued behind the rate limit, nothing after "stopped"', async () => {
    // 500 request shapes every second at the default 5 requests/s, each answer 100 ms late: a queue 100 s long.
    const more = Array.from({ length: 499 }, (_, index) => watchYaml(`w${index}`, `compshareImage-${index}`, '{ gpu: [1] }'));
    writeFileSync(config, `${readFileSync(config, 'utf8')}${more.join('')}`);
    await sim.addFault({ kind: 'latency', ms: 100 });
    const daemon = start();
    const action = 'CheckCompShareResourceCapacity';
    await waitFor(() => sim.simulator.state.requests.list().filter((entry) => entry.action === action).length, (count) => count >= 5, 'polls under way');
    daemon.child.kill('SIGTERM');

    const exited = await Promise.race([daemon.exited, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS, 'still running'))]);
    expect(exited).toBe(0);
    const lines = daemon.stderr().trim().split('\n');
    const stopped = lines.findIndex((line) => line.includes('compshare-watch stopped'));
    expect(stopped).toBeGreaterThan(-1);
    expect(lines.slice(stopped + 1)).toEqual([]);
    expect(daemon.stderr()).not.toMatch(/database connection is not open|"level":50/);
  });

  it('refuses a second daemon on the same database, naming the first one', async () => {
    const first = start();
    await waitFor(() => existsSync(`${db}.pid`), Boolean, 'the lock');
    const second = await runCli(['run', '--config', config], { env: keys });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`another compshare-watch \\(pid ${first.child.pid}\\) is already running`));
  });

  it('answers history, stats and events from what run recorded', async () => {
    const daemon = start();
    await waitFor(transitions, (rows) => rows.length === 2, 'the baseline');
    await setRow(1, true);
    await waitFor(transitions, (rows) => rows.length === 3, 'the flip');
    daemon.child.kill('SIGTERM');
    await daemon.exited;

    const history = await runCli(['history', '--config', config, '--json'], { env: keys });
    expect(history.code).toBe(0);
    const rows = JSON.parse(history.stdout) as Array<{ gpu: number; from: string | null; to: string; ongoing: boolean }>;
    expect(rows[0]).toMatchObject({ gpu: 1, from: 'soldout', to: 'available', ongoing: true });

    const table = await runCli(['history', '--config', config], { env: keys });
    expect(table.stdout).toMatch(/w4090\s+1 GPU \/ 16 CPU \/ 64 GB\s+soldout -> available/);

    const stats = await runCli(['stats', '--config', config, '--json'], { env: keys });
    const parsed = JSON.parse(stats.stdout) as { keys: Array<{ gpu: number; state: string; windows: number; grid: unknown[][] }> };
    expect(parsed.keys.find((key) => key.gpu === 1)).toMatchObject({ state: 'available', windows: 1 });
    expect(parsed.keys[0]!.grid).toHaveLength(7);

    const text = await runCli(['stats', '--config', config], { env: keys });
    expect(text.stdout).toMatch(/% available over \d+ polls/);
    expect(text.stdout).toMatch(/^ {2}Mon {2}/m);

    const eventList = await runCli(['events', '--config', config, '--json'], { env: keys });
    expect((JSON.parse(eventList.stdout) as Array<{ type: string }>).map((event) => event.type)).toEqual(['capacity.available']);

    const badSince = await runCli(['history', '--config', config, '--since', 'yesterday'], { env: keys });
    expect(badSince.code).toBe(2);
    expect(badSince.stderr.trim()).toBe('compshare-watch: --since: expected a duration like 30m, 12h or 7d (got "yesterday")');
  });
});
