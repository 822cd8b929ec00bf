/**
 * The task engine: task model, lease queue and runner. Families plug in through `Family`.
 * @module
 */

export { ownedTasks, type TaskChange, tasksChangedSince } from "./changes.js";
export {
  getOwnedTask,
  leaseHeld,
  listTasks,
  type TaskListQuery,
  type TaskPage,
} from "./lookup.js";
export type { DeliveryTask, Family, Outcome, RunHelpers, Task } from "./model.js";
export { toTask } from "./model.js";
export { Notifier } from "./notifier.js";
export { insertOnlyOnce, type OnlyOnceRule } from "./only-once.js";
export { insertTask, type NewTask, queueAction } from "./queue.js";
export { removeTask } from "./remove.js";
export {
  createRunner,
  type LeaseLoopOptions,
  type Runner,
  type RunnerObserver,
  type RunnerOptions,
} from "./runner.js";
export { type StatusChange, setStatus, settleTask } from "./status.js";
