import { SIM_ZONE } from '../../helpers/sim.js';

/**
 * The watch the alert scenarios flip: one 1-GPU 4090 row on a 1 s schedule, confirmed by one reading each way, so
 * every capacity change the scenario makes is one alert.
 */
export function flippingWatch(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'w4090',
    schedule: '*/1 * * * * *',
    zone: SIM_ZONE,
    gpuType: '4090',
    imageId: 'compshareImage-faults',
    chargeType: 'Dynamic',
    disks: [{ isBoot: true, type: 'CLOUD_SSD', size: 60 }],
    match: { gpu: [1] },
    confirmUp: 1,
    confirmDown: 1,
    ...extra,
  };
}
