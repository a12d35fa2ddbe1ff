import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { HistoryStore } from '../../src/store/history-store.js';
import { runCli, writeSimConfig } from '../helpers/cli.js';
import { queryDb, startDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { createRequests, put4090Rows, SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, startTestSim, type TestSim } from '../helpers/sim.js';
import { useTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait.js';

const KEYS = { COMPSHARE_PUBLIC_KEY: SIM_PUBLIC_KEY, COMPSHARE_PRIVATE_KEY: SIM_PRIVATE_KEY };

/** The watch opts in to `grab`, which takes a 1-GPU row, else a 2-GPU row, and stops what it creates after 8 hours. */
function provisionYaml({ dryRun = false, maxHourlyPrice = 5 } = {}): string {
  return `    provision: grab
provisioners:
  grab:
    dryRun: ${dryRun}
    candidates: [{ gpu: 1, cpu: 16, memGb: 64 }, { gpu: 2, cpu: 32, memGb: 128 }]
    maxHourlyPrice: ${maxHourlyPrice}
    stopPolicy: eight
stopPolicies:
  eight: { select: { tag: [nomatch] }, maxRuntimeHours: 8 }
  night: { select: { tag: [training] }, dailyAt: "23:30" }
`;
}

const tempDir = useTempDir();
let sim: TestSim;
let daemon: DaemonProcess | undefined;

beforeEach(async () => {
  sim = await startTestSim();
  await put4090Rows(sim, [
    [1, 16, 64, true],
    [2, 32, 128, true],
  ]);
});

afterEach(async () => {
  daemon?.child.kill('SIGKILL');
  await daemon?.exited;
  daemon = undefined;
  await sim.close();
});

function setUp(yaml = provisionYaml()): { config: string; db: string } {
  const dir = tempDir();
  return { config: writeSimConfig(dir, sim.url, yaml), db: join(dir, 'history.db') };
}

const cli = (args: readonly string[], config: string) => runCli([...args, '--config', config], { env: KEYS });

describe('provision test', () => {
  it('says it would create the first available candidate at its live price, and sends no Create', async () => {
    const { config } = setUp();
    const result = await cli(['provision', 'test', '--provisioner', 'grab'], config);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/1\/16\/64\s+w4090\s+Dynamic\s+yes\s+CNY 1\.90\/h/);
    expect(result.stdout).toContain('would create cn-wlcb-01 4090 1 GPU/16 CPU/64 GB Dynamic at CNY 1.90/h');
    expect(result.stdout).not.toContain('dry run');
    expect(await createRequests(sim)).toEqual([]);
    expect((await sim.requestCounts()).CreateCompShareInstance ?? 0).toBe(0);
  });

  it('fails over to the second candidate when the first is sold out (--json)', async () => {
    const { config } = setUp();
    await put4090Rows(sim, [
      [1, 16, 64, false],
      [2, 32, 128, true],
    ]);
    const result = await cli(['provision', 'test', '--provisioner', 'grab', '--json'], config);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.candidates.map((c: { available: boolean }) => c.available)).toEqual([false, true]);
    expect(json.decision).toMatchObject({ create: true, gpu: 2, cpu: 32, memGb: 128, chargeType: 'Dynamic' });
    expect(json.decision.hourlyPrice).toBeCloseTo(3.78, 2);
  });

  it('says why it would not create when the price is above maxHourlyPrice, exits 1, and sends no Create', async () => {
    const { config } = setUp(provisionYaml({ maxHourlyPrice: 1, dryRun: true }));
    const result = await cli(['provision', 'test', '--provisioner', 'grab'], config);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('would not create: 1/16/64: CNY 1.90/h is above maxHourlyPrice CNY 1.00/h');
    expect(result.stdout).toContain('a real run would only log this');
    expect(await createRequests(sim)).toEqual([]);
  });

  it('says nothing is available when every candidate is sold out, and exits 1', async () => {
    const { config } = setUp();
    await put4090Rows(sim, [
      [1, 16, 64, false],
      [2, 32, 128, false],
    ]);
    const result = await cli(['provision', 'test', '--provisioner', 'grab'], config);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/1\/16\/64\s+w4090\s+Dynamic\s+no\s+CNY 1\.90\/h/);
    expect(result.stdout).toContain('would not create: no candidate is available now\n');
  });

  it('names the configured provisioners (or watches) for an unknown one, and exits 2', async () => {
    const { config } = setUp();
    const result = await cli(['provision', 'test', '--provisioner', 'nope'], config);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('compshare-watch: unknown provisioner "nope" (configured: grab)\n');
    const watch = await cli(['provision', 'test', '--provisioner', 'grab', '--watch', 'w3090'], config);
    expect(watch.code).toBe(2);
    expect(watch.stderr).toBe('compshare-watch: watch "w3090" does not name provisioner "grab" (watches that do: w4090)\n');
  });
});

