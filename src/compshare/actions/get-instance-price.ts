import { z } from 'zod';
import type { CompshareClient } from '../client.js';
import type { CreateChargeType } from './create-instance.js';
import { diskParams, type DiskSpec } from './disks.js';
import { parseResponse, wireNumber, wireString } from './wire.js';

export interface PriceRequest {
  zone: string;
  gpuType: string;
  gpu: number;
  cpu: number;
  memGb: number;
  chargeType?: CreateChargeType | undefined;
  disks: readonly DiskSpec[];
  imageId?: string | undefined;
}

/** Prices in CNY for one charge type; for Dynamic and Postpay the figures are per hour. */
export interface PriceRow {
  chargeType: string;
  instance: number;
  disks: number;
  image: number;
  total: number;
}

const rowSchema = z.object({
  ChargeType: wireString,
  Instance: wireNumber.optional().default(0),
  Disks: wireNumber.optional().default(0),
  CompShareImage: wireNumber.optional().default(0),
});
// The docs and CLI say PriceDetails, the SDK says PriceDetail: accept either.
const responseSchema = z
  .object({ PriceDetails: z.array(rowSchema).optional(), PriceDetail: z.array(rowSchema).optional() })
  .refine((body) => body.PriceDetails ?? body.PriceDetail, { message: 'PriceDetails missing' });

/** GetCompShareInstancePrice. */
export async function getInstancePrice(client: CompshareClient, request: PriceRequest): Promise<PriceRow[]> {
  const action = 'GetCompShareInstancePrice';
  const response = await client.call(action, {
    Zone: request.zone,
    GpuType: request.gpuType,
    Gpu: request.gpu,
    Cpu: request.cpu,
    Memory: request.memGb * 1024,
    ChargeType: request.chargeType,
    Disks: diskParams(request.disks),
    CompShareImageId: request.imageId,
  });
  const body = parseResponse(action, responseSchema, response);
  return (body.PriceDetails ?? body.PriceDetail ?? []).map((row) => ({
    chargeType: row.ChargeType,
    instance: row.Instance,
    disks: row.Disks,
    image: row.CompShareImage,
    total: row.Instance + row.Disks + row.CompShareImage,
  }));
}
