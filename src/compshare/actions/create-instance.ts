import { z } from 'zod';
import type { CompshareClient } from '../client.js';
import { diskParams, type DiskSpec } from './disks.js';
import { parseResponse } from './wire.js';

/** What Create can bill: the capacity check's charge types plus Year. */
export const CREATE_CHARGE_TYPES = ['Dynamic', 'Postpay', 'Spot', 'Day', 'Month', 'Year'] as const;
export type CreateChargeType = (typeof CREATE_CHARGE_TYPES)[number];

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
  /** Always sent: the API's default is Month, a prepaid month. */
  chargeType: CreateChargeType;
  disks: readonly DiskSpec[];
  /** The caller's unique token: the API has no idempotency key, so a lost answer is found again by name. */
  name: string;
  remark?: string | undefined;
  /** The login password, sent base64-encoded as the API wants; never logged. */
  password?: string | undefined;
}

// An id is a short token (`uhost-…`); a bound keeps a runaway answer out of the ledger.
const responseSchema = z.object({ UHostIds: z.array(z.string().min(1).max(100)).min(1).max(100) });

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
    Password: request.password === undefined ? undefined : Buffer.from(request.password, 'utf8').toString('base64'),
    Quantity: 1,
  }, { urgent: true });
  return { instanceIds: parseResponse(action, responseSchema, response).UHostIds, requestUuid: response.requestUuid };
}
