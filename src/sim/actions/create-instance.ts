import { CHARGE_TYPES, newInstance } from '../instances.js';
import { RetCode, SimApiError } from '../retcodes.js';
import { CPU_PLATFORMS, MACHINE_TYPES, capacityFor, memoryMbParam, type SimAction } from '../action.js';

/** Mirrors the largest account quota. */
const MAX_QUANTITY = 100;

/** CreateCompShareInstance: succeeds only when the matching capacity row is enough; instances boot on sim time. */
export const createInstance: SimAction = {
  name: 'CreateCompShareInstance',
  scope: 'project',
  handle({ state, params }) {
    const zone = params.string('Zone');
    const gpuType = params.string('GpuType');
    const gpu = params.int('GPU', 1);
    const cpu = params.int('CPU', 1);
    const memoryMb = memoryMbParam(params);
    params.string('CompShareImageId');
    params.oneOf('MachineType', MACHINE_TYPES);
    params.disks();
    const chargeType = params.oneOf('ChargeType', CHARGE_TYPES, 'Month');
    const cpuPlatform = params.oneOf('MinimalCpuPlatform', CPU_PLATFORMS, 'Auto');
    const quantity = params.optionalInt('Quantity', 1, MAX_QUANTITY) ?? 1;
    const row = capacityFor(state, zone, gpuType).rows.find(
      (candidate) => candidate.gpu === gpu && candidate.cpu === cpu && candidate.mem * 1024 === memoryMb,
    );
    if (!row?.enough) throw new SimApiError(RetCode.RESOURCES_NOT_ENOUGH, 'resources not enough');
    const now = state.nowSeconds();
    const fields = {
      name: params.optionalString('Name') ?? `${gpuType}-instance`,
      tag: params.optionalString('Tag') ?? 'Default',
      remark: params.optionalString('Remark') ?? '',
      state: 'Initializing' as const,
      chargeType,
      zone,
      gpuType,
      cpuPlatform,
      gpu,
      cpu,
      memoryMb,
      startTime: 0,
      schedulerStopTime: 0,
    };
    const created = Array.from({ length: quantity }, () => newInstance(fields, now));
    for (const instance of created) state.instances.add(instance);
    return { UHostIds: created.map((instance) => instance.uhostId) };
  },
};
