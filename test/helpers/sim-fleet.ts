import { stringify } from 'yaml';
import { stopPoliciesSchema } from '../../src/config/stop-policies.js';
import { formatLocalTime } from '../../src/util/time-format.js';
import type { PolicyMap } from '../../src/policy/plan.js';
import type { TestSim } from './sim.js';

const HOUR = 3600;

/** The policies the mixed fleet is planned against, as a user would write them under `stopPolicies:`. */
function fleetPolicyConfig(nightlyAt: string) {
  return {
    night: { select: { tag: ['training'] }, dailyAt: nightlyAt },
    cap: { select: { name: ['grab-*'] }, maxRuntimeHours: 8 },
  };
}

/** The policies, parsed by the config schema; the nightly stop at 23:30 suits a frozen clock at noon. */
export function fleetPolicies(nightlyAt = '23:30'): PolicyMap {
  return stopPoliciesSchema.parse(fleetPolicyConfig(nightlyAt));
}

/** The policies as config YAML. */
export function fleetPoliciesYaml(nightlyAt: string): string {
  return stringify({ stopPolicies: fleetPolicyConfig(nightlyAt) });
}

/**
 * A nightly stop about nine hours from the real clock (Shanghai time), for tests on the real clock: the plan then
 * reads the same at any hour (later than the user-set stop, after the cap on grab-new).
 */
export function nightlyAtInNineHours(): string {
  return formatLocalTime(Date.now() + 9 * HOUR * 1000, 'Asia/Shanghai').slice(11, 16);
}

/**
 * A fleet with every case the policies must tell apart; offsets are seconds from the moment it is seeded. The names
 * say what the plan should do with each.
 */
const FLEET = [
  { uhostId: 'uhost-train-a', name: 'train-a', tag: 'training', startAt: -2 * HOUR },
  // Stops in an hour, set by its user: earlier than the nightly stop, so it stays.
  { uhostId: 'uhost-train-b', name: 'train-b', tag: 'training', startAt: -HOUR, schedulerStopAt: HOUR },
  { uhostId: 'uhost-train-spot', name: 'train-spot', tag: 'training', chargeType: 'Spot', startAt: -HOUR },
  { uhostId: 'uhost-train-off', name: 'train-off', tag: 'training', state: 'Stopped', startAt: -5 * HOUR },
  // Running for 9 hours under an 8-hour cap: overdue.
  { uhostId: 'uhost-grab-old', name: 'grab-old', startAt: -9 * HOUR },
  // Selected by both policies: the cap (7 hours from now) comes before the nightly stop.
  { uhostId: 'uhost-grab-new', name: 'grab-new', tag: 'training', startAt: -HOUR },
  // Selected by nothing: the glob needs the dash, and the others carry other tags.
  { uhostId: 'uhost-grabber', name: 'grabber', startAt: -9 * HOUR },
  { uhostId: 'uhost-dev', name: 'dev-box', startAt: -HOUR },
  { uhostId: 'uhost-infer', name: 'infer-1', tag: 'inference', startAt: -HOUR },
] as const;

/** Instances the policies select and may change. */
export const SELECTED_RUNNING = ['uhost-train-a', 'uhost-grab-old', 'uhost-grab-new'] as const;
/** Instances no policy selects: never to be touched. */
export const UNSELECTED = ['uhost-grabber', 'uhost-dev', 'uhost-infer'] as const;

/** Adds the mixed fleet to a simulator (all 4090s in its default zone). */
export async function seedFleet(sim: TestSim): Promise<void> {
  await sim.control('POST', 'instances', { instances: FLEET.map((spec) => ({ gpuType: '4090', ...spec })) });
}