describe('provision status and resume', () => {
  it('shows a pause the ledger holds, lifts it once, then says it is not paused', async () => {
    const { config, db } = setUp();
    const store = HistoryStore.open(db);
    store.provisions.pause({ provisioner: 'grab', since: Date.now(), retCode: 226601, reason: 'the account is in arrears' });
    store.close();

    const [status, statusJson, test] = await Promise.all([
      cli(['provision', 'status'], config),
      cli(['provision', 'status', '--json'], config),
      cli(['provision', 'test', '--provisioner', 'grab'], config),
    ]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('provisioner grab: live (creates instances), paused since');
    expect(status.stdout).toContain('the account is in arrears (run: compshare-watch provision resume grab)');
    expect(status.stdout).toContain('instances: 0 of maxInstances 1');
    const json = JSON.parse(statusJson.stdout);
    expect(json[0]).toMatchObject({ provisioner: 'grab', dryRun: false, paused: { retCode: 226601 }, owned: [], recent: [] });
    expect(test.code).toBe(1);
    expect(test.stdout).toContain('would not create: paused since a create was refused');

    const resumed = await cli(['provision', 'resume', 'grab'], config);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/^resumed provisioner grab \(paused since .*: the account is in arrears\)\n$/);
    const again = await cli(['provision', 'resume', 'grab'], config);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('provisioner grab is not paused; nothing changed\n');
    expect(JSON.parse((await cli(['provision', 'status', '--json'], config)).stdout)[0].paused).toBeNull();
  });

  it('exits 2 naming the known provisioners for an unknown --provisioner or resume name', async () => {
    const { config, db } = setUp();
    HistoryStore.open(db).close();
    const status = await cli(['provision', 'status', '--provisioner', 'nope'], config);
    expect(status.code).toBe(2);
    expect(status.stderr).toBe('compshare-watch: unknown provisioner "nope" (configured: grab)\n');
    const resume = await cli(['provision', 'resume', 'nope'], config);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toBe('compshare-watch: unknown provisioner "nope" (configured: grab)\n');
  });
});

describe('after the daemon created an instance', () => {
  it('status shows it owned with its stop and the ledger row; instances names its owner; test is blocked', async () => {
    const { config, db } = setUp();
    await sim.control('POST', 'instances', {
      instances: [
        { uhostId: 'uhost-train', name: 'train-a', tag: 'training', gpuType: '4090', startAt: -3600 },
        { uhostId: 'uhost-dev', name: 'dev-box', gpuType: '4090', startAt: -3600 },
      ],
    });
    daemon = startDaemon(config, KEYS);
    await waitFor(() => createRequests(sim), (requests) => requests.length === 1, 'the Create');
    await sim.advance(10);
    const stops = () => queryDb<{ stop_status: string | null }>(db, 'SELECT stop_status FROM provision_intents');
    await waitFor(stops, (rows) => rows[0]?.stop_status === 'set', 'the stop policy on the new instance');
    const created = (await sim.instances()).find((instance) => String(instance.Name).startsWith('grab-'))!;

    // The daemon still runs: every command below reads beside it.
    const [status, statusJson, instances, instancesJson, test] = await Promise.all([
      cli(['provision', 'status'], config),
      cli(['provision', 'status', '--json'], config),
      cli(['instances'], config),
      cli(['instances', '--json'], config),
      cli(['provision', 'test', '--provisioner', 'grab'], config),
    ]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('instances: 1 of maxInstances 1');
    // Eight hours after it started, in the config's timezone.
    expect(status.stdout).toMatch(new RegExp(`${created.Name}\\s+${created.UHostId}\\s+(Running|Starting)\\s+[\\d: -]+ \\(in (7h 59m|8h)`));
    expect(status.stdout).toMatch(new RegExp(`${created.Name}\\s+created\\s+1/16/64\\s+CNY 1\\.90/h\\s+${created.UHostId}`));
    const [json] = JSON.parse(statusJson.stdout);
    expect(json.owned).toEqual([
      { name: created.Name, instanceId: created.UHostId, state: expect.any(String), stopStatus: 'set', stopTime: created.SchedulerStopTime },
    ]);
    const intent = json.recent.find((row: { name: string }) => row.name === created.Name);
    expect(intent).toMatchObject({ status: 'created', gpu: 1, cpu: 16, memGb: 64, hourlyPrice: 1.9, instanceId: created.UHostId });
    // The 2-GPU row was available too: its event's intent was held back by maxInstances.
    expect(json.recent.filter((row: { status: string }) => row.status !== 'blocked')).toEqual([intent]);

    expect(instances.code).toBe(0);
    const line = (id: string) => instances.stdout.split('\n').find((row) => row.startsWith(id)) ?? '';
    expect(line(created.UHostId)).toMatch(/(Running|Starting)\s+Dynamic\s+1 x 4090\s+16\s+64\s+[\d: -]+ \(in (7h 59m|8h)[^)]*\)\s+provisioner grab$/);
    // The daemon's reconciler may have given it the nightly stop by now; either way the policy owns it.
    expect(line('uhost-train')).toMatch(/\s+policy night$/);
    expect(line('uhost-dev')).toMatch(/none\s+-$/);
    const rows = JSON.parse(instancesJson.stdout);
    expect(rows.find((row: { id: string }) => row.id === created.UHostId)).toMatchObject({ provisioner: 'grab', policies: [] });
    expect(rows.find((row: { id: string }) => row.id === 'uhost-train')).toMatchObject({ provisioner: null, policies: ['night'] });
    expect(rows.find((row: { id: string }) => row.id === 'uhost-dev')).toMatchObject({ provisioner: null, policies: [], stopTime: null });

    expect(test.code).toBe(1);
    expect(test.stdout).toContain('would not create: it already owns 1 running or pending instance(s), maxInstances 1');
    expect(await createRequests(sim)).toHaveLength(1);
  });
});
