import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { policyCommand } from '../../src/cli/commands/policy.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { HistoryStore } from '../../src/store/history-store.js';
import { CLI_PATH, runCli, writeSimConfig } from '../helpers/cli.js';
import { queryDb } from '../helpers/daemon.js';
import { fleetPoliciesYaml, nightlyAtInNineHours, seedFleet, SELECTED_RUNNING } from '../helpers/sim-fleet.js';
import { SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, startTestSim, type TestSim } from '../helpers/sim.js';
import { useTempDir } from '../helpers/temp-dir.js';

const KEYS_ENV = { COMPSHARE_PUBLIC_KEY: SIM_PUBLIC_KEY, COMPSHARE_PRIVATE_KEY: SIM_PRIVATE_KEY };
const UPDATE = 'UpdateCompShareStopScheduler';

/** The CLI against a simulator on the real clock, as a user runs it. */
describe('compshare-watch policy', () => {
  const tempDir = useTempDir();
  let sim: TestSim;
  let dir: string;
  let config: string;

  beforeEach(async () => {
    sim = await startTestSim();
    await seedFleet(sim);
    dir = tempDir();
    config = writeSimConfig(dir, sim.url, fleetPoliciesYaml(nightlyAtInNineHours()));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    process.exitCode = undefined;
    await sim.close();
  });

  /** Runs the command in this process and returns what it printed on stdout. */
  async function run(args: string[]): Promise<string> {
    for (const [name, value] of Object.entries(KEYS_ENV)) vi.stubEnv(name, value);
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await policyCommand().exitOverride().parseAsync(args, { from: 'user' });
    } finally {
      vi.mocked(process.stdout.write).mockRestore();
    }
    return written.join('');
  }

  const updates = async () => (await sim.requests()).filter((request) => request.action === UPDATE);

  describe('apply', () => {
    it('--yes sets the planned stops, prints the results, and a second run changes nothing', async () => {
      const first = JSON.parse(await run(['apply', '--yes', '--json', '-c', config]));
      expect(first.results.map((row: { instance: string; result: string }) => [row.instance, row.result])).toEqual(
        SELECTED_RUNNING.map((id) => [id, 'ok']),
      );
      expect(process.exitCode ?? 0).toBe(0);
      const sent = await updates();
      expect(sent.map((request) => request.params.UHostId)).toEqual([...SELECTED_RUNNING]);
      for (const request of sent) expect(Number(request.params.SchedulerStopTime)).toBeGreaterThanOrEqual(request.time + 300);

      await sim.control('DELETE', 'requests');
      expect(await run(['apply', '--yes', '-c', config])).toMatch(/^nothing to change/);
      expect(await updates()).toEqual([]);
    });

    it('exits 1 when a change failed, after trying the others, and names the failure', async () => {
      await sim.addFault({ kind: 'retcode', action: UPDATE, count: 1, retCode: 8001, message: 'simulated refusal' });
      const output = await run(['apply', '--yes', '-c', config]);
      expect(process.exitCode).toBe(1);
      expect(output).toMatch(/uhost-train-a .* failed .*RetCode 8001: simulated refusal/);
      expect(output).toMatch(/2 set, 1 failed/);
      expect((await updates()).map((request) => request.params.UHostId)).toEqual([...SELECTED_RUNNING]);
    });

    it('queues the failure alert for the daemon to deliver', async () => {
      const withNotifier = writeSimConfig(
        dir,
        sim.url,
        `${fleetPoliciesYaml(nightlyAtInNineHours())}notify: [hook]\nnotifiers:\n  hook: { type: webhook, url: "http://127.0.0.1:9/" }\n`,
      );
      await sim.addFault({ kind: 'retcode', action: UPDATE, count: 1, retCode: 8001, message: 'simulated refusal' });
      await run(['apply', '--yes', '-c', withNotifier]);
      const queued = queryDb(join(dir, 'history.db'), 'SELECT o.channel, o.status, e.type FROM outbox o JOIN events e ON e.seq = o.event_seq');
      expect(queued).toEqual([{ channel: 'hook', status: 'pending', type: 'policy.failed' }]);
    });

    it('sets the other stops when one instance reports a broken StartTime, names that one and exits 1', async () => {
      await sim.control('POST', 'instances', { instances: [{ uhostId: 'uhost-grab-future', name: 'grab-future', gpuType: '4090', startAt: 8e15 }] });
      const output = await run(['apply', '--yes', '-c', config]);
      expect(process.exitCode).toBe(1);
      expect(output).toMatch(/3 set, 0 failed/);
      expect(output).toMatch(/not planned: uhost-grab-future \(grab-future\), policy cap: the API reports StartTime \d+, not a time between/);
      expect((await updates()).map((request) => request.params.UHostId)).toEqual([...SELECTED_RUNNING]);
    });

    it('refuses to run without --yes when there is no terminal to confirm on', async () => {
      await expect(run(['apply', '-c', config])).rejects.toThrow(UsageError);
      expect(await sim.requests()).toEqual([]);
    });
  });

  it('plan reports an instance whose StartTime is no real time as skipped and plans the others', async () => {
    const future = { uhostId: 'uhost-grab-future', name: 'grab-future', gpuType: '4090', startAt: 8e15 };
    await sim.control('POST', 'instances', { instances: [future] });
    const output = await run(['plan', '-c', config]);
    expect(output).toMatch(/uhost-grab-future .* skip +the API reports StartTime \d+, not a time between 2000-01-01 and 2100-01-01; not planned/);
    expect(output).toMatch(/uhost-grab-old .* set +cap: 8h after start/);
    expect(output).toMatch(/3 to set, 1 to keep, 3 skipped/);

    const plan = JSON.parse(await run(['plan', '--json', '-c', config]));
    expect(plan.problems).toEqual([expect.objectContaining({ instance: 'uhost-grab-future', name: 'grab-future', policy: 'cap' })]);
  });

  it('plan --policy limits the table to that policy\'s instances', async () => {
    const output = await run(['plan', '--policy', 'cap', '-c', config]);
    const lines = output.split('\n');
    expect(lines[0]).toMatch(/^INSTANCE +NAME +TAG +STATE +CURRENT STOP +DESIRED STOP +ACTION +REASON$/);
    expect(lines.filter((line) => line.startsWith('uhost-')).map((line) => line.split(/\s+/)[0])).toEqual([
      'uhost-grab-old',
      'uhost-grab-new',
    ]);
    expect(output).toMatch(/uhost-grab-old .*\(in 6m\) +set +cap: 8h after start; overdue: stop in 6m, the earliest allowed/);
    expect(output).toMatch(/2 to set, 0 to keep, 0 skipped \(times in Asia\/Shanghai\)/);
    await expect(run(['plan', '--policy', 'nope', '-c', config])).rejects.toThrow('unknown policy "nope" (configured: night, cap)');
  });

  it('clear removes one schedule, records it, and warns that a policy will set it again', async () => {
    const output = await run(['clear', '--instance', 'uhost-train-b', '-c', config]);
    expect(output).toMatch(/^cleared the scheduled stop of uhost-train-b \(train-b\); it was (?:\d{2}-\d{2} )?\d{2}:\d{2} \(in (59m|1h)\)/);
    expect(output).toMatch(/note: policy "night" selects this instance/);
    expect((await sim.instances()).find((row) => row.UHostId === 'uhost-train-b')?.SchedulerStopTime).toBe(0);
    const store = HistoryStore.open(join(dir, 'history.db'));
    try {
      expect(store.policyActions.recent(5)).toMatchObject([
        { instanceId: 'uhost-train-b', action: 'clear', policy: null, newStop: null, result: 'ok' },
      ]);
    } finally {
      store.close();
    }
    await expect(run(['clear', '--instance', 'uhost-nope', '-c', config])).rejects.toThrow('no instance uhost-nope in region cn-wlcb');
  });

  describe('as a process (after npm run build)', () => {
    beforeEach(() => {
      expect(existsSync(CLI_PATH), `${CLI_PATH} is missing: run npm run build first`).toBe(true);
    });

    it('plan --json prints the plan and exits 0', async () => {
      const { code, stdout, stderr } = await runCli(['policy', 'plan', '--json', '-c', config], { env: KEYS_ENV });
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const plan = JSON.parse(stdout);
      expect(plan.rows.map((row: { instance: string; action: string }) => [row.instance, row.action])).toEqual([
        ['uhost-train-a', 'set'],
        ['uhost-train-b', 'keep'],
        ['uhost-train-spot', 'skip'],
        ['uhost-train-off', 'skip'],
        ['uhost-grab-old', 'set'],
        ['uhost-grab-new', 'set'],
      ]);
      expect(plan.rows[0]).toMatchObject({ name: 'train-a', tag: 'training', state: 'Running', currentStop: null, policy: 'night' });
      expect(await updates()).toEqual([]);
    });

    it('apply without --yes and without a terminal exits 2 with one line', async () => {
      const { code, stdout, stderr } = await runCli(['policy', 'apply', '-c', config], { env: KEYS_ENV });
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe('compshare-watch: policy apply changes instances; without a terminal to confirm on, pass --yes\n');
    });
  });
});
