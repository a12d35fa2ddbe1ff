import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { startHttpServer, type RunningHttpServer } from '../../src/daemon/http.js';
import { DaemonMetrics } from '../../src/daemon/metrics.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { runCli, writeSimConfig } from '../helpers/cli.js';
import { queryDb, startDaemon } from '../helpers/daemon.js';
import { closedPort } from '../helpers/http-receiver.js';
import { captureLog } from '../helpers/notify.js';
import { put4090Rows, startTestSim, SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, type TestSim } from '../helpers/sim.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const tempDir = useTempDir();
const keys = { COMPSHARE_PUBLIC_KEY: SIM_PUBLIC_KEY, COMPSHARE_PRIVATE_KEY: SIM_PRIVATE_KEY };
const TOKEN = 'status-test-token-0123456789';
let sim: TestSim;
let dir: string;
let db: string;

beforeEach(async () => {
  sim = await startTestSim();
  await put4090Rows(sim, [[1, 16, 64, true], [2, 32, 128, false]]);
  dir = tempDir();
  db = join(dir, 'history.db');
});
afterEach(async () => {
  await sim.close();
});

/** The config with `http.listen` on `port` (and the token); the rest is writeSimConfig's. */
function writeConfig(port: number): string {
  return writeSimConfig(dir, sim.url, `http: { listen: "127.0.0.1:${port}", token: ${TOKEN} }\n`);
}

/** Runs the real daemon until it recorded a poll, then stops it: the database a stopped daemon leaves. */
async function pollOnceWithDaemon(config: string): Promise<void> {
  const daemon = startDaemon(config, keys);
  try {
    await waitFor(() => queryDb<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM spec_keys')[0]!.n, (n) => n === 2, 'both spec keys recorded');
  } finally {
    daemon.child.kill('SIGTERM');
    await daemon.exited;
  }
}

describe('compshare-watch status', () => {
  it('says no daemon runs and exits 1 when there is neither a daemon nor a database', async () => {
    const config = writeConfig(await closedPort());
    const result = await runCli(['status', '--config', config], { env: keys });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^compshare-watch: no daemon runs and there is no history at .*history\.db yet/);
  });

  it('without a daemon prints what the database last recorded and exits 1', async () => {
    const config = writeConfig(await closedPort());
    await pollOnceWithDaemon(config);
    const result = await runCli(['status', '--config', config], { env: keys });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('from database (no daemon running)');
    expect(result.stdout).toMatch(/w4090 {2}last poll \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect(result.stdout).toMatch(/1 GPU \/ 16 CPU \/ 64 GB {2}available since /);
    expect(result.stdout).toMatch(/2 GPU \/ 32 CPU \/ 128 GB {2}soldout since /);
    expect(result.stderr).toContain('no daemon runs');
    const json = JSON.parse((await runCli(['status', '--config', config, '--json'], { env: keys })).stdout);
    expect(json).toMatchObject({ source: 'database (no daemon running)', running: false, watches: [{ name: 'w4090', result: 'ok' }] });
  });

  describe('with a daemon serving http', () => {
    let server: RunningHttpServer | undefined;
    let store: HistoryStore | undefined;
    afterEach(async () => {
      await server?.close();
      store?.close();
    });

    /** Serves the database the stopped daemon left the way a running one does, on the port the config names. */
    async function serveDaemonState(config: string, startedAt: number): Promise<void> {
      const { config: loaded } = await loadConfigFile({ path: config, env: keys });
      store = HistoryStore.open(db);
      const view = { store, config: () => loaded, ready: () => true, startedAt, metrics: new DaemonMetrics(), clock: { now: () => Date.now() } };
      const listen = loaded.http === false ? '' : loaded.http.listen;
      server = await startHttpServer({ listen, token: TOKEN, view, log: captureLog().log });
    }

    it("prints the daemon's live state (asking with the token) and exits 0 while no watch is blind", async () => {
      const port = await closedPort();
      const config = writeConfig(port);
      await pollOnceWithDaemon(config);
      await serveDaemonState(config, Date.now());
      const result = await runCli(['status', '--config', config], { env: keys });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('from daemon');
      expect(result.stdout).toMatch(/w4090 {2}last poll .* {2}ok/);
      expect(result.stdout).toContain('no blind watches');
      expect(result.stdout).toContain('outbox: 0 pending, 0 failed');
    });

    it('exits 1 naming the watch when the daemon reports it late, and refuses a wrong token with one line', async () => {
      const port = await closedPort();
      const config = writeConfig(port);
      await pollOnceWithDaemon(config);
      // Rather than wait three intervals: the daemon started, and last polled, a day ago.
      const dayAgo = Date.now() - 86_400_000;
      const write = new Database(db);
      write.prepare('UPDATE watches SET last_ok_at = ?').run(dayAgo);
      write.close();
      await serveDaemonState(config, dayAgo);
      const late = await runCli(['status', '--config', config, '--json'], { env: keys });
      expect(late.code).toBe(1);
      expect(JSON.parse(late.stdout)).toMatchObject({ source: 'daemon', running: true, blind: ['w4090'] });
      writeFileSync(config, readFileSync(config, 'utf8').replace(TOKEN, 'a-different-token-0123456789'));
      const refused = await runCli(['status', '--config', config], { env: keys });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/^compshare-watch: the daemon at http:\/\/127\.0\.0\.1:\d+\/api\/state refused http\.token/);
    });
  });

  it('asks a running daemon (run as a child process) and prints its live state; /healthz and /metrics answer', { timeout: 60_000 }, async () => {
    const port = await closedPort();
    const config = writeConfig(port);
    const daemon = startDaemon(config, keys);
    try {
      await waitFor(() => daemon.stderr(), (text) => text.includes('status page and API listening'), 'the HTTP server');
      // /healthz is 200 from the start (a watch gets three intervals for its first poll): wait for the poll itself.
      await waitFor(() => queryDb<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM spec_keys')[0]!.n, (n) => n === 2, 'the first poll');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const result = await runCli(['status', '--config', config], { env: keys });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('from daemon');
      expect(result.stdout).toMatch(/1 GPU \/ 16 CPU \/ 64 GB {2}available since /);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
      expect(metrics).toMatch(/compshare_watch_polls_total\{watch="w4090",result="ok"\} [1-9]/);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);

      // Every poll fails: /healthz turns 503 naming the watch; once polls succeed again, it is 200 again.
      await sim.addFault({ kind: 'http', status: 503, action: 'CheckCompShareResourceCapacity' });
      const healthz = async () => {
        const response = await fetch(`http://127.0.0.1:${port}/healthz`);
        return { status: response.status, body: await response.text() };
      };
      const failing = await waitFor(healthz, (answer) => answer.status === 503, 'healthz 503', { timeoutMs: 20_000 });
      expect(failing.body).toContain('w4090');
      await sim.control('DELETE', 'faults');
      await waitFor(healthz, (answer) => answer.status === 200, 'healthz 200 again', { timeoutMs: 20_000 });
    } finally {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    }
  });
});
