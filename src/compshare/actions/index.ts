/** The typed API surface: one file per action, one line each here. */
export { checkResourceCapacity } from './check-capacity.js';
export { getProjectList } from './get-project-list.js';
export { describeInstances, listAllInstances } from './describe-instances.js';
export { updateStopScheduler } from './update-stop-scheduler.js';
export { deleteStopScheduler } from './delete-stop-scheduler.js';
export { createInstance } from './create-instance.js';
export { getInstancePrice } from './get-instance-price.js';
export { stopInstance } from './stop-instance.js';
