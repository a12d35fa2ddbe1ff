import { afterAll, beforeAll, it } from 'vitest';
import { join } from 'node:path';
import { writeSimConfig } from '../helpers/cli.js';
import { queryDb, startDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { put4090Rows, startTestSim, SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, SIM_ZONE, type TestSim } from '../helpers/sim.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { median } from '../../src/history/windows.js';
import { report } from './results.js';

const tempDir = useTempDir();
let sim: TestSim;
let smtp: TestSmtpServer;
let hook: HttpReceiver;
let daemon: DaemonProcess;
let db: string;
const mailArrivals: number[] = [];

beforeAll(async () => {
  sim = await startTestSim();
  await put4090Rows(sim, [[1, 16, 64, false]]);
  smtp = await startSmtpServer();
  const originalPush = smtp.messages.push.bind(smtp.messages);
  smtp.messages.push = (...items) => {
    mailArrivals.push(Date.now());
    return originalPush(...items);
  };
  hook = await startHttpReceiver();
  const dir = tempDir();
  db = join(dir, 'history.db');
  const config = writeSimConfig(dir, sim.url, `notify: [mail, hook]
delivery: { groupWindow: 0s }
notifiers:
  mail: { type: email, smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false }, from: a@example.com, to: [b@example.com] }
  hook: { type: webhook, url: ${hook.origin}/ }
`);
  daemon = startDaemon(config, { COMPSHARE_PUBLIC_KEY: SIM_PUBLIC_KEY, COMPSHARE_PRIVATE_KEY: SIM_PRIVATE_KEY });
});

afterAll(async () => {
  daemon.child.kill('SIGTERM');
  await daemon.exited;
  await Promise.all([sim.close(), smtp.close(), hook.close()]);
});

it('alert latency: confirming poll to email and webhook arrival', async () => {
  const hookArrivals: number[] = [];
  const originalPush = hook.requests.push.bind(hook.requests);
  hook.requests.push = (...items) => {
    hookArrivals.push(Date.now());
    return originalPush(...items);
  };
  await waitFor(() => queryDb<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM transitions')[0]!.n, (n) => n >= 1, 'baseline');
  const flips = 6;
  for (let i = 0; i < flips; i++) {
    await sim.control('PATCH', 'capacity', { zone: SIM_ZONE, gpuType: '4090', rows: [{ gpu: 1, enough: i % 2 === 0 }] });
    await waitFor(() => hookArrivals.length, (n) => n >= i + 1, `alert ${i + 1}`, { timeoutMs: 30_000 });
  }
  await waitFor(() => mailArrivals.length, (n) => n >= flips, 'all mails', { timeoutMs: 30_000 });
  const events = queryDb<{ created_at: number }>(db, "SELECT created_at FROM events WHERE type LIKE 'capacity.%' ORDER BY seq");
  const mailLatency = events.map((event, index) => mailArrivals[index]! - event.created_at);
  const hookLatency = events.map((event, index) => hookArrivals[index]! - event.created_at);
  report('alert-latency', {
    alerts: events.length,
    emailMedianMs: median(mailLatency)!,
    emailMaxMs: Math.max(...mailLatency),
    webhookMedianMs: median(hookLatency)!,
    webhookMaxMs: Math.max(...hookLatency),
  });
});
