import type { SimAction } from '../action.js';
import { checkCapacity } from './check-capacity.js';
import { createInstance } from './create-instance.js';
import { deleteStopScheduler } from './delete-stop-scheduler.js';
import { describeInstanceTypes } from './describe-instance-types.js';
import { describeInstances } from './describe-instances.js';
import { getInstancePrice } from './get-instance-price.js';
import { getProjectList } from './get-project-list.js';
import { startInstanceAction } from './start-instance.js';
import { stopInstanceAction } from './stop-instance.js';
import { updateStopScheduler } from './update-stop-scheduler.js';

/** Every action the simulator answers, by wire name; adding one is one file and one line here. */
export const simActions: ReadonlyMap<string, SimAction> = new Map(
  [
    checkCapacity,
    createInstance,
    deleteStopScheduler,
    describeInstanceTypes,
    describeInstances,
    getInstancePrice,
    getProjectList,
    startInstanceAction,
    stopInstanceAction,
    updateStopScheduler,
  ].map((action) => [action.name, action]),
);
