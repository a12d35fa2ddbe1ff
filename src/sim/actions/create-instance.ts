import { CHARGE_TYPES, newInstance } from '../instances.js';
import { RetCode, SimApiError } from '../retcodes.js';
import { MACHINE_TYPES, capacityFor, memoryMbParam, type SimAction } from '../action.js';

/**
 * CreateCompShareInstance: creates one instance when the matching capacity row is enough; it boots on sim time.
 * `Quantity` is the number of prepaid periods bought (the SDK's "购买时长"), not a number of instances.
 */
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
    const cpuPlatform = params.optionalString('MinimalCpuPlatform') ?? 'Intel/Auto';
    const periods = params.optionalInt('Quantity') ?? 1;
    const row = capacityFor(state, zone, gpuType).rows.find(
      (candidate) => candidate.gpu === gpu && candidate.cpu === cpu && candidate.mem * 1024 === memoryMb,
    );
    if (!row?.enough) throw new SimApiError(RetCode.RESOURCES_NOT_ENOUGH, 'resources not enough');
    const instance = newInstance(
      {
        name: params.optionalString('Name') ?? `${gpuType}-instance`,
        tag: params.optionalString('Tag') ?? 'Default',
        remark: params.optionalString('Remark') ?? '',
        state: 'Initializing',
        chargeType,
        zone,
        gpuType,
        cpuPlatform,
        gpu,
        cpu,
        memoryMb,
        startTime: 0,
        schedulerStopTime: 0,
        periods,
        listingLagSeconds: state.settings.listingLagSeconds,
      },
      state.nowSeconds(),
    );
    state.instances.add(instance);
    return { UHostIds: [instance.uhostId] };
  },
};
