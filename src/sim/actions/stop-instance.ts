import { stopInstance } from '../instances.js';
import { RetCode, SimApiError } from '../retcodes.js';
import { instanceFor, type SimAction } from '../action.js';

/** StopCompShareInstance: only a Running instance stops; it is Stopped at once. */
export const stopInstanceAction: SimAction = {
  name: 'StopCompShareInstance',
  scope: 'project',
  handle(context) {
    const instance = instanceFor(context);
    if (instance.state !== 'Running') {
      throw new SimApiError(
        RetCode.INVALID_INSTANCE_STATE,
        `Instance ${instance.uhostId} is ${instance.state}; only a Running instance can be stopped`,
      );
    }
    stopInstance(instance, context.state.nowSeconds());
    return { UHostId: instance.uhostId };
  },
};
