import { CHARGE_TYPES, newInstance } from '../instances.js';
import { RetCode, SimApiError, paramError } from '../retcodes.js';
import { MACHINE_TYPES, capacityFor, memoryMbParam, type SimAction } from '../action.js';

/** Padded standard base64, as the API takes `Password`; a plain-text password is refused. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * CreateCompShareInstance: creates one instance when the matching capacity row is enough; it boots on sim time.
 * `Quantity` is the number of prepaid periods bought (the SDK's "购买时长"), not a number of instances. `Name` is
 * kept verbatim: a caller that lost the answer finds its instance by that name.
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
    // Month when left out, like the real API: a client that forgets ChargeType buys a month.
    const chargeType = params.oneOf('ChargeType', CHARGE_TYPES, 'Month');
    const password = params.optionalString('Password');
    // The reason never echoes the value: it is a password.
    if (password !== undefined && !BASE64.test(password)) throw paramError('Password', 'expected base64');
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
