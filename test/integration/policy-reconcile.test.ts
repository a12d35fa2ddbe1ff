import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CompshareClient } from '../../src/compshare/client.js';
import { applyPlan, CONFIRM_INTERVAL_MS, POLICY_FAILED_EVENT } from '../../src/policy/apply.js';
import { earliestAllowedStop } from '../../src/policy/compute.js';
import { buildPlan, type PolicyMap } from '../../src/policy/plan.js';
import { reconcilePolicies } from '../../src/policy/reconcile.js';
import { HistoryStore } from '../../src/store/history-store.js';
import type { PolicyActionRepository } from '../../src/store/policy-actions.js';
import { simClient } from '../helpers/client.js';
import { captureLog } from '../helpers/notify.js';
import { fleetPolicies, seedFleet, SELECTED_RUNNING, UNSELECTED } from '../helpers/sim-fleet.js';
import { startTestSim, type TestSim } from '../helpers/sim.js';
import { useTempDir } from '../helpers/temp-dir.js';

/** Tuesday noon in Shanghai, frozen: only POST /__sim/clock moves time, for the simulator and the planner alike. */
const T0_MS = Date.parse('2026-03-10T12:00:00+08:00');
const HOUR = 3600;
const UPDATE = 'UpdateCompShareStopScheduler';

