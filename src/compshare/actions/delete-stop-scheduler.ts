import type { CompshareClient } from '../client.js';
import { callHostOperation } from './wire.js';

/** DeleteCompShareStopScheduler: removes the instance's scheduled stop. */
export function deleteStopScheduler(
  client: CompshareClient,
  request: { zone?: string | undefined; instanceId: string },
): Promise<{ requestUuid: string | undefined }> {
  return callHostOperation(client, 'DeleteCompShareStopScheduler', { Zone: request.zone, UHostId: request.instanceId });
}
