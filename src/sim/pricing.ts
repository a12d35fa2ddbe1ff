import type { DiskParam } from './params.js';
import type { ChargeType } from './instances.js';

/** CNY per GPU per hour, pay-as-you-go; roughly the public price list's order of magnitude. */
const GPU_HOURLY: Readonly<Record<string, number>> = {
  '3090': 1.29,
  '4090': 1.88,
  '5090': 2.88,
  A100: 6.2,
  A800: 5.8,
  H20: 4.9,
};

/** CNY per GB of disk per hour. */
const DISK_GB_HOURLY = 0.0003;

/** What one billing period costs in pay-as-you-go hours (longer commitments are discounted). */
const PERIOD_HOURS: Readonly<Record<ChargeType, number>> = {
  Dynamic: 1,
  Postpay: 1,
  Spot: 0.4,
  Day: 24 * 0.95,
  Month: 24 * 30 * 0.8,
  Year: 24 * 365 * 0.7,
};

/** The hourly price of one GPU; types missing from the table get a stable made-up price between 1 and 6. */
function gpuHourly(gpuType: string): number {
  const listed = GPU_HOURLY[gpuType];
  if (listed !== undefined) return listed;
  let hash = 0;
  for (const char of gpuType) hash = (hash * 31 + char.charCodeAt(0)) % 500;
  return 1 + hash / 100;
}

function cny(amount: number): number {
  return Math.round(amount * 100) / 100;
}

/** The instance's price for one period of its charge type (per hour for Dynamic, Postpay and Spot). */
export function instancePrice(gpuType: string, gpu: number, chargeType: ChargeType): number {
  return cny(gpu * gpuHourly(gpuType) * PERIOD_HOURS[chargeType]);
}

/** The disks' price for one period of the charge type. */
export function diskPrice(disks: readonly DiskParam[], chargeType: ChargeType): number {
  const sizeGb = disks.reduce((sum, disk) => sum + disk.sizeGb, 0);
  return cny(sizeGb * DISK_GB_HOURLY * PERIOD_HOURS[chargeType]);
}