describe('policy plan and apply against the simulator', () => {
  const tempDir = useTempDir();
  let sim: TestSim;
  let client: CompshareClient;
  let store: HistoryStore;
  let actions: PolicyActionRepository;
  const sleeps: number[] = [];

  beforeEach(async () => {
    sim = await startTestSim({ now: () => T0_MS });
    await seedFleet(sim);
    client = simClient(sim);
    store = HistoryStore.open(`${tempDir()}/history.db`);
    actions = store.policyActions;
    sleeps.length = 0;
  });
  afterEach(async () => {
    store.close();
    await client.close();
    await sim.close();
  });

  const simNow = (): number => sim.simulator.state.nowSeconds();
  const plan = () => buildPlan(client, fleetPolicies(), { now: simNow(), ownStops: actions.ownStops() });
  const deps = () => ({
    client,
    store,
    actions,
    clock: { now: () => simNow() * 1000 },
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  });
  const updates = async () => (await sim.requests()).filter((request) => request.action === UPDATE);
  const stopOf = async (id: string) => (await sim.instances()).find((row) => row.UHostId === id)?.SchedulerStopTime as number;

  it('plans set, keep and skip for the selected instances only, with the reasons', async () => {
    const { rows, unmatchedPolicies } = await plan();
    const now = simNow();
    expect(rows.map((row) => [row.instance, row.action, row.policy])).toEqual([
      ['uhost-train-a', 'set', 'night'],
      ['uhost-train-b', 'keep', 'night'],
      ['uhost-train-spot', 'skip', null],
      ['uhost-train-off', 'skip', null],
      ['uhost-grab-old', 'set', 'cap'],
      ['uhost-grab-new', 'set', 'cap'],
    ]);
    const byId = new Map(rows.map((row) => [row.instance, row]));
    expect(byId.get('uhost-train-a')?.desiredStop).toBe(Date.parse('2026-03-10T23:30:00+08:00') / 1000);
    expect(byId.get('uhost-train-b')).toMatchObject({ currentStop: now + HOUR, reason: expect.stringMatching(/earlier stop is already set/) });
    expect(byId.get('uhost-train-spot')?.reason).toMatch(/spot/);
    expect(byId.get('uhost-train-off')?.reason).toBe('not running (Stopped)');
    expect(byId.get('uhost-grab-old')).toMatchObject({ desiredStop: earliestAllowedStop(now), adjustment: 'past-due' });
    expect(byId.get('uhost-grab-new')).toMatchObject({ desiredStop: now + 7 * HOUR, adjustment: null });
    expect(unmatchedPolicies).toEqual([]);
  });

  it('apply sets only the selected running non-spot instances, never under now + 300 s, and confirms each', async () => {
    const before = await sim.instances();
    const results = await applyPlan(await plan(), deps());

    expect(results.map((result) => [result.row.instance, result.result])).toEqual(SELECTED_RUNNING.map((id) => [id, 'ok']));
    const sent = await updates();
    expect(sent.map((request) => request.params.UHostId)).toEqual([...SELECTED_RUNNING]);
    for (const request of sent) {
      expect(Number(request.params.SchedulerStopTime)).toBeGreaterThanOrEqual(request.time + 300);
      expect(request.retCode).toBe(0);
    }
    for (const result of results) expect(await stopOf(result.row.instance)).toBe(result.stopTime);
    // Everything else reads exactly as before.
    const after = await sim.instances();
    for (const id of ['uhost-train-b', 'uhost-train-spot', 'uhost-train-off', ...UNSELECTED]) {
      expect(after.find((row) => row.UHostId === id)).toEqual(before.find((row) => row.UHostId === id));
    }
    // The first read-back already confirmed each one: no waiting.
    expect(sleeps).toEqual([]);
    expect(actions.recent(10).map((action) => [action.instanceId, action.result, action.oldStop])).toEqual(
      [...SELECTED_RUNNING].reverse().map((id) => [id, 'ok', null]),
    );
  });

  it('a second apply makes no Update call, also after time has moved on', async () => {
    await applyPlan(await plan(), deps());
    await sim.control('DELETE', 'requests');
    await sim.advance(120);

    const again = await plan();
    expect(again.rows.filter((row) => row.action === 'set')).toEqual([]);
    expect(await applyPlan(again, deps())).toEqual([]);
    expect(await updates()).toEqual([]);
  });

  it('an API failure on one instance is recorded and reported; the others proceed', async () => {
    await sim.addFault({ kind: 'retcode', action: UPDATE, count: 1, retCode: 8001, message: 'simulated refusal' });
    const results = await applyPlan(await plan(), deps());

    expect(results.map((result) => [result.row.instance, result.result])).toEqual([
      ['uhost-train-a', 'failed'],
      ['uhost-grab-old', 'ok'],
      ['uhost-grab-new', 'ok'],
    ]);
    expect(results[0]?.error).toMatch(/RetCode 8001: simulated refusal/);
    expect(await stopOf('uhost-train-a')).toBe(0);
    const [failed] = actions.recent(10).filter((action) => action.result === 'failed');
    expect(failed).toMatchObject({ instanceId: 'uhost-train-a', policy: 'night', error: expect.stringMatching(/RetCode 8001/) });
    expect(failed?.requestUuid).toEqual(expect.any(String));
    const events = store.events.list(0).filter((event) => event.type === POLICY_FAILED_EVENT);
    expect(events).toHaveLength(1);
    expect(events[0]?.payload).toMatchObject({ instance: 'uhost-train-a', policy: 'night', result: 'failed' });

    // The fault is gone: the next run sets it, and a repeat failure would not add a second event for the same stop.
    const retry = await applyPlan(await plan(), deps());
    expect(retry.map((result) => [result.row.instance, result.result])).toEqual([['uhost-train-a', 'ok']]);
  });

  it('reads back up to three times, 200 ms apart, and reports a change it could not see as unconfirmed', async () => {
    const rows = (await plan()).rows.filter((row) => row.instance === 'uhost-grab-new');
    await sim.control('DELETE', 'requests');
    await sim.addFault({ kind: 'retcode', action: 'DescribeCompShareInstance', count: 3, retCode: 8002 });
    const [result] = await applyPlan({ rows, problems: [] }, deps());

    expect(result).toMatchObject({ result: 'unconfirmed', error: expect.stringMatching(/reading the instance back showed .*RetCode 8002/) });
    expect(sleeps).toEqual([CONFIRM_INTERVAL_MS, CONFIRM_INTERVAL_MS]);
    expect((await sim.requests()).map((request) => request.action)).toEqual([UPDATE, ...Array(3).fill('DescribeCompShareInstance')]);
    expect(store.events.list(0).map((event) => event.type)).toEqual([POLICY_FAILED_EVENT]);
  });

  it('a policy that throws is reported for each instance it selects; the other policies still set their stops', async () => {
    const broken: PolicyMap = {
      // Listed first, so today's planner reaches it before any stop is set.
      broken: {
        select: { name: ['grab-*', 'train-a'] },
        override: false,
        rule: { kind: 'test', summary: 'throws', stopTime: () => { throw new Error('rule exploded'); } },
      },
      ...fleetPolicies(),
    };
    const { log, lines } = captureLog();
    await reconcilePolicies({ ...deps(), log }, broken);

    for (const id of SELECTED_RUNNING) expect(await stopOf(id)).toBeGreaterThan(0);
    const failures = store.events.list(0).filter((event) => event.type === POLICY_FAILED_EVENT);
    const payloads = failures.map((event) => event.payload as { instance: string });
    expect(payloads.sort((a, b) => a.instance.localeCompare(b.instance))).toEqual(
      ['uhost-grab-new', 'uhost-grab-old', 'uhost-train-a'].map((instance) =>
        expect.objectContaining({ instance, name: instance.slice('uhost-'.length), policy: 'broken', error: 'could not compute a stop time: rule exploded' }),
      ),
    );
    expect(lines().filter((line) => line.msg === 'scheduled stop not planned: could not compute a stop time: rule exploded')).toHaveLength(3);

    // The next reconcile does not alert again for the same instance runs.
    await reconcilePolicies({ ...deps(), log }, broken);
    expect(store.events.list(0).filter((event) => event.type === POLICY_FAILED_EVENT)).toHaveLength(3);
  });

  it('raises a planned time that aged past the API minimum before it was applied', async () => {
    const rows = (await plan()).rows.filter((row) => row.instance === 'uhost-grab-old');
    await sim.advance(10 * 60);
    const [result] = await applyPlan({ rows, problems: [] }, deps());
    expect(result).toMatchObject({ result: 'ok', stopTime: earliestAllowedStop(simNow()) });
  });
});
