import { describe, expect, it } from 'vitest';
import type { Instance } from '../../src/compshare/actions/describe-instances.js';
import { planInstances, type StopPolicy } from '../../src/policy/plan.js';
import { maxRuntime } from '../../src/policy/rules/max-runtime.js';
import { formatStop } from '../../src/cli/policy.js';

const NOW = Date.parse('2026-03-10T12:00:00+08:00') / 1000;
const HOUR = 3600;

function instance(id: string, fields: Partial<Instance> = {}): Instance {
  return {
    id,
    name: id,
    tag: 'Default',
    remark: '',
    state: 'Running',
    chargeType: 'Dynamic',
    region: 'cn-wlcb',
    zone: 'cn-wlcb-01',
    gpuType: '4090',
    gpu: 1,
    cpu: 16,
    memoryMb: 65536,
    createTime: NOW - HOUR,
    startTime: NOW - HOUR,
    schedulerStopTime: 0,
    instancePrice: 2,
    invalidTimes: [],
    ...fields,
  };
}

const capAfter = (hours: number, select: StopPolicy['select']): StopPolicy => ({
  select,
  override: false,
  rule: maxRuntime.compile({ maxRuntimeHours: hours }),
});

const policies = {
  training: capAfter(10, { tag: ['training'] }),
  grabbed: capAfter(4, { name: ['grab-*'] }),
  nothing: capAfter(1, { ids: ['uhost-gone'] }),
};
const fleet = [
  instance('train-1', { tag: 'training' }),
  instance('grab-1', { tag: 'training' }),
  instance('dev-1'),
];

describe('planInstances', () => {
  it('narrows to --policy by the policy names themselves, not names every object has (constructor, toString)', () => {
    const tricky = { night: capAfter(10, { tag: ['training'] }), constructor: capAfter(4, { name: ['dev-*'] }) };
    const plan = planInstances(tricky, fleet, { now: NOW, only: 'night' });
    expect(plan.rows.map((row) => row.instance)).toEqual(['train-1', 'grab-1']);
    expect(planInstances(tricky, fleet, { now: NOW, only: 'toString' }).rows).toEqual([]);
  });

  it('plans only the instances some policy selects, and names the policies that select none', () => {
    const plan = planInstances(policies, fleet, { now: NOW });
    expect(plan.rows.map((row) => [row.instance, row.action, row.policy])).toEqual([
      ['train-1', 'set', 'training'],
      ['grab-1', 'set', 'grabbed'],
    ]);
    expect(plan.unmatchedPolicies).toEqual(['nothing']);
    expect(plan.rows[0]).toMatchObject({ currentStop: null, desiredStop: NOW + 9 * HOUR, policyStop: NOW + 9 * HOUR });
  });

  it('plans an instance a provisioner created under its stop policy, whatever that policy selects', () => {
    const owned = new Map([['dev-1', 'nothing']]);
    const plan = planInstances(policies, fleet, { now: NOW, owned });
    expect(plan.rows.find((row) => row.instance === 'dev-1')).toMatchObject({ action: 'set', policy: 'nothing', policyStop: NOW });
    expect(plan.unmatchedPolicies).toEqual([]);
  });

  it('--policy limits the instances, but every policy still decides their stop time', () => {
    const plan = planInstances(policies, fleet, { now: NOW, only: 'training' });
    // grab-1 is tagged training; the grabbed policy's earlier stop still wins for it.
    expect(plan.rows.map((row) => [row.instance, row.policy, row.desiredStop])).toEqual([
      ['train-1', 'training', NOW + 9 * HOUR],
      ['grab-1', 'grabbed', NOW + 3 * HOUR],
    ]);
    expect(plan.unmatchedPolicies).toEqual([]);
  });

  it('uses the stop this tool set last to tell its own earlier stop from the user\'s', () => {
    const withStop = [instance('train-1', { tag: 'training', schedulerStopTime: NOW + HOUR })];
    expect(planInstances(policies, withStop, { now: NOW }).rows[0]?.action).toBe('keep');
    const ownStops = new Map([['train-1', NOW + HOUR]]);
    expect(planInstances(policies, withStop, { now: NOW, ownStops }).rows[0]?.action).toBe('set');
  });
});

describe('formatStop', () => {
  const tz = 'Asia/Shanghai';
  it('shows today as HH:MM and the time left', () => {
    expect(formatStop(Date.parse('2026-03-10T23:30:00+08:00') / 1000, Date.parse('2026-03-10T21:25:00+08:00') / 1000, tz)).toBe(
      '23:30 (in 2h 5m)',
    );
  });

  it('shows another day with its date, a past time as "ago", and none as "-"', () => {
    expect(formatStop(Date.parse('2026-03-11T23:30:00+08:00') / 1000, NOW, tz)).toBe('03-11 23:30 (in 1d 11h)');
    expect(formatStop(NOW - 120, NOW, tz)).toBe('11:58 (2m ago)');
    expect(formatStop(null, NOW, tz)).toBe('-');
  });

  it('reads the time in the given zone', () => {
    expect(formatStop(NOW + HOUR, NOW, 'UTC')).toBe('05:00 (in 1h)');
  });
});
