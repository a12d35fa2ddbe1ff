import type { CompshareClient } from '../client.js';
import { callHostOperation } from './wire.js';

/** The API refuses stop times closer than this. */
export const MIN_STOP_LEAD_SECONDS = 300;

/** UpdateCompShareStopScheduler: sets (or creates) the instance's scheduled stop, in unix seconds. */
export function updateStopScheduler(
  client: CompshareClient,
  request: { zone: string; instanceId: string; stopTime: number },
): Promise<{ requestUuid: string | undefined }> {
  return callHostOperation(client, 'UpdateCompShareStopScheduler', {
    Zone: request.zone,
    UHostId: request.instanceId,
    SchedulerStopTime: request.stopTime,
  });
}
