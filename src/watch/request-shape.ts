import type { CapacityRequest } from '../compshare/actions/check-capacity.js';

/**
 * The key under which capacity requests are the same question to the API: every field the call sends, disks in
 * order. Watches with one key (and one schedule) share one call per tick, and the rate budget counts calls by it,
 * so both read it from here. A watch's `match` and detector settings are not part of it: they only read the answer.
 */
export function requestShapeKey(request: CapacityRequest): string {
  return JSON.stringify([
    request.zone,
    request.gpuType,
    request.machineType,
    request.minimalCpuPlatform,
    request.imageId,
    request.chargeType,
    request.disks.map((disk) => [disk.isBoot, disk.type, disk.size]),
  ]);
}

/** The key of one shared poll: the request shape, asked on one schedule read in one time zone. */
export function sharedPollKey(request: CapacityRequest, schedule: string, timezone: string): string {
  return JSON.stringify([requestShapeKey(request), schedule.trim(), timezone]);
}
