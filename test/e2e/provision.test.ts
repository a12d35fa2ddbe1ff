import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { queryDb, type DaemonProcess } from '../helpers/daemon.js';
import {
  countOf,
  eventsOf,
  GRAB_PASSWORD,
  intents,
  morePolls,
  PROVISION_ENV,
  setRows,
  settledIntents,
  startProvisionDaemon,
  writeProvisionConfig,
  type ProvisionConfigOptions,
} from '../helpers/provision.js';
import { createRequests, startTestSim, type TestSim } from '../helpers/sim.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const CREATE = 'CreateCompShareInstance';
const tempDir = useTempDir();
let sim: TestSim;
let daemon: DaemonProcess | undefined;

beforeEach(async () => {
  sim = await startTestSim();
  daemon = undefined;
});

afterEach(async () => {
  daemon?.child.kill('SIGKILL');
  await daemon?.exited;
  await sim.close();
});

/**
 * Starts a daemon on rows set as given. The first poll's available rows trigger like a flip does (a baseline
 * event), so only a test about capacity appearing later needs to wait for polls.
 */
async function startWith(oneGpu: boolean, twoGpu: boolean, options: ProvisionConfigOptions = {}) {
  await setRows(sim, oneGpu, twoGpu);
  const config = writeProvisionConfig(tempDir(), sim.url, options);
  daemon = startProvisionDaemon(config);
  return config;
}

describe('run provisions when capacity appears', () => {
  it('sends exactly one Create with the configured request, then sets the stop policy on the new instance', async () => {
    const { db } = await startWith(false, false);
    await morePolls(sim, 2);
    await setRows(sim, true, false);

    const [create] = await waitFor(() => createRequests(sim), (rows) => rows.length === 1, 'the Create');
    expect(create!.params).toMatchObject({
      Zone: 'cn-wlcb-01',
      GpuType: '4090',
      GPU: '1',
      CPU: '16',
      Memory: String(64 * 1024),
      CompShareImageId: 'compshareImage-test',
      ChargeType: 'Dynamic',
      'Disks.0.IsBoot': 'true',
      'Disks.0.Type': 'CLOUD_SSD',
      'Disks.0.Size': '60',
      Password: Buffer.from(GRAB_PASSWORD).toString('base64'),
    });
    expect(create!.params.Name).toMatch(/^grab-[0-9a-f]{10}$/);

    await sim.advance(11);
    const [instance] = await waitFor(() => sim.instances(), (rows) => rows[0]?.SchedulerStopTime > 0, 'the stop on the new instance');
    expect(instance).toMatchObject({ Name: create!.params.Name, State: 'Running', ChargeType: 'Dynamic' });
    // maxRuntimeHours 8 after StartTime, though the policy's select (tag nomatch) matches no instance.
    expect(instance!.SchedulerStopTime).toBe(instance!.StartTime + 8 * 3600);
    const [created] = await waitFor(() => eventsOf(db, 'provision.created'), (rows) => rows.length === 1, 'provision.created');
    expect(created).toMatchObject({ instance: instance!.UHostId, name: create!.params.Name, stopTime: instance!.SchedulerStopTime, dryRun: false });
    expect(intents(db)).toMatchObject([{ status: 'created', instance_id: instance!.UHostId, stop_status: 'set' }]);
    expect(await countOf(sim, CREATE)).toBe(1);
    // The password went to the API only: not to the log, the ledger or the events.
    const stored = JSON.stringify([intents(db), eventsOf(db, 'provision.created')]);
    for (const secret of [GRAB_PASSWORD, create!.params.Password]) {
      expect(daemon!.stderr()).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
  });

  it('fails over to the second candidate when the first is sold out, with the provisioner chargeType override', async () => {
    const { db } = await startWith(false, true, { provisioner: { chargeType: 'Postpay' } });

    const [row] = await settledIntents(db, 1);
    expect(row).toMatchObject({ status: 'created', trigger_gpu: 2 });
    const creates = await createRequests(sim);
    expect(creates.map((entry) => [entry.params.GPU, entry.params.CPU, entry.params.Memory, entry.params.ChargeType])).toEqual([
      ['2', '32', String(128 * 1024), 'Postpay'],
    ]);
  });
});

describe('guardrails block a create', () => {
  it('maxInstances: a second flip while the first instance runs is blocked, still one Create', async () => {
    const { db } = await startWith(true, false);
    await settledIntents(db, 1);
    await setRows(sim, true, true);

    const rows = await settledIntents(db, 2);
    expect(rows.map((row) => row.status)).toEqual(['created', 'blocked']);
    expect(rows[1]!.reason).toContain('maxInstances 1');
    expect(await countOf(sim, CREATE)).toBe(1);
  });

  it('maxHourlyPrice: CNY 1.90/h above a CNY 1.50 ceiling creates nothing and alerts', async () => {
    const { db } = await startWith(true, false, { provisioner: { maxHourlyPrice: 1.5 } });

    expect(await settledIntents(db, 1)).toMatchObject([{ status: 'blocked' }]);
    const [failed] = eventsOf(db, 'provision.failed');
    expect(failed).toMatchObject({ failure: 'blocked' });
    expect(failed!.reason).toContain('maxHourlyPrice');
    expect(await countOf(sim, CREATE)).toBe(0);
  });

  it('dailyBudget: a day of CNY 1.90/h passes a CNY 10 budget, so nothing is created', async () => {
    const { db } = await startWith(true, false, { provisioner: { dailyBudget: 10 } });

    expect(await settledIntents(db, 1)).toMatchObject([{ status: 'blocked' }]);
    expect(eventsOf(db, 'provision.failed')[0]!.reason).toContain('dailyBudget');
    expect(await countOf(sim, CREATE)).toBe(0);
  });

  it('cooldown: after a refused create, the next flip within the cooldown sends no Create', async () => {
    await sim.addFault({ kind: 'retcode', retCode: 230, action: CREATE, count: 1 });
    const { db } = await startWith(true, false);
    expect(await settledIntents(db, 1)).toMatchObject([{ status: 'failed', failure: 'refused' }]);
    // The fault is used up: a Create now would succeed, so only the cooldown can stop it.
    await setRows(sim, true, true);

    const rows = await settledIntents(db, 2);
    expect(rows[1]).toMatchObject({ status: 'blocked' });
    expect(rows[1]!.reason).toContain('cooldown');
    expect(await countOf(sim, CREATE)).toBe(1);
  });

  it('dryRun: does everything but the Create and says so', async () => {
    const { db } = await startWith(true, false, { provisioner: { dryRun: true } });

    expect(await settledIntents(db, 1)).toMatchObject([{ status: 'dry-run', dry_run: 1 }]);
    const [created] = eventsOf(db, 'provision.created');
    expect(created).toMatchObject({ dryRun: true, instance: null, gpu: 1 });
    expect(await countOf(sim, CREATE)).toBe(0);
    expect(await sim.instances()).toEqual([]);
  });

  it('prepaid: run refuses chargeType Month without allowPrepaid, naming the key', async () => {
    const config = writeProvisionConfig(tempDir(), sim.url, { provisioner: { chargeType: 'Month' } });
    const result = await runCli(['run', '--config', config.path], { env: PROVISION_ENV });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('provisioners.grab.allowPrepaid');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await countOf(sim, CREATE)).toBe(0);
  });
});

