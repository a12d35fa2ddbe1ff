import { describe, expect, it } from 'vitest';
import {
  desiredStopTime,
  earliestAllowedStop,
  type InstanceFacts,
  type NamedPolicy,
} from '../../src/policy/compute.js';
import { MIN_STOP_LEAD_SECONDS } from '../../src/compshare/actions/update-stop-scheduler.js';
import { maxRuntime } from '../../src/policy/rules/max-runtime.js';

const NOW = Date.parse('2026-03-10T12:00:00+08:00') / 1000;
const HOUR = 3600;

/** A policy whose rule asks for a fixed time, so each case reads as "policy wants X". */
function policy(name: string, stopAt: number, override = false): NamedPolicy {
  return { name, override, rule: { kind: 'fixed', summary: `fixed ${stopAt - NOW}s`, stopTime: () => stopAt } };
}

function instance(facts: Partial<InstanceFacts> = {}): InstanceFacts {
  return { state: 'Running', chargeType: 'Dynamic', startTime: NOW - HOUR, schedulerStopTime: 0, invalidTimes: [], ...facts };
}

describe('desiredStopTime', () => {
  it('skips an instance without a StartTime under maxRuntimeHours, instead of moving its stop at every reconcile', () => {
    const cap: NamedPolicy = { name: 'cap', override: false, rule: maxRuntime.compile({ maxRuntimeHours: 8 }) };
    const starting = instance({ startTime: 0 });
    for (const now of [NOW, NOW + 300, NOW + 600]) {
      const decision = desiredStopTime([cap], starting, now);
      expect(decision).toMatchObject({ action: 'skip' });
      expect(decision.reason).toMatch(/no StartTime reported yet/);
    }
    // Another policy that can name a time still applies.
    expect(desiredStopTime([cap, policy('night', NOW + 5 * HOUR)], starting, NOW)).toMatchObject({ action: 'set', policy: 'night' });
  });

  it('sets the policy time on an instance with no stop', () => {
    expect(desiredStopTime([policy('night', NOW + 11 * HOUR)], instance(), NOW)).toMatchObject({
      action: 'set',
      policy: 'night',
      desiredStop: NOW + 11 * HOUR,
      adjustment: undefined,
    });
  });

  it('takes the earliest of the policies that select the instance; a tie goes to the first configured', () => {
    const policies = [policy('night', NOW + 11 * HOUR), policy('cap', NOW + 7 * HOUR), policy('cap-too', NOW + 7 * HOUR)] as const;
    expect(desiredStopTime(policies, instance(), NOW)).toMatchObject({ action: 'set', policy: 'cap', desiredStop: NOW + 7 * HOUR });
  });

  it('leaves out a policy that names no real time (1e308 hours after start): the others still decide', () => {
    const runaway = policy('runaway', Number.POSITIVE_INFINITY);
    const decision = desiredStopTime([runaway, policy('night', NOW + 5 * HOUR)], instance(), NOW);
    expect(decision).toMatchObject({ action: 'set', policy: 'night', desiredStop: NOW + 5 * HOUR });
    expect(decision.failures).toEqual([{ policy: 'runaway', error: 'computed stop time Infinity, not a time between 2000-01-01 and 2100-01-01' }]);
    expect(desiredStopTime([runaway], instance(), NOW)).toMatchObject({ action: 'skip', reason: 'runaway failed: computed stop time Infinity, not a time between 2000-01-01 and 2100-01-01' });
  });

  it('skips a running instance whose times from the API are broken, naming them and the policies left undecided', () => {
    const decision = desiredStopTime([policy('night', NOW + HOUR), policy('cap', NOW + 2 * HOUR)], instance({ invalidTimes: ['StartTime 8000000000000000'] }), NOW);
    const error = 'the API reports StartTime 8000000000000000, not a time between 2000-01-01 and 2100-01-01';
    expect(decision).toEqual({ action: 'skip', reason: `${error}; not planned`, failures: [{ policy: 'night, cap', error }] });
  });

  describe('an instance the API cannot or need not schedule', () => {
    it.each([
      ['spot', instance({ chargeType: 'Spot' }), /spot/],
      ['stopped', instance({ state: 'Stopped' }), /not running \(Stopped\)/],
      ['stopping', instance({ state: 'Stopping' }), /not running \(Stopping\)/],
    ])('%s: skipped, with the reason', (_case, facts, reason) => {
      const decision = desiredStopTime([policy('night', NOW + HOUR)], facts, NOW);
      expect(decision.action).toBe('skip');
      expect(decision.reason).toMatch(reason);
    });

    it('a Starting instance is scheduled', () => {
      expect(desiredStopTime([policy('night', NOW + HOUR)], instance({ state: 'Starting', startTime: 0 }), NOW).action).toBe('set');
    });
  });

  describe('the 300 s floor', () => {
    it('raises a time under now + 300 s to now + 300 s plus the margin, and says so', () => {
      const decision = desiredStopTime([policy('night', NOW + 100)], instance(), NOW);
      expect(decision).toMatchObject({ action: 'set', desiredStop: earliestAllowedStop(NOW), policyStop: NOW + 100, adjustment: 'too-soon' });
      expect(earliestAllowedStop(NOW)).toBeGreaterThan(NOW + MIN_STOP_LEAD_SECONDS);
      expect(decision.reason).toBe('night: fixed 100s; due sooner than the API allows: stop in 6m, the earliest allowed');
    });

    it('leaves a time at the floor as it is', () => {
      const decision = desiredStopTime([policy('night', earliestAllowedStop(NOW))], instance(), NOW);
      expect(decision).toMatchObject({ desiredStop: earliestAllowedStop(NOW), adjustment: undefined });
    });

    it('stops an overdue instance as soon as allowed, reported as past due', () => {
      const decision = desiredStopTime([policy('cap', NOW - 2 * HOUR)], instance({ startTime: NOW - 10 * HOUR }), NOW);
      expect(decision).toMatchObject({ action: 'set', desiredStop: earliestAllowedStop(NOW), adjustment: 'past-due' });
      expect(decision.reason).toBe('cap: fixed -7200s; overdue: stop in 6m, the earliest allowed');
    });

    it('keeps a stop already set at or before the floor, even with override: nothing allowed now is sooner', () => {
      for (const schedulerStopTime of [NOW + 200, earliestAllowedStop(NOW) - 30, earliestAllowedStop(NOW) + 30]) {
        const decision = desiredStopTime([policy('cap', NOW - 2 * HOUR, true)], instance({ schedulerStopTime }), NOW);
        expect(decision).toMatchObject({ action: 'keep', reason: 'cap: fixed -7200s; overdue: the stop already set is as soon as allowed' });
      }
    });
  });

  describe('a stop already on the instance', () => {
    const wanted = NOW + 11 * HOUR;

    it('within a minute of the desired time: kept, no call', () => {
      expect(desiredStopTime([policy('night', wanted)], instance({ schedulerStopTime: wanted + 59 }), NOW)).toMatchObject({
        action: 'keep',
        reason: expect.stringMatching(/already set$/),
      });
      expect(desiredStopTime([policy('night', wanted)], instance({ schedulerStopTime: wanted + 61 }), NOW).action).toBe('set');
    });

    it('later than the policy wants: moved earlier', () => {
      expect(desiredStopTime([policy('night', wanted)], instance({ schedulerStopTime: wanted + 5 * HOUR }), NOW)).toMatchObject({
        action: 'set',
        desiredStop: wanted,
      });
    });

    it('earlier, override off (the default): kept', () => {
      const decision = desiredStopTime([policy('night', wanted)], instance({ schedulerStopTime: NOW + HOUR }), NOW);
      expect(decision).toMatchObject({ action: 'keep', desiredStop: wanted });
      expect(decision.reason).toMatch(/an earlier stop is already set \(override: false\)/);
    });

    it('earlier, override on: postponed to the policy time', () => {
      const decision = desiredStopTime([policy('night', wanted, true)], instance({ schedulerStopTime: NOW + HOUR }), NOW);
      expect(decision).toMatchObject({ action: 'set', desiredStop: wanted });
      expect(decision.reason).toMatch(/override: true/);
    });

    it('earlier, but the one this tool set last: moved (a policy edit takes effect)', () => {
      const ownStop = NOW + HOUR;
      const decision = desiredStopTime([policy('night', wanted)], instance({ schedulerStopTime: ownStop }), NOW, ownStop);
      expect(decision).toMatchObject({ action: 'set', desiredStop: wanted });
    });

    it('earlier, and this tool last set something else: the user changed it, kept', () => {
      const decision = desiredStopTime([policy('night', wanted)], instance({ schedulerStopTime: NOW + HOUR }), NOW, NOW + 2 * HOUR);
      expect(decision.action).toBe('keep');
    });

    it('already in the past (it did not stop the instance): treated as none', () => {
      expect(desiredStopTime([policy('night', wanted)], instance({ schedulerStopTime: NOW - 60 }), NOW).action).toBe('set');
    });
  });
});
