import type { CompshareClient } from '../client.js';
import { callHostOperation } from './wire.js';

/** StopCompShareInstance: stops a running instance now. */
export function stopInstance(
  client: CompshareClient,
  request: { zone: string; instanceId: string },
): Promise<{ requestUuid: string | undefined }> {
  return callHostOperation(client, 'StopCompShareInstance', { Zone: request.zone, UHostId: request.instanceId });
}
