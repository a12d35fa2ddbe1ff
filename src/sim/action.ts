import type { CapacityEntry } from './capacity.js';
import type { Instance } from './instances.js';
import type { ParamReader } from './params.js';
import { RetCode, SimApiError, paramError } from './retcodes.js';
import type { SimState } from './state.js';

/** What a handler gets: the state (already synced to the sim clock) and the verified request's params. */
export interface ActionContext {
  state: SimState;
  params: ParamReader;
}

/** One API action, registered under its wire name. */
export interface SimAction {
  name: string;
  /**
   * `project`: acts on a project's resources in a region, so `Region` must be the simulator's and a `ProjectId`, when
   * sent, must exist. `account`: account-wide (project listing), so neither is checked: it is how callers find both.
   */
  scope: 'account' | 'project';
  /** Returns the response fields besides Action and RetCode, or throws SimApiError. */
  handle(context: ActionContext): Record<string, unknown>;
}

/** The only machine type Compshare sells. */
export const MACHINE_TYPES = ['G'] as const;

/** `Memory` in MB, which the platform only sells in whole GB. */
export function memoryMbParam(params: ParamReader): number {
  const memoryMb = params.int('Memory', 1024);
  if (memoryMb % 1024 !== 0) throw paramError('Memory', 'must be a multiple of 1024 (MB)');
  return memoryMb;
}

/** The capacity entry for (zone, GPU type); the gateway answers 8333 when the zone lacks the GPU type. */
export function capacityFor(state: SimState, zone: string, gpuType: string): CapacityEntry {
  const entry = state.capacity.get(zone, gpuType);
  if (!entry) {
    throw new SimApiError(RetCode.ZONE_LACKS_GPU_TYPE, `Zone [${zone}] does not offer GpuType [${gpuType}]`);
  }
  return entry;
}

/** The instance named by `UHostId` (and in `Zone`, when given). */
export function instanceFor({ state, params }: ActionContext): Instance {
  const uhostId = params.string('UHostId');
  const zone = params.optionalString('Zone');
  const instance = state.instances.get(uhostId);
  if (!instance || (zone !== undefined && instance.zone !== zone)) {
    throw paramError('UHostId', `instance ${uhostId} not found`);
  }
  return instance;
}
