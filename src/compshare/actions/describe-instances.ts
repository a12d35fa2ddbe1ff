import { z } from 'zod';
import type { CompshareClient } from '../client.js';
import { isSaneTime } from '../../util/sane-time.js';
import { parseResponse, wireInt, wireNumber, wireString } from './wire.js';

/** An instance as the rest of the program sees it; times are unix seconds, 0 means "not set". */
export interface Instance {
  id: string;
  name: string;
  /** The business group, which policies select on. */
  tag: string;
  remark: string;
  state: string;
  chargeType: string;
  region: string;
  zone: string;
  gpuType: string;
  gpu: number;
  cpu: number;
  memoryMb: number;
  createTime: number;
  startTime: number;
  schedulerStopTime: number;
  instancePrice: number;
  /**
   * The time fields the API sent that are not real times (e.g. `StartTime 8000000000000000`); each reads as 0 above.
   * Empty for a sound instance; the policy planner skips an instance that has any, instead of acting on a guess.
   */
  invalidTimes: readonly string[];
}

export interface InstanceFilter {
  zone?: string | undefined;
  tag?: string | undefined;
  ids?: readonly string[] | undefined;
}

/** The API's page size ceiling, also the most UHostIds one request may name. */
export const MAX_PAGE_SIZE = 100;

const optionalInt = wireInt.optional().default(0);
// Times are read per instance (toInstance), so one broken time never fails the listing of every other instance.
const wireTime = z.unknown().optional();
const hostSchema = z.object({
  UHostId: z.string().min(1),
  Name: wireString,
  Tag: wireString,
  Remark: wireString,
  State: wireString,
  ChargeType: wireString,
  Region: wireString,
  Zone: wireString,
  GpuType: wireString,
  GPU: optionalInt,
  CPU: optionalInt,
  Memory: optionalInt,
  CreateTime: wireTime,
  StartTime: wireTime,
  SchedulerStopTime: wireTime,
  StopSchedulerTime: wireTime,
  InstancePrice: wireNumber.optional().default(0),
});
const responseSchema = z.object({
  // Absent is not 0: without it, only a full page says another may follow.
  TotalCount: wireInt.optional(),
  UHostSet: z.array(hostSchema).optional().default([]),
});

/** DescribeCompShareInstance, one page; `totalCount` is undefined when the answer left it out. */
export async function describeInstances(
  client: CompshareClient,
  filter: InstanceFilter,
  page: { limit: number; offset: number },
): Promise<{ instances: Instance[]; totalCount: number | undefined }> {
  const action = 'DescribeCompShareInstance';
  const response = await client.call(action, {
    Zone: filter.zone,
    Tag: filter.tag,
    UHostIds: filter.ids ? [...filter.ids] : undefined,
    Limit: Math.min(page.limit, MAX_PAGE_SIZE),
    Offset: page.offset,
  });
  const body = parseResponse(action, responseSchema, response);
  return { instances: body.UHostSet.map(toInstance), totalCount: body.TotalCount };
}

/** Every instance matching the filter, across all pages (and id chunks of at most 100). */
export async function listAllInstances(client: CompshareClient, filter: InstanceFilter = {}): Promise<Instance[]> {
  // An empty list sends no UHostIds at all, which the gateway reads as "no filter": every instance.
  if (filter.ids?.length === 0) return [];
  if (filter.ids && filter.ids.length > MAX_PAGE_SIZE) {
    const all: Instance[] = [];
    for (let start = 0; start < filter.ids.length; start += MAX_PAGE_SIZE) {
      all.push(...(await listAllInstances(client, { ...filter, ids: filter.ids.slice(start, start + MAX_PAGE_SIZE) })));
    }
    return all;
  }
  const all: Instance[] = [];
  for (;;) {
    const { instances, totalCount } = await describeInstances(client, filter, { limit: MAX_PAGE_SIZE, offset: all.length });
    all.push(...instances);
    if (!morePages(all.length, instances.length, totalCount)) return all;
  }
}

/** Whether another page may follow; without a TotalCount only a full page says so. */
function morePages(listed: number, pageLength: number, totalCount: number | undefined): boolean {
  if (pageLength === 0) return false;
  return totalCount === undefined ? pageLength === MAX_PAGE_SIZE : listed < totalCount;
}

function toInstance(host: z.output<typeof hostSchema>): Instance {
  const invalidTimes: string[] = [];
  const time = (field: string, value: unknown): number => {
    const seconds = timeOf(value);
    if (seconds === undefined) invalidTimes.push(`${field} ${shown(value)}`);
    return seconds ?? 0;
  };
  // The official CLI reads SchedulerStopTime; older SDKs named it StopSchedulerTime.
  const stopField = host.SchedulerStopTime !== undefined ? 'SchedulerStopTime' : 'StopSchedulerTime';
  return {
    id: host.UHostId,
    name: host.Name,
    tag: host.Tag,
    remark: host.Remark,
    state: host.State,
    chargeType: host.ChargeType,
    region: host.Region,
    zone: host.Zone,
    gpuType: host.GpuType,
    gpu: host.GPU,
    cpu: host.CPU,
    memoryMb: host.Memory,
    createTime: time('CreateTime', host.CreateTime),
    startTime: time('StartTime', host.StartTime),
    schedulerStopTime: time(stopField, host[stopField]),
    instancePrice: host.InstancePrice,
    invalidTimes,
  };
}

/** Unix seconds of a wire time; 0 when it is not set (absent, 0, ""); undefined when it is not a real time. */
function timeOf(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '' || value === 0 || value === '0') return 0;
  const seconds = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
  return typeof seconds === 'number' && isSaneTime(seconds) ? seconds : undefined;
}

/** A far-end value for a message: a number as written, anything else only by its kind (no far-end text). */
function shown(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string' && /^[\d.eE+-]{1,24}$/.test(value)) return `"${value}"`;
  return `(${value === null ? 'null' : typeof value})`;
}
