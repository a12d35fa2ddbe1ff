import { z } from 'zod';
import type { CompshareClient } from '../client.js';
import type { ChargeType } from './check-capacity.js';
import { diskParams, type DiskSpec } from './disks.js';
import { parseResponse } from './wire.js';

export interface CreateInstanceRequest {
  zone: string;
  gpuType: string;
  gpu: number;
  cpu: number;
  /** GB; sent as MB (the API's unit for Create). */
  memGb: number;
  imageId: string;
  machineType: string;
  minimalCpuPlatform?: string | undefined;
  chargeType: ChargeType;
  disks: readonly DiskSpec[];
  /** The caller's unique token: the API has no idempotency key, so a lost answer is found again by name. */
  name: string;
  remark?: string | undefined;
}

const responseSchema = z.object({ UHostIds: z.array(z.string().min(1)).min(1) });

/** CreateCompShareInstance. The client never retries it (see retry.ts). */
export async function createInstance(
  client: CompshareClient,
  request: CreateInstanceRequest,
): Promise<{ instanceIds: string[]; requestUuid: string | undefined }> {
  const action = 'CreateCompShareInstance';
  const response = await client.call(action, {
    Zone: request.zone,
    GpuType: request.gpuType,
    GPU: request.gpu,
    CPU: request.cpu,
    Memory: request.memGb * 1024,
    CompShareImageId: request.imageId,
    MachineType: request.machineType,
    MinimalCpuPlatform: request.minimalCpuPlatform,
    ChargeType: request.chargeType,
    Disks: diskParams(request.disks),
    Name: request.name,
    Remark: request.remark,
    Quantity: 1,
  });
  return { instanceIds: parseResponse(action, responseSchema, response).UHostIds, requestUuid: response.requestUuid };
}
