import { CHARGE_TYPES } from '../instances.js';
import { MACHINE_TYPES, capacityFor, type SimAction } from '../action.js';

/** The platforms the Check page documents (Create accepts the longer UHost list). */
const CPU_PLATFORMS = ['Intel/Auto', 'Amd/Auto', 'Auto'] as const;

/** CheckCompShareResourceCapacity: every documented param is required; the answer is the capacity table. */
export const checkCapacity: SimAction = {
  name: 'CheckCompShareResourceCapacity',
  scope: 'project',
  handle({ state, params }) {
    const zone = params.string('Zone');
    const gpuType = params.string('GpuType');
    params.oneOf('MachineType', MACHINE_TYPES);
    params.oneOf('MinimalCpuPlatform', CPU_PLATFORMS);
    params.string('CompShareImageId');
    params.oneOf('ChargeType', CHARGE_TYPES);
    params.disks();
    const { rows } = capacityFor(state, zone, gpuType);
    return { Specs: rows.map((row) => ({ Gpu: row.gpu, Cpu: row.cpu, Mem: row.mem, ResourceEnough: row.enough })) };
  },
};
