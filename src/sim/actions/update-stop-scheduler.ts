import { RetCode, SimApiError, paramError } from '../retcodes.js';
import { instanceFor, type SimAction } from '../action.js';

/** The platform refuses stop times closer than this. */
const MIN_LEAD_SECONDS = 300;

/** UpdateCompShareStopScheduler: creates or moves the instance's one stop schedule. */
export const updateStopScheduler: SimAction = {
  name: 'UpdateCompShareStopScheduler',
  scope: 'project',
  handle(context) {
    const { state, params } = context;
    // The typed SDKs still send the parameter's old name.
    const name =
      params.optionalString('SchedulerStopTime') === undefined && params.optionalString('StopTime') !== undefined
        ? 'StopTime'
        : 'SchedulerStopTime';
    const stopAt = params.int(name);
    const instance = instanceFor(context);
    if (instance.chargeType === 'Spot') {
      throw new SimApiError(
        RetCode.SPOT_NOT_SUPPORTED,
        `Spot instance ${instance.uhostId} does not support a scheduled stop`,
      );
    }
    const now = state.nowSeconds();
    if (stopAt < now + MIN_LEAD_SECONDS) {
      const earliest = now + MIN_LEAD_SECONDS;
      throw paramError(name, `the stop time must be at least 5 minutes ahead (>= ${earliest}, got ${stopAt})`);
    }
    instance.schedulerStopTime = stopAt;
    instance.updateTime = now;
    return { UHostId: instance.uhostId };
  },
};
