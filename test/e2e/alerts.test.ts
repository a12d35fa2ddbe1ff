import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeSimConfig } from '../helpers/cli.js';
import { queryDb, startDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { put4090Rows, startTestSim, SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, SIM_ZONE, type TestSim } from '../helpers/sim.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp.js';
import { startHttpReceiver, type HttpReceiver } from '../helpers/http-receiver.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
const keys = { COMPSHARE_PUBLIC_KEY: SIM_PUBLIC_KEY, COMPSHARE_PRIVATE_KEY: SIM_PRIVATE_KEY };
let sim: TestSim;
let smtp: TestSmtpServer;
let hook: HttpReceiver;
let daemon: DaemonProcess | undefined;
let db: string;

beforeEach(async () => {
  sim = await startTestSim();
  await put4090Rows(sim, [
    [1, 16, 64, false],
    [2, 32, 128, false],
  ]);
  smtp = await startSmtpServer();
  hook = await startHttpReceiver();
  const dir = tempDir();
  db = join(dir, 'history.db');
  const config = writeSimConfig(
    dir,
    sim.url,
    `locale: en
notify: [mail, hook]
notifiers:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false }
    from: watch@example.com
    to: [me@example.com]
  hook:
    type: webhook
    url: ${hook.origin}/alerts
`,
  );
  daemon = startDaemon(config, keys);
});

afterEach(async () => {
  daemon?.child.kill('SIGKILL');
  await daemon?.exited;
  await Promise.all([sim.close(), smtp.close(), hook.close()]);
});

describe('alerts end to end', () => {
  it('turns a capacity flip into one email and one webhook', async () => {
    const transitions = () => queryDb<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM transitions')[0]!.n;
    await waitFor(transitions, (n) => n === 2, 'the baseline');
    expect(smtp.messages).toHaveLength(0);

    await sim.control('PATCH', 'capacity', { zone: SIM_ZONE, gpuType: '4090', rows: [{ gpu: 1, enough: true }] });
    await waitFor(() => Math.min(smtp.messages.length, hook.requests.length), (both) => both >= 1, 'the alerts');
    // A few more polls of the same capacity send nothing more.
    const polls = () => queryDb<{ n: number }>(db, 'SELECT SUM(polls) AS n FROM hourly_watch')[0]!.n;
    const seen = polls();
    await waitFor(polls, (n) => n >= seen + 3, 'three more polls');

    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail.subject).toMatch(/4090/);
    expect(mail.text).toMatch(/w4090/);
    expect(mail.text).toMatch(/https:\/\/console\.compshare\.cn\//);
    expect(mail.html).toBeTruthy();
    expect(hook.requests).toHaveLength(1);
    const body = JSON.parse(hook.requests[0]!.body) as { event: { type: string; payload: Record<string, unknown> } };
    expect(body.event.type).toBe('capacity.available');
    expect(body.event.payload).toMatchObject({ watch: 'w4090', gpu: 1, cpu: 16, mem: 64 });
    expect(queryDb<{ status: string }>(db, 'SELECT DISTINCT status FROM outbox')).toEqual([{ status: 'sent' }]);
  });
});