describe('refused creates', () => {
  it('226604 (lost the race) is reported once and not retried while the row stays available', async () => {
    await sim.addFault({ kind: 'retcode', retCode: 226604, action: CREATE });
    const { db } = await startWith(true, false);

    expect(await settledIntents(db, 1)).toMatchObject([{ status: 'failed', failure: 'lost-race' }]);
    await morePolls(sim, 2);
    expect(await countOf(sim, CREATE)).toBe(1);
    expect(eventsOf(db, 'provision.failed').map((event) => event.failure)).toEqual(['lost-race']);
    expect(intents(db)).toHaveLength(1);
  });

  it('226601 (arrears) pauses the provisioner: later flips create nothing', async () => {
    await sim.addFault({ kind: 'retcode', retCode: 226601, action: CREATE, count: 1 });
    const { db } = await startWith(true, false);
    expect(await settledIntents(db, 1)).toMatchObject([{ status: 'failed', failure: 'paused' }]);
    await setRows(sim, true, true);

    const rows = await settledIntents(db, 2);
    expect(rows[1]).toMatchObject({ status: 'blocked' });
    expect(rows[1]!.reason).toContain('paused');
    expect(queryDb(db, 'SELECT provisioner, ret_code FROM provisioner_pauses')).toEqual([{ provisioner: 'grab', ret_code: 226601 }]);
    expect(await countOf(sim, CREATE)).toBe(1);
  });
});
