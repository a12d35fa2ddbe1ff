import { CHARGE_TYPES } from '../instances.js';
import { diskPrice, instancePrice } from '../pricing.js';
import { capacityFor, memoryMbParam, type SimAction } from '../action.js';

/**
 * GetCompShareInstancePrice: one PriceDetails row per charge type asked for (all of them when none is), repeated
 * as PriceDetail, the name the typed SDK reads.
 */
export const getInstancePrice: SimAction = {
  name: 'GetCompShareInstancePrice',
  scope: 'project',
  handle({ state, params }) {
    const zone = params.string('Zone');
    const gpuType = params.string('GpuType');
    const gpu = params.int('Gpu', 1);
    params.int('Cpu', 1);
    memoryMbParam(params);
    const disks = params.optionalDisks();
    const asked = params.optionalOneOf('ChargeType', CHARGE_TYPES);
    capacityFor(state, zone, gpuType);
    const rows = (asked ? [asked] : CHARGE_TYPES).map((chargeType) => ({
      ChargeType: chargeType,
      Instance: instancePrice(gpuType, gpu, chargeType),
      Disks: diskPrice(disks, chargeType),
      CompShareImage: 0,
    }));
    return { PriceDetails: rows, PriceDetail: rows };
  },
};
