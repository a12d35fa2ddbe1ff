import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { writeSimConfig } from '../helpers/cli.js';
import { queryDb, startDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { put4090Rows, startTestSim, SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, SIM_ZONE, type TestSim } from '../helpers/sim.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { SHUTDOWN_GRACE_MS } from '../../src/daemon/runtime.js';

const tempDir = useTempDir();
const keys = { COMPSHARE_PUBLIC_KEY: SIM_PUBLIC_KEY, COMPSHARE_PRIVATE_KEY: SIM_PRIVATE_KEY };
let sim: TestSim;
let dir: string;
let config: string;
let db: string;
let daemon: DaemonProcess;

const secondWatch = `  - name: w4090-two
    schedule: "*/1 * * * * *"
    zone: ${SIM_ZONE}
    gpuType: "4090"
    imageId: compshareImage-two
    chargeType: Dynamic
    disks: [{ isBoot: true, type: CLOUD_SSD, size: 60 }]
    match: { gpu: [2] }
`;

const pollsOf = (watch: string) =>
  queryDb<{ n: number | null }>(db, `SELECT SUM(h.polls) AS n FROM hourly_watch h JOIN watches w ON w.id = h.watch_id WHERE w.name = '${watch}'`)[0]!.n ?? 0;
const logLines = () => daemon.stderr().trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
const linesSaying = (text: string) => logLines().filter((line) => String(line.msg).includes(text));

/** Waits until `watch` has polled `count` more times than now. */
async function morePolls(watch: string, count: number): Promise<void> {
  // Before the first poll there is no database yet to read: nothing polled so far.
  const seen = existsSync(db) ? pollsOf(watch) : 0;
  await waitFor(() => pollsOf(watch), (n) => n >= seen + count, `${count} more polls of ${watch}`);
}

async function reload(text: string): Promise<void> {
  const before = linesSaying('reloaded').length;
  daemon.child.kill('SIGHUP');
  await waitFor(() => linesSaying('reloaded').length, (n) => n > before, text);
}

function integrity(): string {
  const database = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (database.pragma('integrity_check', { simple: true }) as string);
  } finally {
    database.close();
  }
}

beforeEach(async () => {
  sim = await startTestSim();
  await put4090Rows(sim, [
    [1, 16, 64, false],
    [2, 32, 128, false],
  ]);
  dir = tempDir();
  db = join(dir, 'history.db');
  config = writeSimConfig(dir, sim.url);
});

afterEach(async () => {
  daemon.child.kill('SIGKILL');
  await daemon.exited;
  await sim.close();
});

describe('SIGHUP', () => {
  it('adds a watch from the edited config without a restart; the old watch keeps polling', async () => {
    daemon = startDaemon(config, keys);
    await morePolls('w4090', 2);
    writeFileSync(config, `${readFileSync(config, 'utf8')}${secondWatch}`);
    await reload('the reload');

    await morePolls('w4090-two', 2);
    await morePolls('w4090', 2);
    expect(daemon.child.exitCode).toBeNull();
    expect(linesSaying('compshare-watch running')).toHaveLength(1);
    expect(linesSaying('config reloaded')[0]).toMatchObject({ added: ['w4090-two'], removed: [], changed: [] });
    expect(logLines().filter((line) => Number(line.level) >= 50)).toEqual([]);
  });

  it('keeps the running config when the edited one is broken, and says why in one error line', async () => {
    daemon = startDaemon(config, keys);
    await morePolls('w4090', 2);
    writeFileSync(config, readFileSync(config, 'utf8').replace('schedule: "*/1 * * * * *"', 'schedule: "*/70 * * * *"'));
    await reload('the refused reload');

    await morePolls('w4090', 2);
    const errors = logLines().filter((line) => Number(line.level) >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(/^config not reloaded, the running one stays: .*config\.yaml: watches\[0\]\.schedule: /);
    expect(daemon.stderr()).not.toMatch(/\n\s+at /);
    expect(daemon.child.exitCode).toBeNull();
  });

  it('refuses a change of storage.path and keeps the database it has', async () => {
    daemon = startDaemon(config, keys);
    await morePolls('w4090', 2);
    writeFileSync(config, readFileSync(config, 'utf8').replace(join(dir, 'history.db'), join(dir, 'other.db')));
    await reload('the refused reload');

    await morePolls('w4090', 2);
    expect(linesSaying('config not reloaded')[0]!.msg).toMatch(/storage\.path changed .*restart the daemon/);
    expect(existsSync(join(dir, 'other.db'))).toBe(false);
  });

  it('after a notifier is removed, routes an event to the remaining channel only, once', async () => {
    const receiver: HttpReceiver = await startHttpReceiver();
    try {
      const notifiers = (names: string) => `notify: [${names}]
notifiers:
  kept: { type: webhook, url: "${receiver.origin}/kept" }
  gone: { type: webhook, url: "${receiver.origin}/gone" }
`;
      const base = readFileSync(config, 'utf8');
      writeFileSync(config, `${base}${notifiers('kept, gone')}`);
      daemon = startDaemon(config, keys);
      await morePolls('w4090', 2);
      writeFileSync(config, `${base}${notifiers('kept')}`.replace(/  gone: .*\n/, ''));
      await reload('the reload');

      await sim.control('PATCH', 'capacity', { zone: SIM_ZONE, gpuType: '4090', rows: [{ gpu: 1, enough: true }] });
      await waitFor(() => receiver.requests.length, (n) => n >= 1, 'the alert');
      await morePolls('w4090', 2);
      const rows = queryDb<{ channel: string }>(db, 'SELECT channel FROM outbox ORDER BY id');
      expect(rows).toEqual([{ channel: 'kept' }]);
      expect(receiver.requests.map((request) => request.url)).toEqual(['/kept']);
    } finally {
      await receiver.close();
    }
  });
});

describe('SIGTERM', () => {
  it('while a poll hangs: exits 0 within the grace, the database intact', async () => {
    daemon = startDaemon(config, keys);
    await morePolls('w4090', 1);
    await sim.addFault({ kind: 'hang', action: 'CheckCompShareResourceCapacity' });
    const calls = sim.simulator.state.requests.list().length;
    await waitFor(() => sim.simulator.state.requests.list().length, (n) => n > calls, 'a hung poll');
    daemon.child.kill('SIGTERM');

    const exited = await Promise.race([daemon.exited, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS, 'still running'))]);
    expect(exited).toBe(0);
    expect(integrity()).toBe('ok');
    expect(existsSync(`${db}.pid`)).toBe(false);
  });

  it('a second one during shutdown exits at once, the database closed and intact', async () => {
    daemon = startDaemon(config, keys);
    await morePolls('w4090', 1);
    await sim.addFault({ kind: 'hang', action: 'CheckCompShareResourceCapacity' });
    const calls = sim.simulator.state.requests.list().length;
    await waitFor(() => sim.simulator.state.requests.list().length, (n) => n > calls, 'a hung poll');
    daemon.child.kill('SIGTERM');
    await waitFor(() => linesSaying('stopping').length, (n) => n === 1, 'shutdown to begin');
    daemon.child.kill('SIGTERM');

    expect(await daemon.exited).toBe(143);
    expect(linesSaying('second signal')).toHaveLength(1);
    expect(linesSaying('compshare-watch stopped')).toHaveLength(0);
    expect(integrity()).toBe('ok');
    expect(existsSync(`${db}.pid`)).toBe(false);
  });
});
