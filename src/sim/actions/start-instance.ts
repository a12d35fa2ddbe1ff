import { startInstance } from '../instances.js';
import { RetCode, SimApiError } from '../retcodes.js';
import { instanceFor, type SimAction } from '../action.js';

/** StartCompShareInstance: only a Stopped instance starts; it runs after the boot delay. */
export const startInstanceAction: SimAction = {
  name: 'StartCompShareInstance',
  scope: 'project',
  handle(context) {
    const instance = instanceFor(context);
    if (instance.state !== 'Stopped') {
      throw new SimApiError(
        RetCode.INVALID_INSTANCE_STATE,
        `Instance ${instance.uhostId} is ${instance.state}; only a Stopped instance can be started`,
      );
    }
    startInstance(instance, context.state.nowSeconds());
    return { UHostId: instance.uhostId };
  },
};
