import { z } from 'zod';
import type { ApiResponse, CompshareClient } from '../client.js';
import { diskParams, type DiskSpec } from './disks.js';
import { MalformedResponseError } from '../errors.js';
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

/**
 * The most rows one answer may hold. A real one lists a few dozen combinations; every row becomes a tracked key
 * with its own state, events and log lines, so a runaway answer must not become a runaway database.
 */
export const MAX_CAPACITY_ROWS = 1_000;

const CAPACITY_ACTION = 'CheckCompShareResourceCapacity';

const size = wireInt.pipe(z.number().positive());

// Specs is the answer itself: a success without it says nothing about capacity, so it is malformed.
const responseSchema = z.object({
  Specs: z
    .array(z.object({ Gpu: size, Cpu: size, Mem: size, ResourceEnough: wireBool }))
    .max(MAX_CAPACITY_ROWS, `more than ${MAX_CAPACITY_ROWS} rows`),
});

export interface CapacityAnswer {
  rows: CapacityRow[];
  requestUuid: string | undefined;
}

/** CheckCompShareResourceCapacity: availability of every combination for one request shape. */
export function checkResourceCapacity(client: CompshareClient, request: CapacityRequest): Promise<CapacityAnswer> {
  return capacityCheck(client, request)();
}

/** The same check as one prepared call, to be asked again and again (a watch's poll): signed and encoded once. */
export function capacityCheck(client: CompshareClient, request: CapacityRequest): () => Promise<CapacityAnswer> {
  const call = client.prepare(CAPACITY_ACTION, {
    Zone: request.zone,
    GpuType: request.gpuType,
    MachineType: request.machineType,
    MinimalCpuPlatform: request.minimalCpuPlatform,
    CompShareImageId: request.imageId,
    ChargeType: request.chargeType,
    Disks: diskParams(request.disks),
    // Capacity is the zone's, not a project's: the contract lists no ProjectId, so none is looked up for it.
  }, { withProject: 'if-configured' });
  return async () => {
    const response = await call();
    return { rows: withoutDuplicates(CAPACITY_ACTION, capacityRows(response), response.requestUuid), requestUuid: response.requestUuid };
  };
}

/** The answer's rows, or a MalformedResponseError naming what is wrong. */
export function capacityRows(response: ApiResponse): CapacityRow[] {
  const plain = plainRows(response.body);
  if (plain) return plain;
  const { Specs } = parseResponse(CAPACITY_ACTION, responseSchema, response);
  return Specs.map((row) => ({ gpu: row.Gpu, cpu: row.Cpu, mem: row.Mem, resourceEnough: row.ResourceEnough }));
}

/**
 * The rows of an answer in the gateway's usual form (JSON numbers and booleans), or undefined for any other, which
 * the schema then judges: it also takes numeric strings and says what is wrong. It accepts nothing the schema
 * refuses (a test holds the two to that). Every poll takes this path: measured in the daemon, a loop costs a
 * fraction of the schema's general machinery on each answer.
 */
function plainRows(body: Record<string, unknown>): CapacityRow[] | undefined {
  const specs = body.Specs;
  if (!Array.isArray(specs) || specs.length > MAX_CAPACITY_ROWS) return undefined;
  const rows: CapacityRow[] = [];
  for (const spec of specs as unknown[]) {
    if (typeof spec !== 'object' || spec === null) return undefined;
    const { Gpu, Cpu, Mem, ResourceEnough } = spec as Record<string, unknown>;
    if (!isSize(Gpu) || !isSize(Cpu) || !isSize(Mem) || typeof ResourceEnough !== 'boolean') return undefined;
    rows.push({ gpu: Gpu, cpu: Cpu, mem: Mem, resourceEnough: ResourceEnough });
  }
  return rows;
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/**
 * One row per combination. A repeated row that agrees is the same fact twice; one that disagrees leaves no way to
 * tell which is true, so the answer is refused rather than one of them picked silently.
 */
function withoutDuplicates(action: string, rows: CapacityRow[], requestUuid: string | undefined): CapacityRow[] {
  const byCombination = new Map<string, CapacityRow>();
  for (const row of rows) {
    const combination = `${row.gpu}/${row.cpu}/${row.mem}`;
    const seen = byCombination.get(combination);
    if (seen === undefined) byCombination.set(combination, row);
    else if (seen.resourceEnough !== row.resourceEnough) {
      throw new MalformedResponseError(action, `Specs: conflicting ResourceEnough for Gpu/Cpu/Mem ${combination}`, requestUuid);
    }
  }
  return [...byCombination.values()];
}
