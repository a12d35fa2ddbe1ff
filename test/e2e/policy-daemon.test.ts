import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeSimConfig } from '../helpers/cli.js';
import { queryDb, startDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { startTestSim, SIM_PRIVATE_KEY, SIM_PUBLIC_KEY, type TestSim } from '../helpers/sim.js';
import { fleetPoliciesYaml, nightlyAtInNineHours, SELECTED_RUNNING, seedFleet, UNSELECTED } from '../helpers/sim-fleet.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir();
let sim: TestSim;
let daemon: DaemonProcess | undefined;

beforeEach(async () => {
  sim = await startTestSim();
  await seedFleet(sim);
});

afterEach(async () => {
  daemon?.child.kill('SIGKILL');
  await daemon?.exited;
  await sim.close();
});

describe('run reconciles stop policies', () => {
  it('sets the selected instances stop times on its own, once, and touches nothing else', async () => {
    const dir = tempDir();
    const db = join(dir, 'history.db');
    const config = writeSimConfig(dir, sim.url, `${fleetPoliciesYaml(nightlyAtInNineHours())}policyReconcile: "*/2 * * * * *"\n`);
    daemon = startDaemon(config, { COMPSHARE_PUBLIC_KEY: SIM_PUBLIC_KEY, COMPSHARE_PRIVATE_KEY: SIM_PRIVATE_KEY });

    const actions = () => queryDb<{ instance_id: string; result: string }>(db, 'SELECT instance_id, result FROM policy_actions ORDER BY id');
    await waitFor(actions, (rows) => rows.length >= SELECTED_RUNNING.length, 'the first reconcile');
    // Two more reconciles of an unchanged fleet add no action.
    const updates = async () => (await sim.requests()).filter((entry) => entry.action === 'DescribeCompShareInstance').length;
    const seen = await updates();
    await waitFor(updates, (count) => count >= seen + 2, 'two more reconciles');

    expect(actions().map((row) => row.instance_id).sort()).toEqual([...SELECTED_RUNNING].sort());
    expect(actions().every((row) => row.result === 'ok')).toBe(true);
    const instances = await sim.instances();
    const stopOf = (id: string) => instances.find((instance) => instance.UHostId === id)?.SchedulerStopTime as number;
    for (const id of SELECTED_RUNNING) expect(stopOf(id)).toBeGreaterThan(0);
    for (const id of UNSELECTED) expect(stopOf(id)).toBe(0);
    const updateCalls = (await sim.requests()).filter((entry) => entry.action === 'UpdateCompShareStopScheduler');
    expect(updateCalls).toHaveLength(SELECTED_RUNNING.length);
  });
});
