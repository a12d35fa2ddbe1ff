import { instanceFor, type SimAction } from '../action.js';

/** DeleteCompShareStopScheduler: removes the stop schedule; removing none is not an error. */
export const deleteStopScheduler: SimAction = {
  name: 'DeleteCompShareStopScheduler',
  scope: 'project',
  handle(context) {
    const instance = instanceFor(context);
    instance.schedulerStopTime = 0;
    instance.updateTime = context.state.nowSeconds();
    return { UHostId: instance.uhostId };
  },
};
