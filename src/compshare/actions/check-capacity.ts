import { z } from 'zod';
import type { CompshareClient } from '../client.js';
import { diskParams, type DiskSpec } from './disks.js';
import { parseResponse, wireBool, wireInt } from './wire.js';

export const CHARGE_TYPES = ['Month', 'Day', 'Dynamic', 'Postpay', 'Spot'] as const;
export type ChargeType = (typeof CHARGE_TYPES)[number];

export interface CapacityRequest {
  zone: string;
  gpuType: string;
  machineType: string;
  minimalCpuPlatform: string;
  imageId: string;
  chargeType: ChargeType;
  disks: readonly DiskSpec[];
}

/** One GPU/CPU/memory combination and whether it can be created now. */
export interface CapacityRow {
  gpu: number;
  cpu: number;
  /** GB (CreateCompShareInstance takes MB: mem * 1024). */
  mem: number;
  resourceEnough: boolean;
}

// Specs is the answer itself: a success without it says nothing about capacity, so it is malformed.
const responseSchema = z.object({
  Specs: z.array(z.object({ Gpu: wireInt, Cpu: wireInt, Mem: wireInt, ResourceEnough: wireBool })),
});

/** CheckCompShareResourceCapacity: availability of every combination for one request shape. */
export async function checkResourceCapacity(
  client: CompshareClient,
  request: CapacityRequest,
): Promise<{ rows: CapacityRow[]; requestUuid: string | undefined }> {
  const action = 'CheckCompShareResourceCapacity';
  const response = await client.call(action, {
    Zone: request.zone,
    GpuType: request.gpuType,
    MachineType: request.machineType,
    MinimalCpuPlatform: request.minimalCpuPlatform,
    CompShareImageId: request.imageId,
    ChargeType: request.chargeType,
    Disks: diskParams(request.disks),
  });
  const { Specs } = parseResponse(action, responseSchema, response);
  const rows = Specs.map((row) => ({ gpu: row.Gpu, cpu: row.Cpu, mem: row.Mem, resourceEnough: row.ResourceEnough }));
  return { rows, requestUuid: response.requestUuid };
}
